import Foundation

/// A trained VAE opened from its run folder (for sample, reconstruct, interpolate, eval, …).
public struct VAERun {
    public let folder: RunFolder
    public let config: VAERunConfig
    public let model: VariationalAutoencoder

    /// Opens `path`; errors name the folder or file and what is wrong with it.
    public init(path: String) throws {
        folder = RunFolder(path: path)
        try folder.requireExisting()
        let kind = try folder.readJSON(RunKind.self, from: "config.json").kind
        guard kind == "vae" else {
            throw ModelError.invalidRun("--run \(path): this is a \(kind) run, not a VAE run")
        }
        config = try folder.readJSON(VAERunConfig.self, from: "config.json")
        try config.model.validate()
        var rng = RandomGenerator(seed: 0)
        model = VariationalAutoencoder(config: config.model, rng: &rng)
        try Checkpoint.load(model, from: folder.modelPath)
        model.setTraining(false)
    }

    /// The run's test split (as configured at training time).
    public func testSet() throws -> ImageDataset { try config.dataset.load().test }
}

/// Just the `kind` field of any run's config.json.
public struct RunKind: Codable { public var kind: String }
