import Foundation

/// Hyper-parameters for training a classifier on feature vectors (toy 2-D points, latent codes).
public struct PointClassifierTrainingOptions: Codable, Equatable, Sendable {
    public var epochs = 300
    public var batchSize = 64
    public var learningRate: Float = 0.01
    public var seed: UInt64 = 0

    public init(epochs: Int = 300, batchSize: Int = 64, learningRate: Float = 0.01, seed: UInt64 = 0) {
        self.epochs = epochs; self.batchSize = batchSize; self.learningRate = learningRate; self.seed = seed
    }

    public func validate() throws {
        guard epochs >= 1 else { throw ModelError.invalidArgument("--epochs must be ≥ 1, got \(epochs)") }
        guard batchSize >= 1 else { throw ModelError.invalidArgument("--batch-size must be ≥ 1, got \(batchSize)") }
        guard learningRate > 0 && learningRate.isFinite else { throw ModelError.invalidArgument("--lr must be a positive number, got \(learningRate)") }
    }
}

/// Mini-batch Adam on softmax cross-entropy for any layer mapping `[n, d]` features to `[n, K]` logits.
public enum PointClassifierTrainer {
    /// Trains `model` in place; returns the mean training loss of every epoch (nats).
    @discardableResult
    public static func train(_ model: Layer, features x: Tensor, labels: [Int], options: PointClassifierTrainingOptions,
                             label: String = "train", quiet: Bool = true) throws -> [Double] {
        let n = x.shape[0]
        guard n >= 1 else { throw ModelError.invalidArgument("no training samples") }
        model.setTraining(true)
        defer { model.setTraining(false) }
        let optimizer = Adam(parameters: model.parameters, learningRate: options.learningRate)
        var rng = RandomGenerator(seed: options.seed, stream: 0x9017)
        let progress = ProgressReporter(label: label, total: options.epochs, interval: 10, quiet: quiet)
        var curve: [Double] = []
        for epoch in 0..<options.epochs {
            let mean = crossEntropyEpoch(model, x: x, labels: labels, optimizer: optimizer, batchSize: options.batchSize, rng: &rng)
            guard mean.isFinite else {
                throw ModelError.trainingDiverged("\(label): training diverged at epoch \(epoch + 1) (loss \(mean)); lower --lr (now \(options.learningRate))")
            }
            curve.append(mean)
            progress.update(done: epoch + 1, images: (epoch + 1) * n, figures: [("loss", mean)])
        }
        return curve
    }

    /// Fraction of rows whose arg-max logit is the label.
    public static func accuracy(_ model: Layer, features x: Tensor, labels: [Int]) -> Double {
        let predicted = noGrad { model(x) }.argmaxLastAxis()
        return Double(zip(predicted, labels).filter { $0.0 == $0.1 }.count) / Double(max(labels.count, 1))
    }
}
