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
    /// Random whole-pixel shifts (±2 px), and horizontal flips when `flip` is set.
    public var augment = true
    public var flip = true
    /// At most this many steps per epoch (0 = full epochs); for tests and quick looks.
    public var maxStepsPerEpoch = 0
    public var seed: UInt64 = 0
    /// Decoupled weight decay λ (AdamW: θ ← θ·(1 − ηλ) before each Adam update); nil or 0 = plain
    /// Adam. Optional so that configs written before it existed still load.
    public var weightDecay: Float?
    /// Label smoothing ε of the training loss (targets (1−ε)·onehot + ε/K; PyTorch's `label_smoothing`);
    /// nil or 0 = plain cross-entropy. Validation and test losses are always plain cross-entropy.
    public var labelSmoothing: Float?

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
        guard maxStepsPerEpoch >= 0 else { throw ModelError.invalidArgument("--max-steps must be ≥ 0, got \(maxStepsPerEpoch)") }
    }

    public var learningRateSchedule: LearningRateSchedule {
        switch schedule {
        case "cosine": return CosineAnnealing(initial: learningRate, minimum: learningRate / 50, period: max(epochs - 1, 1))
        case "step": return StepDecay(initial: learningRate, stepSize: max(epochs / 3, 1), gamma: 0.3)
        default: return ConstantLearningRate(learningRate)
        }
    }

    /// The per-batch augmentation, or nil when off: each image shifted by a whole number of pixels
    /// in −2…2 along each axis (zeros shifted in, no interpolation blur) and, with `flip`, mirrored
    /// left–right with probability ½.
    public var augmentation: ((Tensor, inout RandomGenerator) -> Tensor)? {
        guard augment else { return nil }
        let flip = self.flip
        return { x, g in
            let shifted = randomPixelShift(x, maxShift: 2, generator: &g)
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

/// Trains an image classifier with Adam on softmax cross-entropy: learning-rate schedule, optional
/// augmentation, validation each epoch, early stopping on validation accuracy, and the best
/// model (by validation accuracy) kept in memory and in `model.safetensors`.
public final class ImageClassifierTrainer {
    public let model: Layer
    public let options: ImageClassifierTrainingOptions
    public let run: RunFolder
    public var quiet = false
    public private(set) var history: [ClassifierEpochMetrics] = []
    public private(set) var bestEpoch = 0
    public private(set) var stoppedEarly = false
    public private(set) var trainingSeconds = 0.0
    /// Checkpoint metadata (e.g. the format name).
    public var checkpointMetadata: [String: String] = [:]

    public init(model: Layer, options: ImageClassifierTrainingOptions, run: RunFolder) throws {
        try options.validate()
        self.model = model
        self.options = options
        self.run = run
    }

    /// Trains on `train`, validating on `validation`; on return the model holds the best epoch's weights.
    public func train(on train: ImageDataset, validation: ImageDataset, classCount: Int) throws {
        guard train.count >= 1 else { throw ModelError.invalidArgument("the training set is empty") }
        let opts = options
        let decay = opts.weightDecay ?? 0
        let optimizer = decay > 0 ? AdamW(parameters: model.parameters, learningRate: opts.learningRate, weightDecay: decay)
                                  : Adam(parameters: model.parameters, learningRate: opts.learningRate)
        let loader = try DataLoader(dataset: train, batchSize: opts.batchSize, shuffle: true, dropLast: false, seed: opts.seed,
                                    encoding: .unitRange, prefetch: true, transform: opts.augmentation)
        var stopping = EarlyStopping(patience: max(opts.patience, 1), mode: .max)
        var best: [[Float]] = []
        let schedule = opts.learningRateSchedule
        let started = Date()
        for epoch in 0..<opts.epochs {
            optimizer.applySchedule(schedule, epoch: epoch)
            model.setTraining(true)
            let batches = loader.batches(epoch: epoch)
            let steps = opts.maxStepsPerEpoch > 0 ? min(opts.maxStepsPerEpoch, batches.count) : batches.count
            let progress = ProgressReporter(label: "epoch \(epoch + 1)/\(opts.epochs)", total: steps, quiet: quiet)
            var lossSum = 0.0, correct = 0, seen = 0, stepTimes: [Double] = []
            let epochStart = Date()
            for batch in batches.prefix(steps) {
                let t0 = Date()
                let logits = model(batch.images)
                let loss = crossEntropy(logits: logits, labels: batch.labels, labelSmoothing: opts.labelSmoothing ?? 0)
                let value = loss.scalar
                guard value.isFinite else {
                    throw ModelError.trainingDiverged("training diverged at epoch \(epoch + 1): the loss is \(value) (lower --lr, now \(opts.learningRate))")
                }
                optimizer.zeroGrad()
                loss.backward()
                optimizer.step()
                lossSum += Double(value) * Double(batch.labels.count)
                correct += zip(logits.argmaxLastAxis(), batch.labels).filter { $0.0 == $0.1 }.count
                seen += batch.labels.count
                if batch.labels.count == opts.batchSize { stepTimes.append(Date().timeIntervalSince(t0)) }
                progress.update(done: seen / opts.batchSize, images: seen,
                                figures: [("loss", lossSum / Double(seen)), ("acc", Double(correct) / Double(seen))])
            }
            let seconds = Date().timeIntervalSince(epochStart)
            model.setTraining(false)
            let evaluation = ClassifierEvaluator.evaluate(on: validation, classCount: classCount) { model($0) }
            let steady = stepTimes.count > 1 ? Array(stepTimes.dropFirst()) : stepTimes
            let median = steady.isEmpty ? seconds : steady.sorted()[steady.count / 2]
            let metrics = ClassifierEpochMetrics(epoch: epoch + 1, trainLoss: lossSum / Double(max(seen, 1)),
                                                 trainAccuracy: Double(correct) / Double(max(seen, 1)), validation: evaluation,
                                                 learningRate: optimizer.learningRate,
                                                 imagesPerSecond: Double(steady.isEmpty ? seen : opts.batchSize) / max(median, 1e-9),
                                                 seconds: seconds)
            history.append(metrics)
            try run.appendMetrics(["epoch": epoch + 1, "train_loss": metrics.trainLoss, "train_accuracy": metrics.trainAccuracy,
                                   "val_loss": evaluation.loss, "val_accuracy": evaluation.accuracy,
                                   "learning_rate": Double(metrics.learningRate), "images_per_s": metrics.imagesPerSecond,
                                   "epoch_seconds": seconds])
            let improved = stopping.record(Float(evaluation.accuracy))
            if improved {
                bestEpoch = epoch + 1
                best = model.stateDict().map { $0.tensor.storage }
                try Checkpoint.save(model, to: run.modelPath, metadata: checkpointMetadata.merging(["epoch": "\(epoch + 1)"]) { $1 })
            }
            if !quiet {
                logLine(String(format: "epoch %d: train loss %.4f acc %.2f%%  validation loss %.4f acc %.2f%%%@  lr %.2g  %.0f img/s  %.1f s",
                               epoch + 1, metrics.trainLoss, 100 * metrics.trainAccuracy, evaluation.loss, 100 * evaluation.accuracy,
                               improved ? " (best)" : "", Double(metrics.learningRate), metrics.imagesPerSecond, seconds))
            }
            if opts.patience > 0 && stopping.shouldStop && epoch + 1 < opts.epochs {
                stoppedEarly = true
                if !quiet { logLine("early stopping: no better validation accuracy for \(opts.patience) epochs (best epoch \(bestEpoch))") }
                break
            }
        }
        trainingSeconds = Date().timeIntervalSince(started)
        for (entry, values) in zip(model.stateDict(), best) { entry.tensor.storage = values }
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
