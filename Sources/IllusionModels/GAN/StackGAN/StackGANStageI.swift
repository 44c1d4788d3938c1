import Foundation

/// What `illusion train stackgan` without `--stage1-run` trains as Stage-I: a conditional GAN of
/// `train cgan` (conditioning augmentation, matching-aware D) at half Stage-II's side by default.
public struct StackGANStageIPlan: Sendable {
    /// Stage-I's epochs (`--stage1-epochs`).
    public var epochs: Int
    /// Stage-I's side (`--stage1-image-size`; nil: Stage-II's / 2).
    public var imageSize: Int?
    /// G's last and D's first block width (`--stage1-width`).
    public var width = 16
    public var noiseDim = 100
    /// `class` (one-hot labels) or `attributes`; nil: attributes for faces-synthetic/celeba, class otherwise.
    public var conditionKind: String?
    /// Stage-I's AC-GAN weight (`--stage1-aux-weight`; nil: none).
    public var auxiliaryWeight: Float?

    public init(epochs: Int) { self.epochs = epochs }
}

/// Stage-I trained by the same command, in `DIR/stage1` (an ordinary cGAN run folder: sample, eval
/// and `--stage1-run` take it), with the cGAN trainer (``GANTrainer``) and its report, to the end,
/// before Stage-II starts. Stage-II's config.json (`stage1TrainedHere`) is written first, so
/// `--resume` finds the plan: it finishes Stage-I from its own checkpoints if it was interrupted,
/// then starts or continues Stage-II.
public enum StackGANStageI {
    /// `DIR/stage1`.
    public static func folder(_ out: RunFolder) -> RunFolder { RunFolder(path: out.file("stage1")) }

    /// The cGAN run config `plan` asks for (the data is loaded at Stage-I's side to read its condition set).
    public static func config(_ plan: StackGANStageIPlan, stage2Size: Int, dataset: DatasetSpec,
                              training: GANTrainingOptions) throws -> (GANRunConfig, (train: ImageDataset, test: ImageDataset)) {
        guard plan.epochs >= 1 else { throw ModelError.invalidArgument("--stage1-epochs must be ≥ 1, got \(plan.epochs)") }
        let grey = ["fashion-mnist", "mnist"].contains(dataset.name)
        let size = plan.imageSize ?? stage2Size / 2
        var model = GANModelConfig(imageSize: size, channels: grey ? 1 : 3, noiseDim: plan.noiseDim,
                                   generatorWidth: plan.width, discriminatorWidth: plan.width)
        var spec = dataset
        spec.imageSize = size
        spec.padTo32 = grey && size == 32
        let data = try spec.load()
        let kind = plan.conditionKind ?? (["faces-synthetic", "celeba"].contains(dataset.name) ? "attributes" : "class")
        try GANWorkflow.configureCondition(&model, kind: kind, data: data.train)
        var t = training
        t.epochs = plan.epochs
        t.auxiliaryWeight = plan.auxiliaryWeight
        model.auxiliaryClassifier = plan.auxiliaryWeight != nil
        try model.validate()
        return (GANRunConfig(model: model, training: t, dataset: spec), data)
    }

    /// Writes `config` as Stage-I's config.json (so a run killed before its first checkpoint restarts
    /// from it) and trains it.
    static func start(_ folder: RunFolder, config: GANRunConfig, data: (train: ImageDataset, test: ImageDataset), quiet: Bool) throws {
        try folder.create()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try writeFileAtomically(folder.configPath, bytes: [UInt8](try encoder.encode(config)) + [10])
        let trainer = try GANTrainer(run: folder, config: config)
        try fit(trainer, data: data, quiet: quiet)
    }

    /// `--resume`: finishes Stage-I in `folder` if it has epochs left — from its newest checkpoint, or
    /// from its config.json when it never committed one; does nothing when it is done.
    static func finish(_ folder: RunFolder, checkpointing: (every: Int, keep: Int)?, quiet: Bool) throws {
        guard FileManager.default.fileExists(atPath: folder.configPath) else {
            throw ModelError.invalidRun("--resume \(folder.path): Stage-I's config.json is missing (the run was stopped before Stage-I started); start it again without --resume")
        }
        let trainer: GANTrainer
        if try CheckpointStore(run: folder).latest() != nil {
            trainer = try GANTrainer.resume(run: folder, checkpointing: checkpointing)
            if trainer.epoch >= trainer.config.training.epochs { return }
        } else {
            trainer = try GANTrainer(run: folder, config: try folder.readJSON(GANRunConfig.self, from: "config.json"))
        }
        try fit(trainer, data: nil, quiet: quiet)
    }

    /// For tests: called after each committed Stage-I epoch (an error thrown here stops training as a crash would).
    nonisolated(unsafe) static var epochObserver: ((GANTrainer, GANEpochMetrics) throws -> Void)?

    private static func fit(_ trainer: GANTrainer, data: (train: ImageDataset, test: ImageDataset)?, quiet: Bool) throws {
        trainer.quiet = quiet
        trainer.onEpochEnd = epochObserver
        if !quiet { logLine("Stage-I: \(trainer.config.kind) \(trainer.config.model.imageSize)×\(trainer.config.model.imageSize), \(trainer.config.training.epochs) epochs, in \(trainer.run.path)") }
        try GANWorkflow.trainAndReport(trainer, data: data)
    }
}
