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

/// Trains a VAE with Adam, checkpointing atomically each epoch so `--resume` continues exactly.
public final class VAETrainer {
    public let run: RunFolder
    public let config: VAERunConfig
    public let model: VariationalAutoencoder
    public let optimizer: Adam
    public var rng: RandomGenerator
    public private(set) var epoch = 0
    public private(set) var step = 0
    public var quiet = false
    /// Called after each epoch (pictures, logs). Errors stop training.
    public var onEpochEnd: ((VAETrainer, VAEEpochMetrics) throws -> Void)?

    /// Starts a new run: builds the model from the seed and writes config.json.
    public init(run: RunFolder, config: VAERunConfig) throws {
        try config.model.validate()
        try config.training.validate()
        self.run = run
        self.config = config
        var initRNG = RandomGenerator(seed: config.training.seed)
        model = VariationalAutoencoder(config: config.model, rng: &initRNG)
        optimizer = Adam(parameters: model.parameters, learningRate: config.training.learningRate)
        rng = RandomGenerator(seed: config.training.seed, stream: 0x7261_696E)  // training stream: shuffles and ε
    }

    /// Reopens a run for `--resume`: loads weights, optimizer moments, step, epoch and RNG state.
    public static func resume(run: RunFolder, overridingEpochs epochs: Int? = nil) throws -> VAETrainer {
        try run.requireExisting()
        var config = try run.readJSON(VAERunConfig.self, from: "config.json")
        if let epochs { config.training.epochs = epochs }
        let trainer = try VAETrainer(run: run, config: config)
        try Checkpoint.load(trainer.model, from: run.modelPath)
        let state = try TrainingState.load(from: run, optimizers: [("optimizer.", trainer.optimizer)])
        trainer.rng = state.rng
        trainer.epoch = state.epoch
        trainer.step = state.step
        try run.truncateMetrics(afterEpoch: trainer.epoch)
        return trainer
    }

    /// Writes model.safetensors, then training_state.safetensors, then config.json — each atomically.
    public func saveCheckpoint() throws {
        try Checkpoint.save(model, to: run.modelPath, metadata: ["format": "illusioncraft-vae", "epoch": String(epoch)])
        try TrainingState(rng: rng, epoch: epoch, step: step).save(to: run, optimizers: [("optimizer.", optimizer)])
        try run.writeJSON(config, to: "config.json")
    }

    /// Runs the remaining epochs on `train`, validating on `validation` after each.
    @discardableResult
    public func train(on train: ImageDataset, validation: ImageDataset) throws -> [VAEEpochMetrics] {
        let opts = config.training
        guard train.count >= 1 else { throw ModelError.invalidArgument("training set is empty") }
        guard train.channels == config.model.channels,
              train.height == config.model.imageSize, train.width == config.model.imageSize else {
            throw ModelError.invalidArgument("dataset images are \(train.channels)×\(train.height)×\(train.width), the \(config.model.architecture.rawValue) VAE expects \(config.model.inputShape.map(String.init).joined(separator: "×"))")
        }
        try run.create()
        if epoch == 0 { try run.writeJSON(config, to: "config.json") }
        let batchesPerEpoch = max(1, opts.maxStepsPerEpoch > 0 ? min(opts.maxStepsPerEpoch, train.count / opts.batchSize)
                                                              : train.count / opts.batchSize)
        var all: [VAEEpochMetrics] = []
        while epoch < opts.epochs {
            let epochNumber = epoch + 1
            model.setTraining(true)
            let order = rng.permutation(train.count)
            let progress = ProgressReporter(label: "epoch \(epochNumber)/\(opts.epochs)", total: batchesPerEpoch, quiet: quiet)
            var sumLoss = 0.0, sumRec = 0.0, sumKL = 0.0
            let start = Date()
            var stepTimes: [Double] = []
            for b in 0..<batchesPerEpoch {
                let t0 = Date()
                let count = min(opts.batchSize, train.count - b * opts.batchSize)
                let indices = Array(order[(b * opts.batchSize)..<(b * opts.batchSize + count)])
                let x = train.floatImages(at: indices, generator: &rng)
                let beta = opts.klWeight(at: Double(epoch) + Double(b) / Double(batchesPerEpoch))
                let loss = model.loss(x, beta: beta, rng: &rng)
                let value = loss.total.scalar
                guard value.isFinite else {
                    throw ModelError.trainingDiverged(
                        "training diverged at epoch \(epochNumber), step \(step + 1): the loss is \(value) (likely cause: learning rate \(opts.learningRate) too high, or inputs outside [0, 1]); the last good checkpoint in \(run.path) is intact")
                }
                optimizer.zeroGrad()
                loss.total.backward()
                optimizer.step()
                step += 1
                sumLoss += Double(value); sumRec += Double(loss.reconstruction.scalar); sumKL += Double(loss.kl.scalar)
                stepTimes.append(Date().timeIntervalSince(t0))
                progress.update(done: b + 1, images: (b + 1) * opts.batchSize,
                                figures: [("recon", sumRec / Double(b + 1)), ("kl", sumKL / Double(b + 1))])
            }
            let seconds = Date().timeIntervalSince(start)
            epoch = epochNumber
            let validationFigures = VAEEvaluator.evaluate(model, on: validation, iwaeSamples: 0, seed: 1234)
            let steady = stepTimes.count > 1 ? Array(stepTimes.dropFirst()) : stepTimes
            let median = steady.sorted()[steady.count / 2]
            let metrics = VAEEpochMetrics(epoch: epoch, trainLoss: sumLoss / Double(batchesPerEpoch),
                                          trainReconstruction: sumRec / Double(batchesPerEpoch), trainKL: sumKL / Double(batchesPerEpoch),
                                          validation: validationFigures, imagesPerSecond: Double(opts.batchSize) / median,
                                          seconds: seconds)
            all.append(metrics)
            try run.appendMetrics([
                "epoch": epoch, "step": step, "train_loss": metrics.trainLoss, "train_reconstruction": metrics.trainReconstruction,
                "train_kl": metrics.trainKL, "val_neg_elbo": validationFigures.negElbo,
                "val_reconstruction": validationFigures.reconstruction, "val_kl": validationFigures.kl,
                "images_per_s": metrics.imagesPerSecond, "epoch_seconds": seconds,
            ])
            try saveCheckpoint()
            if !quiet {
                logLine(String(format: "epoch %d: train loss %.3f (recon %.3f, kl %.3f)  validation neg-ELBO %.3f  %.0f img/s  %.1f s",
                               epoch, metrics.trainLoss, metrics.trainReconstruction, metrics.trainKL,
                               validationFigures.negElbo, metrics.imagesPerSecond, seconds))
            }
            try onEpochEnd?(self, metrics)
        }
        return all
    }
}
