import ArgumentParser
import Foundation
import IllusionModels

struct AttributeVector: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attribute-vector",
        abstract: "Add the direction mean(z | attribute) − mean(z | not attribute) to faces that lack it (the smile vector), and measure the effect.")

    @Option(name: .customLong("run"), help: "Run folder of a VAE trained on celeba or faces-synthetic.") var runPath: String
    @Option(help: "Attribute name, e.g. Smiling or Eyeglasses.") var attribute: String
    @Option(parsing: .unconditional, help: "Largest multiple of the vector added.") var scale: Double = 1.5
    @Option(parsing: .unconditional, help: "Columns of the picture (multiples from 0 to --scale).") var steps: Int = 7
    @Option(name: .customLong("judge-seed"), help: "Seed of the judge CNN that decides whether a decoded face shows the attribute (its weights and batch order).") var judgeSeed: UInt64 = 0
    @Option(help: "Output PNG.") var out: String
    @Flag(help: "Print the measurement as one JSON object on stdout.") var json = false

    func run() throws {
        try runReportingErrors {
            guard steps >= 2 && steps <= 20 else { throw ModelError.invalidArgument("--steps must be in 2…20, got \(steps)") }
            guard scale.isFinite && scale > 0 else { throw ModelError.invalidArgument("--scale must be positive, got \(scale)") }
            let vae = try VAERun(path: runPath)
            let result = try AttributeVectorExperiment.run(vae, attribute: attribute, scale: scale, steps: steps, judgeSeed: judgeSeed, out: out)
            if json {
                printJSON(encodable: result)
            } else {
                print(String(format: "%@: judged present in %.1f%% of %d edited faces before, %.1f%% after adding %.2f·v (judge seed %llu, accuracy %.1f%%)",
                             attribute, 100 * result.fractionBefore, result.edited, 100 * result.fractionAfter, scale,
                             result.judgeSeed, 100 * result.judgeTestAccuracy))
                print("wrote \(out)")
            }
        }
    }
}
