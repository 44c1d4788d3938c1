import ArgumentParser
import Foundation
import IllusionModels

struct LatentPlot: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "latent-plot",
        abstract: "Scatter the test-set latents coloured by class (PCA when D > 2); VAE with D = 2: the decoded manifold; autoencoder: the latent classifier's probability map with per-class density contours.")

    @Option(name: .customLong("run"), help: "Run folder.") var runPath: String
    @Option(help: "Output folder for the pictures.") var out: String
    @Option(parsing: .unconditional, help: "Use at most this many test images.") var limit: Int = 5000
    @Flag(help: "Print the written files as JSON.") var json = false

    func run() throws {
        try runReportingErrors {
            guard limit >= 1 else { throw ModelError.invalidArgument("--limit must be ≥ 1, got \(limit)") }
            let folder = RunFolder(path: runPath)
            try folder.requireExisting()
            let kind = try folder.readJSON(RunKind.self, from: "config.json").kind
            let files: [String]
            switch kind {
            case "vae":
                let vae = try VAERun(path: runPath)
                files = try VAEPictures.writeLatentPlots(vae.model, test: try vae.testSet(), out: out, limit: limit)
            case "autoencoder":
                files = try AutoencoderPlots.writeLatentPlots(runPath: runPath, out: out, limit: limit)
            default:
                throw ModelError.invalidRun("--run \(runPath): latent plots are not available for \(kind) runs")
            }
            if json { printJSON(["files": files]) } else { files.forEach { print("wrote \($0)") } }
        }
    }
}
