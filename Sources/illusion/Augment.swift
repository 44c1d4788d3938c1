import ArgumentParser
import Foundation
import IllusionModels

struct Augment: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Preview data augmentation: original test images on top, one row per op.")

    @Option(help: "Dataset: fashion-mnist, mnist, celeba, faces-synthetic or folder.") var dataset: String = "fashion-mnist"
    @Option(help: "Data directory (mnist, celeba, folder).") var data: String?
    @Option(help: "Comma-separated ops (\(AugmentationPreview.operationNames.joined(separator: ",")) or all).") var ops: String = "all"
    @Option(parsing: .unconditional, help: "Images per row.") var count: Int = 8
    @Option(name: .customLong("image-size"), parsing: .unconditional, help: "Square size for colour datasets.") var imageSize: Int = 64
    @Option(parsing: .unconditional) var seed: UInt64 = 0
    @Option(help: "Output PNG.") var out: String

    func run() throws {
        try runReportingErrors {
            guard count >= 1 && count <= 100 else { throw ModelError.invalidArgument("--count must be in 1…100, got \(count)") }
            guard imageSize >= 1 else { throw ModelError.invalidArgument("--image-size must be positive, got \(imageSize)") }
            let names = ops == "all" ? AugmentationPreview.operationNames
                                     : ops.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard !names.isEmpty else { throw ModelError.invalidArgument("--ops: no augmentation named") }
            for n in names where !AugmentationPreview.operationNames.contains(n) {
                throw ModelError.invalidArgument("--ops: unknown augmentation '\(n)' (expected \(AugmentationPreview.operationNames.joined(separator: ", ")) or all)")
            }
            let grey = ["fashion-mnist", "mnist"].contains(dataset)
            let spec = DatasetSpec(name: dataset, directory: data, imageSize: grey ? 28 : imageSize,
                                   limit: 600, syntheticCount: 600)
            let test = try spec.load().test
            try AugmentationPreview.grid(dataset: test, names: names, count: count, seed: seed).writePNG(to: out)
            print("wrote \(out)")
        }
    }
}
