import Foundation

/// The small training loop the generalization experiments share: mini-batch Adam (optionally with
/// coupled L2 weight decay, i.e. λ‖θ‖²/2 added to the loss) on softmax cross-entropy, with an
/// optional held-out set for early stopping (the parameters of the epoch with the lowest held-out
/// loss are restored at the end). Not on the shared ``Trainer``: the experiments train hundreds of
/// tiny in-memory models per command and keep no run folder (docs/training.md); the epoch itself is
/// ``crossEntropyEpoch(_:x:labels:optimizer:batchSize:rng:)``, shared with the MLP classifier.
public struct ExperimentTrainer {
    public var epochs: Int
    public var batchSize: Int
    public var learningRate: Float
    /// Coupled L2 penalty coefficient λ (Adam's `weightDecay`); 0 = none.
    public var weightDecay: Float = 0
    /// Stop when the held-out loss has not improved for this many epochs (nil: never stop early).
    public var patience: Int?
    public var seed: UInt64

    public init(epochs: Int, batchSize: Int, learningRate: Float, weightDecay: Float = 0, patience: Int? = nil, seed: UInt64) {
        self.epochs = epochs; self.batchSize = batchSize; self.learningRate = learningRate
        self.weightDecay = weightDecay; self.patience = patience; self.seed = seed
    }

    /// What one training run did.
    public struct Outcome: Sendable {
        /// Mean training loss of each epoch (nats).
        public var trainLoss: [Double]
        /// Held-out loss after each epoch (empty without a held-out set).
        public var heldOutLoss: [Double]
        /// The epoch (1-based) whose parameters the model ends with.
        public var chosenEpoch: Int
    }

    /// Trains `model` on rows of `x` (`[n, …]`) in place. With `heldOut`, tracks its loss each epoch and,
    /// when `patience` is set, stops early and restores the best epoch's parameters.
    @discardableResult
    public func train(_ model: Layer, x: Tensor, labels: [Int], heldOut: (x: Tensor, labels: [Int])? = nil) throws -> Outcome {
        let n = x.shape[0]
        guard n >= 1 else { throw ModelError.invalidArgument("no training samples") }
        let optimizer = Adam(parameters: model.parameters, learningRate: learningRate, weightDecay: weightDecay)
        var rng = RandomGenerator(seed: seed, stream: 0xE7)
        var outcome = Outcome(trainLoss: [], heldOutLoss: [], chosenEpoch: epochs)
        var best = Double.infinity, bestEpoch = 0
        var bestParameters: [[Float]] = []
        for epoch in 1...epochs {
            model.setTraining(true)
            let mean = crossEntropyEpoch(model, x: x, labels: labels, optimizer: optimizer, batchSize: batchSize, rng: &rng)
            guard mean.isFinite else { throw ModelError.trainingDiverged("experiment: training diverged at epoch \(epoch) (loss \(mean))") }
            outcome.trainLoss.append(mean)
            model.setTraining(false)
            if let heldOut {
                let loss = ExperimentTrainer.loss(model, x: heldOut.x, labels: heldOut.labels)
                outcome.heldOutLoss.append(loss)
                if loss < best {
                    best = loss; bestEpoch = epoch
                    if patience != nil { bestParameters = model.parameters.map(\.storage) }
                }
                if let patience, epoch - bestEpoch >= patience { break }
            }
        }
        if patience != nil, !bestParameters.isEmpty {
            for (p, values) in zip(model.parameters, bestParameters) { p.storage = values }
            outcome.chosenEpoch = bestEpoch
        } else {
            outcome.chosenEpoch = outcome.trainLoss.count
        }
        model.setTraining(false)
        return outcome
    }

    /// Mean cross-entropy (nats) of `model` in evaluation mode, in batches of 1000 rows.
    public static func loss(_ model: Layer, x: Tensor, labels: [Int]) -> Double {
        var sum = 0.0
        noGrad {
            var start = 0
            while start < labels.count {
                let end = min(labels.count, start + 1000)
                sum += Double(crossEntropy(logits: model(x.batch(start..<end)), labels: Array(labels[start..<end])).scalar) * Double(end - start)
                start = end
            }
        }
        return sum / Double(max(labels.count, 1))
    }

    /// Fraction of rows misclassified by `model` in evaluation mode, in batches of 1000 rows.
    public static func errorRate(_ model: Layer, x: Tensor, labels: [Int]) -> Double {
        var wrong = 0
        noGrad {
            var start = 0
            while start < labels.count {
                let end = min(labels.count, start + 1000)
                let predicted = model(x.batch(start..<end)).argmaxLastAxis()
                wrong += zip(predicted, labels[start..<end]).filter { $0.0 != $0.1 }.count
                start = end
            }
        }
        return Double(wrong) / Double(max(labels.count, 1))
    }
}

/// Mean and sample standard deviation.
public struct MeanAndDeviation: Codable, Equatable, Sendable {
    public var mean: Double
    public var standardDeviation: Double
    public init(_ values: [Double]) {
        let n = Double(max(values.count, 1))
        let m = values.reduce(0, +) / n
        mean = m
        standardDeviation = values.count > 1
            ? (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count - 1)).squareRoot() : 0
    }
    enum CodingKeys: String, CodingKey { case mean, standardDeviation = "sd" }
}
