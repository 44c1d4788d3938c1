import ArgumentParser
import Foundation
import IllusionModels

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export a trained model to ONNX (standard operators, our weights as initializers, opset 17).",
        discussion: "Parts: vae runs → decoder (default) or encoder; dcgan/cgan runs → generator; cnn runs → classifier; autoencoder runs → decoder (default), encoder or classifier.")

    @Option(name: .customLong("run"), help: "Run folder.") var runPath: String
    @Option(help: "Export format (only onnx).") var format: String = "onnx"
    @Option(help: "Output .onnx file.") var out: String
    @Option(help: "Which network: encoder, decoder, generator, classifier, or model for a char-lm run (default: the run's main one).") var part: String?
    @Option(help: "Also write seeded inputs and our outputs (safetensors `input.*`, `output.*`) to compare a runtime with.")
    var reference: String?
    @Option(name: .customLong("reference-batch"), help: "Samples in the reference file.") var referenceBatch: Int = 4
    @Option(help: "Seed of the reference inputs.") var seed: UInt64 = 0
    @Flag(help: "Print what was written as JSON.") var json = false

    func run() throws {
        try runReportingErrors {
            guard format == "onnx" else { throw ModelError.invalidArgument("--format \(format): only onnx is supported") }
            guard referenceBatch >= 1 && referenceBatch <= 1024 else {
                throw ModelError.invalidArgument("--reference-batch must be in 1…1024, got \(referenceBatch)")
            }
            let export = try ONNXExporter.export(run: runPath, part: part)
            let bytes = export.serialized()
            do { try writeFileAtomically(out, bytes: bytes) } catch {
                throw ModelError.invalidArgument("--out \(out): cannot write the file (\(error))")
            }
            if let reference {
                try export.referenceData(batch: referenceBatch, seed: seed).write(to: reference)
            }
            if json {
                printJSON(["out": out, "part": export.part, "bytes": bytes.count, "reference": reference ?? NSNull(),
                           "inputs": export.inputs.map { ["name": $0.name, "shape": ["N"] + $0.shape.map { $0 as Any }] as [String: Any] },
                           "outputs": export.outputs, "nodes": export.model.graph.nodes.count,
                           "initializers": export.model.graph.initializers.count])
            } else {
                print("wrote \(out) (\(export.part), \(bytes.count) bytes)")
            }
        }
    }
}
