import ArgumentParser
import Foundation
import IllusionModels

struct Sample: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw new images: a VAE decodes z ~ N(0, I); a GAN's generator maps noise (and a condition) to images.")

    @Option(name: .customLong("run"), help: "Run folder.") var runPath: String
    @Option(parsing: .unconditional) var count: Int = 64
    @Option(parsing: .unconditional) var seed: UInt64 = 0
    @Option(help: "Output PNG.") var out: String
    @Option(help: "Also write the latents and images as safetensors (tensors z [N, D] and images [N, C, H, W]).") var raw: String?
    @Option(help: "GAN runs with conditions: a class name or index (Trouser, 1), attributes (Smiling,Eyeglasses=1,Bald=0) or none.")
    var condition: String?
    @Flag(help: "Print what was written as JSON.") var json = false

    func run() throws {
        try runReportingErrors {
            guard count >= 1 && count <= 10_000 else { throw ModelError.invalidArgument("--count must be in 1…10000, got \(count)") }
            let folder = RunFolder(path: runPath)
            try folder.requireExisting()
            let kind = try folder.readJSON(RunKind.self, from: "config.json").kind
            if kind == "stackgan" {   // Stage-I (enlarged) above Stage-II, same noise and condition
                let written = try StackGANSampling.writeSamples(run: runPath, count: count, seed: seed, condition: condition, out: out, raw: raw)
                if json { printJSON(written) } else { print("wrote \(out)") }
                return
            }
            if kind == "dcgan" || kind == "cgan" {
                let written = try GANSampling.writeSamples(run: runPath, count: count, seed: seed, condition: condition, out: out, raw: raw)
                if json { printJSON(written) } else { print("wrote \(out)") }
                return
            }
            guard kind == "vae" else { throw ModelError.invalidRun("--run \(runPath): sampling is not defined for \(kind) runs") }
            if condition != nil { throw ModelError.invalidArgument("--condition: only conditional GAN runs take a condition") }
            let vae = try VAERun(path: runPath)
            let (z, images) = VAEExplorer.sample(vae.model, count: count, seed: seed)
            try VAEPictures.grid(images, columns: Int(Double(count).squareRoot().rounded(.up))).writePNG(to: out)
            if let raw {
                var file = SafeTensors()
                file.set("z", z)
                file.set("images", images)
                file.metadata = ["run": runPath, "seed": String(seed)]
                try file.write(to: raw)
            }
            let rawEntry: Any = raw.map { $0 as Any } ?? NSNull()
            if json { printJSON(["out": out, "raw": rawEntry, "count": count]) } else { print("wrote \(out)") }
        }
    }
}

struct Reconstruct: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Test images (top rows) above their reconstructions (bottom rows).")

    @Option(name: .customLong("run"), help: "Run folder.") var runPath: String
    @Option(parsing: .unconditional) var count: Int = 16
    @Option(help: "Output PNG.") var out: String

    func run() throws {
        try runReportingErrors {
            guard count >= 1 && count <= 1000 else { throw ModelError.invalidArgument("--count must be in 1…1000, got \(count)") }
            let vae = try VAERun(path: runPath)
            let test = try vae.testSet()
            try VAEPictures.reconstructionGrid(vae.model, test: test, count: min(count, test.count)).writePNG(to: out)
            print("wrote \(out)")
        }
    }
}

struct Interpolate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Walk the latent space between two test images: linear (top) and spherical (bottom).")

    @Option(name: .customLong("run"), help: "Run folder.") var runPath: String
    @Option(parsing: .unconditional, help: "Index of the first test image.") var from: Int
    @Option(parsing: .unconditional, help: "Index of the second test image.") var to: Int
    @Option(parsing: .unconditional) var steps: Int = 10
    @Option(help: "Output PNG.") var out: String

    func run() throws {
        try runReportingErrors {
            guard steps >= 2 && steps <= 100 else { throw ModelError.invalidArgument("--steps must be in 2…100, got \(steps)") }
            let vae = try VAERun(path: runPath)
            let test = try vae.testSet()
            for (flag, i) in [("--from", from), ("--to", to)] where i < 0 || i >= test.count {
                throw ModelError.invalidArgument("\(flag) \(i): the test split has images 0…\(test.count - 1)")
            }
            try VAEPictures.interpolationGrid(vae.model, test: test, from: from, to: to, steps: steps).writePNG(to: out)
            print("wrote \(out)")
        }
    }
}
