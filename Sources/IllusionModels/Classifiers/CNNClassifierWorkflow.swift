import Foundation

/// config.json of a CNN classifier run.
public struct CNNRunConfig: Codable, Equatable {
    public var kind = "cnn"
    public var model: CNNConfig
    public var training: ImageClassifierTrainingOptions
    public var dataset: DatasetSpec

    public init(model: CNNConfig, training: ImageClassifierTrainingOptions, dataset: DatasetSpec) {
        self.model = model; self.training = training; self.dataset = dataset
    }
}

/// `illusion train cnn`: train, evaluate on the test split, write curves, confusion matrix and report.
public enum CNNClassifierWorkflow {
    /// Loads (train, validation, test); validation is the test split when the fraction is 0.
    public static func loadData(_ config: CNNRunConfig) throws -> (train: ImageDataset, validation: ImageDataset, test: ImageDataset) {
        guard ["fashion-mnist", "mnist"].contains(config.dataset.name) else {
            throw ModelError.invalidArgument("--dataset: the CNN classifier trains on fashion-mnist or mnist, got \(config.dataset.name)")
        }
        let (train, test) = try config.dataset.load()
        return try splitValidation(train: train, test: test, fraction: config.training.validationFraction, seed: config.training.seed)
    }

    static func splitValidation(train: ImageDataset, test: ImageDataset, fraction: Double, seed: UInt64) throws
        -> (train: ImageDataset, validation: ImageDataset, test: ImageDataset) {
        guard fraction > 0 else { return (train, test, test) }
        let parts = try train.split(validationFraction: fraction, seed: seed)
        return (parts.train, parts.validation, test)
    }

    /// Continues a CNN run from its newest verified checkpoint (or `from`), with its own config.json.
    public static func resume(folder: RunFolder, overridingEpochs epochs: Int?, from path: String? = nil,
                              checkpointing: (every: Int, keep: Int)? = nil, quiet: Bool = false) throws -> [String: Any] {
        try folder.requireExisting()
        var config = try folder.readJSON(CNNRunConfig.self, from: "config.json")
        guard config.kind == "cnn" else { throw ModelError.invalidRun("--out \(folder.path): this is a \(config.kind) run, not a CNN run") }
        if let epochs { config.training.epochs = epochs }
        if let checkpointing {
            var loop = config.training.loop ?? .init()
            loop.checkpointEvery = checkpointing.every; loop.keepCheckpoints = checkpointing.keep
            config.training.loop = loop
        }
        let store = CheckpointStore(run: folder)
        guard let checkpoint = try path.map({ try store.verify($0) }) ?? store.latest() else {
            throw ModelError.invalidRun("--resume \(folder.path): no verified checkpoint in \(store.directory)")
        }
        return try run(config, folder: folder, quiet: quiet, resumeFrom: checkpoint)
    }

    public static func run(_ config: CNNRunConfig, folder: RunFolder, quiet: Bool = false,
                           data: (train: ImageDataset, validation: ImageDataset, test: ImageDataset)? = nil,
                           resumeFrom: CommittedCheckpoint? = nil) throws -> [String: Any] {
        try config.model.validate()
        try config.training.validate()
        let started = Date()
        let data = try data ?? loadData(config)
        guard data.train.channels == config.model.channels, data.train.height == config.model.imageSize,
              data.train.width == config.model.imageSize else {
            throw ModelError.invalidArgument("dataset images are \(data.train.channels)×\(data.train.height)×\(data.train.width), the CNN expects \(config.model.channels)×\(config.model.imageSize)×\(config.model.imageSize)")
        }
        try folder.create()
        if resumeFrom == nil { try? FileManager.default.removeItem(atPath: folder.metricsPath) }
        var rng = RandomGenerator(seed: config.training.seed)
        let model = CNNClassifier.make(config.model, rng: &rng)
        if !quiet {
            logLine("training CNN \(config.model.summary), \(model.parameterCounts.trainable) parameters, on \(data.train.count) \(data.train.name) images (validation \(data.validation.count)); run folder \(folder.path)")
        }
        let trainer = try ImageClassifierTrainer(model: model, options: config.training, run: folder)
        trainer.quiet = quiet
        trainer.checkpointMetadata = ["format": "illusioncraft-cnn"]
        trainer.resumeFrom = resumeFrom
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        trainer.configJSON = [UInt8](try encoder.encode(config)) + [10]
        try trainer.train(on: data.train, validation: data.validation, classCount: config.model.classCount)
        let test = ClassifierEvaluator.evaluate(on: data.test, classCount: config.model.classCount) { model($0) }
        try folder.writeJSON(test, to: "test_metrics.json")
        try ClassifierReport.writeClassifierPictures(run: folder, history: trainer.history, test: test,
                                                     classNames: config.model.classNames, testSet: data.test) { model($0) }
        let ips = trainer.history.map(\.imagesPerSecond).sorted()
        let summary: [String: Any] = [
            "run": folder.path, "kind": config.kind, "dataset": config.dataset.name,
            "test_accuracy": test.accuracy, "test_loss": test.loss, "test_images": test.images,
            "epochs": trainer.history.count, "best_epoch": trainer.bestEpoch, "stopped_early": trainer.stoppedEarly,
            "best_validation_accuracy": trainer.history.first { $0.epoch == trainer.bestEpoch }?.validation.accuracy ?? 0,
            "training_seconds": trainer.trainingSeconds, "wall_seconds": Date().timeIntervalSince(started),
            "images_per_s": ips.isEmpty ? 0 : ips[ips.count / 2], "parameters": model.parameterCounts.trainable,
        ]
        try ClassifierReport.writeCNNReport(run: folder, config: config, summary: summary, test: test)
        if !quiet {
            logLine(String(format: "test accuracy %.2f%% (cross-entropy %.4f) after %d epochs (best epoch %d), %.0f s training",
                           100 * test.accuracy, test.loss, trainer.history.count, trainer.bestEpoch, trainer.trainingSeconds))
            logLine("wrote \(folder.file("report.html"))")
        }
        return summary
    }
}
