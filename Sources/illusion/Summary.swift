import ArgumentParser
import Foundation
import IllusionModels

struct Summary: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print a model's layer table: output shapes and parameter counts.")

    @Option(help: "Architecture: fashion, faces, linear or mlp.") var arch: String
    @Option(name: .customLong("image-size"), parsing: .unconditional, help: "Square input size (faces: 64, 128 or 256).") var imageSize: Int?
    @Option(name: .customLong("latent-dim"), parsing: .unconditional) var latentDim: Int?
    @Flag(help: "Print the table as one JSON object on stdout.") var json = false

    func run() throws {
        try runReportingErrors {
            guard let architecture = VAEArchitecture(rawValue: arch) else {
                throw ModelError.invalidArgument("--arch: unknown architecture '\(arch)' (expected fashion, faces, linear or mlp)")
            }
            let config = VAEConfig(architecture: architecture, latentDim: latentDim, imageSize: imageSize)
            try config.validate()
            let tables = VAESummary.tables(config)
            if json {
                printJSON(["arch": arch, "image_size": config.imageSize, "latent_dim": config.latentDim,
                           "parts": tables.map { $0.jsonObject }])
            } else {
                for t in tables { print(t.text); print() }
            }
        }
    }
}
