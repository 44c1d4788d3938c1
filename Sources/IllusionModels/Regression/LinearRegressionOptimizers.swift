import Foundation

/// How a linear model (linear or logistic regression) is fitted.
public enum RegressionOptimizer: String, Codable, CaseIterable, Sendable {
    /// Full-batch gradient descent: one step per epoch on the gradient of the whole training set.
    case gd
    /// Mini-batch stochastic gradient descent (no momentum).
    case sgd
    /// Mini-batch Adam.
    case adam

    public var displayName: String {
        switch self {
        case .gd: return "full-batch GD"
        case .sgd: return "mini-batch SGD"
        case .adam: return "Adam"
        }
    }

    /// Step size used when `--lr` is not given (features are standardised, so these suit most data).
    public var defaultLearningRate: Float {
        switch self {
        case .gd: return 0.1
        case .sgd: return 0.02
        case .adam: return 0.005
        }
    }

    /// Parses a comma-separated list such as `gd,sgd,adam`.
    public static func parseList(_ text: String) throws -> [RegressionOptimizer] {
        let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !names.isEmpty else { throw ModelError.invalidArgument("--optimizers: give at least one of gd, sgd, adam") }
        return try names.map { name in
            guard let o = RegressionOptimizer(rawValue: name) else {
                throw ModelError.invalidArgument("--optimizers: unknown optimizer '\(name)' (expected gd, sgd or adam)")
            }
            return o
        }
    }
}

/// Hyper-parameters shared by `illusion train linear-regression` and `logistic-regression`.
public struct RegressionTrainingOptions: Codable, Equatable, Sendable {
    public var epochs = 200
    public var batchSize = 32
    /// One learning rate for every optimizer; nil uses each optimizer's default.
    public var learningRate: Float?
    public var optimizers: [RegressionOptimizer] = RegressionOptimizer.allCases
    public var testFraction = 0.2
    public var seed: UInt64 = 0

    public init() {}

    public func validate() throws {
        guard epochs >= 1 else { throw ModelError.invalidArgument("--epochs must be ≥ 1, got \(epochs)") }
        guard batchSize >= 1 else { throw ModelError.invalidArgument("--batch-size must be ≥ 1, got \(batchSize)") }
        if let lr = learningRate, !(lr > 0 && lr.isFinite) { throw ModelError.invalidArgument("--lr must be a positive number, got \(lr)") }
        guard !optimizers.isEmpty else { throw ModelError.invalidArgument("--optimizers: give at least one of gd, sgd, adam") }
        guard testFraction > 0 && testFraction < 1 else { throw ModelError.invalidArgument("--test-fraction must be in (0, 1), got \(testFraction)") }
    }

    public func learningRate(for optimizer: RegressionOptimizer) -> Float { learningRate ?? optimizer.defaultLearningRate }
}

/// A linear layer fitted by one optimizer, with its training loss after every epoch.
public struct LinearModelFit {
    public let optimizer: RegressionOptimizer
    /// Fitted in the standardised feature space: `[outputs, features]` weight, `[outputs]` bias.
    public let layer: Dense
    /// Mean training loss over the whole training set: entry 0 before training, entry e after epoch e.
    public let trainLoss: [Double]
}

/// Fits `y ≈ x·Wᵀ + b` from zero weights by minimising a loss with full-batch GD, mini-batch SGD or Adam.
enum LinearModelFitter {
    /// - Parameters:
    ///   - x: standardised features `[n, d]`.
    ///   - loss: the mean loss of predictions `[rows.count, outputs]` for training rows `rows`.
    static func fit(x: Tensor, outputs: Int, optimizer kind: RegressionOptimizer, options: RegressionTrainingOptions,
                    quiet: Bool, loss: (_ prediction: Tensor, _ rows: [Int]) -> Tensor) throws -> LinearModelFit {
        let n = x.shape[0], d = x.shape[1]
        var rng = RandomGenerator(seed: options.seed, stream: 0x11AE)
        let layer = Dense(d, outputs, weightInit: .zeros, rng: &rng)
        layer.bias!.storage = [Float](repeating: 0, count: outputs)
        let lr = options.learningRate(for: kind)
        let optimizer: Optimizer = kind == .adam ? Adam(parameters: layer.parameters, learningRate: lr)
                                                 : SGD(parameters: layer.parameters, learningRate: lr)
        let all = Array(0..<n)
        func fullLoss() -> Double { Double(noGrad { loss(layer(x), all) }.scalar) }
        var curve = [fullLoss()]
        let batch = kind == .gd ? n : min(options.batchSize, n)
        let progress = ProgressReporter(label: kind.displayName, total: options.epochs, interval: 5, quiet: quiet)
        for epoch in 0..<options.epochs {
            let order = kind == .gd ? all : rng.permutation(n)
            var start = 0
            while start < n {
                let rows = Array(order[start..<min(start + batch, n)])
                let xb = rows.count == n && kind == .gd ? x : x.gatherRows(rows)
                let l = loss(layer(xb), rows)
                optimizer.zeroGrad()
                l.backward()
                optimizer.step()
                start += batch
            }
            let value = fullLoss()
            guard value.isFinite else {
                throw ModelError.trainingDiverged("\(kind.displayName) diverged at epoch \(epoch + 1): the loss is \(value) (lower --lr, now \(lr))")
            }
            curve.append(value)
            progress.update(done: epoch + 1, images: (epoch + 1) * n, figures: [("loss", value)])
        }
        return LinearModelFit(optimizer: kind, layer: layer, trainLoss: curve)
    }

    /// One line chart with a loss curve per optimizer (log scale: the curves span decades).
    static func lossChart(_ fits: [LinearModelFit], title: String, yLabel: String) -> LineChart {
        LineChart(title: title, xLabel: "epoch (passes over the training set)", yLabel: yLabel,
                  series: fits.map { fit in
                      LineChart.Series(name: fit.optimizer.displayName, values: fit.trainLoss,
                                       xs: fit.trainLoss.indices.map(Double.init))
                  }, logarithmicY: true)
    }

    /// Writes `metrics.jsonl` in one go (one line per optimizer and epoch; appending line by line
    /// would rewrite the file once per line).
    static func writeMetrics(_ fits: [LinearModelFit], to folder: RunFolder) throws {
        var out: [UInt8] = []
        for fit in fits {
            for (epoch, loss) in fit.trainLoss.enumerated() {
                let line: [String: Any] = ["optimizer": fit.optimizer.rawValue, "epoch": epoch, "train_loss": loss]
                out += [UInt8](try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])) + [10]
            }
        }
        try writeFileAtomically(folder.metricsPath, bytes: out)
    }
}
