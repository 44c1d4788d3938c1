import Foundation

/// Hyper-parameters of image-classifier training (config.json "training" of CNN runs).
public struct ImageClassifierTrainingOptions: Codable, Equatable, Sendable {
    public var epochs = 20
    public var batchSize = 128
    /// Adam's initial learning rate.
    public var learningRate: Float = 1e-3
    /// `constant`, `cosine` (to lr/50 at the last epoch) or `step` (×0.3 every third of the epochs).
    public var schedule = "cosine"
    /// Stop after this many epochs without a better validation accuracy (0 = never stop early).
    public var patience = 5
    /// Fraction of the training images held out for validation (early stopping and model choice).
    public var validationFraction = 0.1
    /// Random whole-pixel shifts (±`maxShift` px), and horizontal flips when `flip` is set.
    public var augment = true
    public var flip = true
    /// Largest shift of the augmentation in pixels (0 = flips only); nil (configs written before it
    /// existed) means 2.
    public var maxShift: Int?
    /// At most this many steps per epoch (0 = full epochs); for tests and quick looks.
    public var maxStepsPerEpoch = 0
    public var seed: UInt64 = 0
    /// Decoupled weight decay λ (AdamW: θ ← θ·(1 − ηλ) before each Adam update); nil or 0 = plain
    /// Adam. Optional so that configs written before it existed still load.
    public var weightDecay: Float?
    /// Label smoothing ε of the training loss (targets (1−ε)·onehot + ε/K; PyTorch's `label_smoothing`);
    /// nil or 0 = plain cross-entropy. Validation and test losses are always plain cross-entropy.
    public var labelSmoothing: Float?
    /// The shared loop's flags (checkpoint cadence, clipping); nil in configs written before they
    /// existed. `schedule` and `patience` above are this trainer's own and take precedence.
    public var loop: TrainingLoopOptions?

    public init() {}

    public static let schedules = ["constant", "cosine", "step"]

    public func validate() throws {
        guard epochs >= 1 else { throw ModelError.invalidArgument("--epochs must be ≥ 1, got \(epochs)") }
        if let e = labelSmoothing, !(e >= 0 && e < 1) {
            throw ModelError.invalidArgument("--label-smoothing must be in [0, 1), got \(e)")
        }
        guard batchSize >= 1 else { throw ModelError.invalidArgument("--batch-size must be ≥ 1, got \(batchSize)") }
        guard learningRate > 0 && learningRate.isFinite else { throw ModelError.invalidArgument("--lr must be a positive number, got \(learningRate)") }
        guard Self.schedules.contains(schedule) else {
            throw ModelError.invalidArgument("--schedule must be one of \(Self.schedules.joined(separator: ", ")), got \(schedule)")
        }
        guard patience >= 0 else { throw ModelError.invalidArgument("--patience must be ≥ 0, got \(patience)") }
        guard validationFraction >= 0 && validationFraction < 1 else {
            throw ModelError.invalidArgument("--validation-fraction must be in [0, 1), got \(validationFraction)")
        }
        if let weightDecay, !(weightDecay >= 0 && weightDecay < 1) {
            throw ModelError.invalidArgument("--weight-decay must be in [0, 1), got \(weightDecay)")
        }
        if let maxShift, !(0...8).contains(maxShift) {
            throw ModelError.invalidArgument("--max-shift must be in 0...8 pixels, got \(maxShift)")
        }
        guard maxStepsPerEpoch >= 0 else { throw ModelError.invalidArgument("--max-steps must be ≥ 0, got \(maxStepsPerEpoch)") }
        try loop?.validate()
    }

    /// The shared loop's options with this trainer's schedule and patience.
    public var loopOptions: TrainingLoopOptions {
        var l = loop ?? .init()
        l.schedule = ScheduleKind(rawValue: schedule) ?? .constant
        l.patience = patience
        return l
    }

    public var learningRateSchedule: LearningRateSchedule {
        switch schedule {
        case "cosine": return CosineAnnealing(initial: learningRate, minimum: learningRate / 50, period: max(epochs - 1, 1))
        case "step": return StepDecay(initial: learningRate, stepSize: max(epochs / 3, 1), gamma: 0.3)
        default: return ConstantLearningRate(learningRate)
        }
    }

    /// The per-batch augmentation, or nil when off: each image shifted by a whole number of pixels
    /// in −maxShift…maxShift along each axis (zeros shifted in, no interpolation blur; none when
    /// `maxShift` is 0) and, with `flip`, mirrored left–right with probability ½.
    public var augmentation: ((Tensor, inout RandomGenerator) -> Tensor)? {
        guard augment else { return nil }
        let flip = self.flip, shift = maxShift ?? 2
        guard flip || shift > 0 else { return nil }
        return { x, g in
            let shifted = shift > 0 ? randomPixelShift(x, maxShift: shift, generator: &g) : x
            return flip ? Augmentation.randomHorizontalFlip(shifted, generator: &g) : shifted
        }
    }
}

/// Shifts every image of `x` `[N, C, H, W]` by its own random (dy, dx) in −maxShift…maxShift pixels,
/// filling the uncovered border with zeros.
public func randomPixelShift(_ x: Tensor, maxShift: Int, generator g: inout RandomGenerator) -> Tensor {
    require(x.rank == 4, "randomPixelShift: expected [N, C, H, W], got \(x.shape)")
    let n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3]
    var out = [Float](repeating: 0, count: x.count)
    x.storage.withUnsafeBufferPointer { src in out.withUnsafeMutableBufferPointer { dst in
        for i in 0..<n {
            let dy = g.nextInt(below: 2 * maxShift + 1) - maxShift, dx = g.nextInt(below: 2 * maxShift + 1) - maxShift
            for ch in 0..<c {
                let plane = (i * c + ch) * h * w
                for y in max(0, dy)..<min(h, h + dy) {
                    let from = plane + (y - dy) * w, to = plane + y * w
                    for xx in max(0, dx)..<min(w, w + dx) { dst[to + xx] = src[from + xx - dx] }
                }
            }
        }
    } }
    return Tensor(shape: x.shape, storage: out)
}

/// Figures of one training epoch (losses in nats per image).
public struct ClassifierEpochMetrics {
    public var epoch: Int
    public var trainLoss: Double
    public var trainAccuracy: Double
    public var validation: ClassifierEvaluation
    public var learningRate: Float
    public var imagesPerSecond: Double
    public var seconds: Double
}

/// The classifier's part of the shared loop: Adam (or AdamW) on softmax cross-entropy of one
/// ``DataLoader`` batch (augmented when asked); validation accuracy is the monitored value.
final class ImageClassifierTask: TrainingTask {
    let classifier: Layer
    let options: ImageClassifierTrainingOptions
    let optimizer: Optimizer
    let loader: DataLoader
    let validation: ImageDataset
    let classCount: Int
    let format: String
    var batches: EpochBatches?
    var iterator: BatchIterator?
    var correct = 0, seen = 0
    var lastValidation: ClassifierEvaluation?
    var committed: ((EpochRecord) throws -> Void)?

    init(classifier: Layer, options: ImageClassifierTrainingOptions, train: ImageDataset, validation: ImageDataset,
         classCount: Int, format: String) throws {
        self.classifier = classifier; self.options = options; self.validation = validation
        self.classCount = classCount; self.format = format
        let decay = options.weightDecay ?? 0
        optimizer = decay > 0 ? AdamW(parameters: classifier.parameters, learningRate: options.learningRate, weightDecay: decay)
                              : Adam(parameters: classifier.parameters, learningRate: options.learningRate)
        loader = try DataLoader(dataset: train, batchSize: options.batchSize, shuffle: true, dropLast: false, seed: options.seed,
                                encoding: .unitRange, prefetch: true, transform: options.augmentation)
    }

    var model: Layer { classifier }
    var checkpointFormat: String { format }
    var optimizers: [(prefix: String, optimizer: Optimizer)] { [("optimizer.", optimizer)] }
    var batchSize: Int { options.batchSize }
    var stepsPerEpoch: Int { loader.batchCount }
    var progressFigures: [String]? { ["loss", "accuracy"] }

    func beginEpoch(_ epoch: Int, rng: inout RandomGenerator) throws {
        batches = loader.batches(epoch: epoch)
        iterator = nil
    }

    func step(_ index: Int, epoch: Int, rng: inout RandomGenerator, context: StepContext) throws -> StepOutcome {
        if iterator == nil { iterator = batches!.makeIterator(from: index) }
        guard let batch = iterator!.next() else { throw ModelError.invalidArgument("the data loader ran out of batches at step \(index + 1)") }
        // Data-parallel: the loader draws the global batch (augmentation included); this rank keeps its rows.
        let shard = try context.shard(rows: batch.labels.count)
        let images = shard.rows(batch.images), labels = shard.pick(batch.labels)
        let logits = classifier(images)
        let loss = crossEntropy(logits: logits, labels: labels, labelSmoothing: options.labelSmoothing ?? 0)
        let value = try context.minimize(loss, with: optimizer)
        let right = zip(logits.argmaxLastAxis(), labels).filter { $0.0 == $0.1 }.count
        return StepOutcome(figures: [("loss", Double(value)), ("accuracy", Double(right) / Double(labels.count))],
                           examples: labels.count)
    }

    func endEpoch(_ epoch: Int, training: EpochTrainingFigures) throws -> EpochOutcome {
        iterator = nil
        let evaluation = ClassifierEvaluator.evaluate(on: validation, classCount: classCount) { classifier($0) }
        lastValidation = evaluation
        return EpochOutcome(figures: [("val_loss", evaluation.loss), ("val_accuracy", evaluation.accuracy)],
                            monitored: evaluation.accuracy)
    }

    func epochCommitted(_ record: EpochRecord) throws { try committed?(record) }
}

/// Trains an image classifier on the shared ``Trainer``: Adam on softmax cross-entropy, the
/// learning-rate schedule, optional augmentation, validation each epoch, early stopping on
/// validation accuracy, and the best epoch's weights as the run's `model.safetensors`.
public final class ImageClassifierTrainer {
    public let model: Layer
    public let options: ImageClassifierTrainingOptions
    public let run: RunFolder
    public var quiet = false
    public private(set) var history: [ClassifierEpochMetrics] = []
    public private(set) var bestEpoch = 0
    public private(set) var stoppedEarly = false
    public private(set) var trainingSeconds = 0.0
    /// Checkpoint metadata (the format name under "format").
    public var checkpointMetadata: [String: String] = [:]
    /// The run's config.json bytes (written into every checkpoint); the options alone when unset.
    public var configJSON: [UInt8]?
    /// A verified checkpoint to continue from (`--resume`).
    public var resumeFrom: CommittedCheckpoint?

    public init(model: Layer, options: ImageClassifierTrainingOptions, run: RunFolder) throws {
        try options.validate()
        self.model = model
        self.options = options
        self.run = run
    }

    /// Trains on `train`, validating on `validation`; on return the model holds the best epoch's weights.
    public func train(on train: ImageDataset, validation: ImageDataset, classCount: Int) throws {
        guard train.count >= 1 else { throw ModelError.invalidArgument("the training set is empty") }
        let task = try ImageClassifierTask(classifier: model, options: options, train: train, validation: validation,
                                           classCount: classCount, format: checkpointMetadata["format"] ?? "illusioncraft-classifier")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let loop = try Trainer(task: task, run: run, epochs: options.epochs, maxStepsPerEpoch: options.maxStepsPerEpoch,
                               loop: options.loopOptions, rng: RandomGenerator(seed: options.seed, stream: 0x636C_6173),
                               configJSON: try configJSON ?? ([UInt8](try encoder.encode(options)) + [10]),
                               monitorMode: .maximum, modelIsBest: true, defaultSchedule: .cosine)
        loop.quiet = quiet
        if let resumeFrom { try loop.restore(from: resumeFrom) }
        let started = Date()
        task.committed = { [unowned self] record in
            self.history.append(ClassifierEpochMetrics(epoch: record.epoch, trainLoss: record.training["loss"],
                                                       trainAccuracy: record.training["accuracy"], validation: task.lastValidation!,
                                                       learningRate: record.learningRates.first ?? 0,
                                                       imagesPerSecond: record.training.examplesPerSecond, seconds: record.training.seconds))
        }
        try loop.fit()
        trainingSeconds = Date().timeIntervalSince(started)
        bestEpoch = loop.progress.bestEpoch ?? 0
        stoppedEarly = loop.progress.stoppedEarly
        // The model ends holding the best epoch's weights, as model.safetensors does.
        if FileManager.default.fileExists(atPath: CheckpointStore(run: run).bestPath) {
            try Checkpoint.load(model, from: (CheckpointStore(run: run).bestPath as NSString).appendingPathComponent("model.safetensors"))
        }
        model.setTraining(false)
    }

    /// Loss and accuracy curves per epoch (training and validation) as two charts.
    public static func curves(_ history: [ClassifierEpochMetrics]) -> (loss: LineChart, accuracy: LineChart) {
        let loss = LineChart(title: "Cross-entropy per epoch", yLabel: "nats per image", series: [
            .init(name: "train", values: history.map(\.trainLoss)),
            .init(name: "validation", values: history.map(\.validation.loss)),
        ])
        let accuracy = LineChart(title: "Accuracy per epoch", yLabel: "accuracy (%)", series: [
            .init(name: "train", values: history.map { 100 * $0.trainAccuracy }),
            .init(name: "validation", values: history.map { 100 * $0.validation.accuracy }),
        ])
        return (loss, accuracy)
    }
}
