import Foundation

/// Hyper-parameters of `illusion train vae` (written to config.json under "training").
public struct VAETrainingOptions: Codable, Equatable, Sendable {
    public var epochs: Int = 5
    public var batchSize: Int = 100
    public var learningRate: Float = 5e-4
    public var seed: UInt64 = 0
    /// Weight of the KL term (β-VAE); 1 is the true ELBO.
    public var beta: Float = 1
    /// KL warm-up length in epochs (0 = off): β ramps 0 → β over this many epochs.
    public var klWarmupEpochs: Double = 0
    /// `linear` (ramp once) or `cyclical` (ramp in the first half of every cycle of that length).
    public var klSchedule: String = "linear"
    /// Fraction of the training images held out for validation; 0 validates on the test split.
    public var validationFraction: Double = 0
    /// Cap on optimisation steps per epoch (0 = the whole epoch); for tests and quick looks.
    public var maxStepsPerEpoch: Int = 0
    /// Write sample/reconstruction grids every epoch.
    public var writePictures: Bool = true
    /// The shared loop's flags (checkpoint cadence, schedule, clipping, early stopping); nil in
    /// configs written before they existed, meaning the defaults.
    public var loop: TrainingLoopOptions?

    public init() {}

    public func validate() throws {
        guard epochs >= 1 else { throw ModelError.invalidArgument("--epochs must be ≥ 1, got \(epochs)") }
        guard batchSize >= 1 else { throw ModelError.invalidArgument("--batch-size must be ≥ 1, got \(batchSize)") }
        guard learningRate > 0, learningRate.isFinite else { throw ModelError.invalidArgument("--lr must be a positive number, got \(learningRate)") }
        guard beta >= 0, beta.isFinite else { throw ModelError.invalidArgument("--beta must be ≥ 0, got \(beta)") }
        guard klWarmupEpochs >= 0 else { throw ModelError.invalidArgument("--kl-warmup must be ≥ 0, got \(klWarmupEpochs)") }
        guard ["linear", "cyclical"].contains(klSchedule) else {
            throw ModelError.invalidArgument("--kl-schedule must be linear or cyclical, got \(klSchedule)")
        }
        guard validationFraction >= 0 && validationFraction < 1 else {
            throw ModelError.invalidArgument("--validation-fraction must be in [0, 1), got \(validationFraction)")
        }
        guard maxStepsPerEpoch >= 0 else { throw ModelError.invalidArgument("--max-steps must be ≥ 0, got \(maxStepsPerEpoch)") }
        try loop?.validate()
    }

    /// β at a fractional epoch position `t` (0 at the start of training).
    public func klWeight(at t: Double) -> Float {
        guard klWarmupEpochs > 0 else { return beta }
        switch klSchedule {
        case "cyclical":
            let phase = t.truncatingRemainder(dividingBy: klWarmupEpochs) / klWarmupEpochs
            return beta * Float(min(1, 2 * phase))
        default:
            return beta * Float(min(1, t / klWarmupEpochs))
        }
    }
}

/// What a VAE run folder's config.json holds.
public struct VAERunConfig: Codable, Equatable {
    public var kind = "vae"
    public var model: VAEConfig
    public var training: VAETrainingOptions
    public var dataset: DatasetSpec
    public init(model: VAEConfig, training: VAETrainingOptions, dataset: DatasetSpec) {
        self.model = model; self.training = training; self.dataset = dataset
    }
}

/// Per-epoch figures (each a mean over images, in nats).
public struct VAEEpochMetrics {
    public var epoch: Int
    public var trainLoss: Double, trainReconstruction: Double, trainKL: Double
    public var validation: VAEEvaluation
    public var imagesPerSecond: Double
    public var seconds: Double
}

/// The VAE's part of the shared loop: one Adam step on the (β-weighted) negative ELBO of a batch.
/// The training stream draws the epoch's shuffle, then per batch the pixel encoding's draws and ε.
final class VAETrainingTask: TrainingTask {
    let config: VAERunConfig
    let vae: VariationalAutoencoder
    let optimizer: Adam
    var train: ImageDataset?
    var validation: ImageDataset?
    var order: [Int] = []
    var lastValidation: VAEEvaluation?
    var committed: ((EpochRecord) throws -> Void)?

    init(config: VAERunConfig, vae: VariationalAutoencoder, optimizer: Adam) {
        self.config = config; self.vae = vae; self.optimizer = optimizer
    }

    var model: Layer { vae }
    var checkpointFormat: String { "illusioncraft-vae" }
    var optimizers: [(prefix: String, optimizer: Optimizer)] { [("optimizer.", optimizer)] }
    var batchSize: Int { config.training.batchSize }
    var stepsPerEpoch: Int { max(1, (train?.count ?? 0) / config.training.batchSize) }
    var progressFigures: [String]? { ["reconstruction", "kl"] }

    func beginEpoch(_ epoch: Int, rng: inout RandomGenerator) throws {
        order = rng.permutation(train!.count)
    }

    func step(_ b: Int, epoch: Int, rng: inout RandomGenerator, context: StepContext) throws -> StepOutcome {
        let opts = config.training, train = train!
        let count = min(opts.batchSize, train.count - b * opts.batchSize)
        let indices = Array(order[(b * opts.batchSize)..<(b * opts.batchSize + count)])
        // Data-parallel: the global batch is drawn (pixel encoding included) and this rank keeps its rows.
        let shard = try context.shard(rows: count)
        let x = shard.rows(train.floatImages(at: indices, generator: &rng))
        prefetchNextBatch(after: b, from: train)
        let steps = opts.maxStepsPerEpoch > 0 ? min(opts.maxStepsPerEpoch, stepsPerEpoch) : stepsPerEpoch
        let beta = opts.klWeight(at: Double(epoch) + Double(b) / Double(steps))
        let loss = vae.loss(x, beta: beta, rng: &rng)
        let value = try context.minimize(loss.total, with: optimizer)
        return StepOutcome(figures: [("loss", Double(value)), ("reconstruction", Double(loss.reconstruction.scalar)),
                                     ("kl", Double(loss.kl.scalar))], examples: shard.localCount)
    }

    func endEpoch(_ epoch: Int, training: EpochTrainingFigures) throws -> EpochOutcome {
        let v = VAEEvaluator.evaluate(vae, on: validation!, iwaeSamples: 0, seed: 1234)
        lastValidation = v
        return EpochOutcome(figures: [("val_neg_elbo", v.negElbo), ("val_reconstruction", v.reconstruction), ("val_kl", v.kl)],
                            monitored: v.negElbo)
    }

    func epochCommitted(_ record: EpochRecord) throws { try committed?(record) }

    /// A mapped dataset starts paging in batch b + 1 while batch b trains.
    func prefetchNextBatch(after b: Int, from train: ImageDataset) {
        let start = (b + 1) * config.training.batchSize
        if start < order.count { train.prefetchImages(at: Array(order[start..<min(order.count, start + config.training.batchSize)])) }
    }

    /// What ``VAEPictures/writeEpochPictures(_:run:test:epoch:)`` writes each epoch (64 samples, 16 reconstructions).
    func epochPictureFiles(epoch: Int) -> [(tag: String, file: String)] {
        config.training.writePictures ? [("samples", "samples.png"), ("reconstructions", "reconstructions.png")] : []
    }
}

/// Trains a VAE with Adam on the shared ``Trainer``: crash-consistent checkpoints each epoch (and
/// every `--checkpoint-every` steps), so `--resume` continues exactly, mid-epoch included.
public final class VAETrainer: ResumableTrainer {
    public let run: RunFolder
    public private(set) var config: VAERunConfig
    public let model: VariationalAutoencoder
    public let optimizer: Adam
    public var quiet = false
    /// Called after each epoch's checkpoint (pictures, logs). Errors stop training.
    public var onEpochEnd: ((VAETrainer, VAEEpochMetrics) throws -> Void)?
    let task: VAETrainingTask
    var restored: CommittedCheckpoint?
    var progress = TrainingProgress()
    /// The training stream's state (after the last step taken).
    public internal(set) var rng: RandomGenerator
    /// Epochs and optimisation steps finished.
    public var epoch: Int { progress.epoch }
    public var step: Int { progress.globalStep }

    /// Starts a new run: builds the model from the seed.
    public init(run: RunFolder, config: VAERunConfig) throws {
        try config.model.validate()
        try config.training.validate()
        self.run = run
        self.config = config
        var initRNG = RandomGenerator(seed: config.training.seed)
        model = VariationalAutoencoder(config: config.model, rng: &initRNG)
        optimizer = Adam(parameters: model.parameters, learningRate: config.training.learningRate)
        rng = RandomGenerator(seed: config.training.seed, stream: 0x7261_696E)  // training stream: shuffles and ε
        task = VAETrainingTask(config: config, vae: model, optimizer: optimizer)
    }

    /// Reopens a run for `--resume` from its newest verified checkpoint (or `from`, a checkpoint
    /// folder): weights, optimizer moments, random streams and the position inside the epoch.
    public static func resume(run: RunFolder, overridingEpochs epochs: Int? = nil, from path: String? = nil,
                              checkpointing: (every: Int, keep: Int)? = nil) throws -> VAETrainer {
        let config = try RunResumption.config(VAERunConfig.self, run: run, overridingEpochs: epochs, checkpointing: checkpointing)
        let trainer = try VAETrainer(run: run, config: config)
        try RunResumption.restore(trainer, run: run, from: path)
        return trainer
    }

    func makeLoop() throws -> Trainer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let loop = try Trainer(task: task, run: run, epochs: config.training.epochs, maxStepsPerEpoch: config.training.maxStepsPerEpoch,
                               loop: config.training.loop ?? .init(), rng: rng,
                               configJSON: [UInt8](try encoder.encode(config)) + [10])
        loop.quiet = quiet
        return loop
    }

    /// Runs the remaining epochs on `train`, validating on `validation` after each.
    @discardableResult
    public func train(on train: ImageDataset, validation: ImageDataset) throws -> [VAEEpochMetrics] {
        guard train.count >= 1 else { throw ModelError.invalidArgument("training set is empty") }
        guard train.channels == config.model.channels,
              train.height == config.model.imageSize, train.width == config.model.imageSize else {
            throw ModelError.invalidArgument("dataset images are \(train.channels)×\(train.height)×\(train.width), the \(config.model.architecture.rawValue) VAE expects \(config.model.inputShape.map(String.init).joined(separator: "×"))")
        }
        task.train = train
        task.validation = validation
        let loop = try makeLoop()
        if let restored { try loop.restore(from: restored) }
        var all: [VAEEpochMetrics] = []
        task.committed = { [unowned self] record in
            self.progress = loop.progress
            let metrics = VAEEpochMetrics(epoch: record.epoch, trainLoss: record.training["loss"],
                                          trainReconstruction: record.training["reconstruction"], trainKL: record.training["kl"],
                                          validation: self.task.lastValidation!, imagesPerSecond: record.training.examplesPerSecond,
                                          seconds: record.training.seconds)
            all.append(metrics)
            try self.onEpochEnd?(self, metrics)
        }
        defer { progress = loop.progress; rng = loop.rng; restored = nil }
        try loop.fit()
        return all
    }
}

extension VAERunConfig: ResumableRunConfig {
    var resumableEpochs: Int { get { training.epochs } set { training.epochs = newValue } }
    var resumableLoop: TrainingLoopOptions? { get { training.loop } set { training.loop = newValue } }
}
