import Foundation

/// Three regularisers, each against the same overfitting model: an MLP with two ReLU hidden layers
/// of `width` units trained for `epochs` full-batch Adam epochs on `samples` noisy two-moons points
/// (a network with far more parameters than points, trained long enough to fit the noise).
///
/// - baseline: no regularisation;
/// - L2 weight decay: λ‖θ‖²/2 added to the loss (Adam's coupled `weightDecay` = λ);
/// - dropout: Dropout(p) after each hidden ReLU;
/// - early stopping: a quarter of the training points held out; training stops `patience` epochs
///   after the held-out loss last improved and keeps that epoch's parameters.
///
/// Each is trained from `seeds` seeds (initialisation and training set), and tested on 2 000 fresh
/// points; test cross-entropy and error rate as mean ± s.d. over the seeds.
public struct RegularisationExperiment: Sendable {
    public var samples = 60
    public var noise = 0.35
    public var width = 256
    public var epochs = 1000
    public var weightDecay: Float = 0.01
    public var dropout: Float = 0.5
    public var patience = 100
    public var seeds = 5
    public var seed: UInt64 = 0

    public init() {}

    public func validate() throws {
        guard samples >= 4 else { throw ModelError.invalidArgument("--samples must be ≥ 4 (a quarter is held out for early stopping), got \(samples)") }
        guard width >= 1, epochs >= 1 else { throw ModelError.invalidArgument("--width and --epochs must be ≥ 1") }
        guard weightDecay > 0, weightDecay.isFinite else { throw ModelError.invalidArgument("--weight-decay must be > 0, got \(weightDecay)") }
        guard dropout > 0, dropout < 1 else { throw ModelError.invalidArgument("--dropout must be in (0, 1), got \(dropout)") }
        guard patience >= 1 else { throw ModelError.invalidArgument("--patience must be ≥ 1, got \(patience)") }
        guard seeds >= 1 else { throw ModelError.invalidArgument("--seeds must be ≥ 1, got \(seeds)") }
        guard noise >= 0, noise.isFinite else { throw ModelError.invalidArgument("--noise must be ≥ 0, got \(noise)") }
    }

    public enum Method: String, Codable, CaseIterable, Sendable {
        case baseline, weightDecay = "weight_decay", dropout, earlyStopping = "early_stopping"
    }

    public struct Row: Codable, Sendable {
        public var method: Method
        public var testLoss: MeanAndDeviation
        public var testError: MeanAndDeviation
        public var trainError: MeanAndDeviation
        /// Per seed, for the record.
        public var testLosses: [Double]
        public var testErrors: [Double]
        /// Epochs actually used (early stopping: the epoch kept), per seed.
        public var epochsUsed: [Int]
    }

    public struct Result: Codable, Sendable {
        public var rows: [Row]
        public var parameters: Int
        public var samples: Int
    }

    /// The MLP, with Dropout(p) after each hidden ReLU when `dropout` is given.
    func model(dropout: Float?, rng: inout RandomGenerator) -> Sequential {
        var layers: [Layer] = []
        var size = 2
        for _ in 0..<2 {
            layers.append(Dense(size, width, weightInit: .heUniform(), rng: &rng))
            layers.append(ReLU())
            if let dropout { layers.append(Dropout(p: dropout, rng: &rng)) }
            size = width
        }
        layers.append(Dense(size, 2, weightInit: .glorotUniform(), rng: &rng))
        return Sequential(layers)
    }

    public func run(progress: (String) -> Void = { _ in }) throws -> Result {
        try validate()
        var rows: [Row] = []
        var parameters = 0
        for method in Method.allCases {
            var losses: [Double] = [], errors: [Double] = [], trainErrors: [Double] = [], used: [Int] = []
            for s in 0..<seeds {
                let runSeed = seed &+ UInt64(s) &* 7919
                let train = ToyDatasets.moons(count: samples, noise: noise, seed: runSeed &+ 1)
                let test = ToyDatasets.moons(count: 2000, noise: noise, seed: runSeed &+ 2)
                var rng = RandomGenerator(seed: runSeed &+ 3)
                let net = model(dropout: method == .dropout ? dropout : nil, rng: &rng)
                parameters = net.parameterCounts.trainable
                var trainer = ExperimentTrainer(epochs: epochs, batchSize: samples, learningRate: 0.01, seed: runSeed)
                var x = train.points, labels = train.labels
                var heldOut: (x: Tensor, labels: [Int])?
                switch method {
                case .baseline, .dropout: break
                case .weightDecay: trainer.weightDecay = weightDecay
                case .earlyStopping:
                    let cut = samples - samples / 4
                    heldOut = (train.points.gatherRows(Array(cut..<samples)), Array(train.labels[cut...]))
                    x = train.points.gatherRows(Array(0..<cut)); labels = Array(train.labels[..<cut])
                    trainer.patience = patience
                }
                let outcome = try trainer.train(net, x: x, labels: labels, heldOut: heldOut)
                losses.append(ExperimentTrainer.loss(net, x: test.points, labels: test.labels))
                errors.append(ExperimentTrainer.errorRate(net, x: test.points, labels: test.labels))
                trainErrors.append(ExperimentTrainer.errorRate(net, x: x, labels: labels))
                used.append(outcome.chosenEpoch)
            }
            let row = Row(method: method, testLoss: MeanAndDeviation(losses), testError: MeanAndDeviation(errors),
                          trainError: MeanAndDeviation(trainErrors), testLosses: losses, testErrors: errors, epochsUsed: used)
            progress(String(format: "%@: test loss %.3f ± %.3f, test error %.3f ± %.3f", method.rawValue,
                            row.testLoss.mean, row.testLoss.standardDeviation, row.testError.mean, row.testError.standardDeviation))
            rows.append(row)
        }
        return Result(rows: rows, parameters: parameters, samples: samples)
    }
}
