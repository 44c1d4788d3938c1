import Foundation

/// Samples for linear or logistic regression, in Double so closed-form solutions are exact.
///
/// Layout: `features` is `[count, featureCount]` row-major; `targets` is `[count]` (a real value for
/// linear regression, a class value for logistic regression).
public struct RegressionData {
    public var features: [Double]
    public var targets: [Double]
    public let featureCount: Int
    public var featureNames: [String]
    public var targetName: String

    public init(features: [Double], targets: [Double], featureCount: Int, featureNames: [String]? = nil, targetName: String = "y") {
        require(featureCount > 0 && features.count == targets.count * featureCount,
                     "RegressionData: \(features.count) feature values for \(targets.count) samples × \(featureCount) features")
        self.features = features
        self.targets = targets
        self.featureCount = featureCount
        self.featureNames = featureNames ?? (1...featureCount).map { "x\($0)" }
        self.targetName = targetName
    }

    public var count: Int { targets.count }

    /// The samples at `indices`, in that order.
    public func subset(_ indices: [Int]) -> RegressionData {
        let d = featureCount
        var x = [Double](); x.reserveCapacity(indices.count * d)
        for i in indices { x.append(contentsOf: features[(i * d)..<((i + 1) * d)]) }
        return RegressionData(features: x, targets: indices.map { targets[$0] }, featureCount: d,
                              featureNames: featureNames, targetName: targetName)
    }

    /// A seeded random split; `testFraction` of the samples (at least one) go to `test`.
    public func split(testFraction: Double, seed: UInt64) throws -> (train: RegressionData, test: RegressionData) {
        guard testFraction > 0 && testFraction < 1 else {
            throw ModelError.invalidArgument("--test-fraction must be in (0, 1), got \(testFraction)")
        }
        var rng = RandomGenerator(seed: seed, stream: 0x5E1)
        let order = rng.permutation(count)
        let testCount = max(1, Int((Double(count) * testFraction).rounded()))
        guard testCount < count else {
            throw ModelError.invalidArgument("--test-fraction \(testFraction) leaves no training samples out of \(count)")
        }
        return (subset(Array(order[testCount...])), subset(Array(order[..<testCount])))
    }

    /// y = X·w + b + ε with X ~ N(0, 1), w and b drawn uniformly in [−3, 3], ε ~ N(0, noise²).
    public static func generatedLinear(count: Int, featureCount: Int, noise: Double, seed: UInt64)
        -> (data: RegressionData, weights: [Double], bias: Double) {
        var rng = RandomGenerator(seed: seed)
        let w = (0..<featureCount).map { _ in 6 * rng.nextDouble() - 3 }
        let b = 6 * rng.nextDouble() - 3
        var x = [Double](repeating: 0, count: count * featureCount), y = [Double](repeating: 0, count: count)
        for i in 0..<count {
            var s = b
            for j in 0..<featureCount {
                let v = Double(rng.nextNormal()); x[i * featureCount + j] = v; s += w[j] * v
            }
            y[i] = s + noise * Double(rng.nextNormal())
        }
        return (RegressionData(features: x, targets: y, featureCount: featureCount), w, b)
    }

    /// Binary labels y ~ Bernoulli(σ(X·w + b)) with X ~ N(0, 1), w and b uniform in [−3, 3].
    public static func generatedLogistic(count: Int, featureCount: Int, seed: UInt64)
        -> (data: RegressionData, weights: [Double], bias: Double) {
        var rng = RandomGenerator(seed: seed)
        let w = (0..<featureCount).map { _ in 6 * rng.nextDouble() - 3 }
        let b = 2 * rng.nextDouble() - 1
        var x = [Double](repeating: 0, count: count * featureCount), y = [Double](repeating: 0, count: count)
        for i in 0..<count {
            var s = b
            for j in 0..<featureCount {
                let v = Double(rng.nextNormal()); x[i * featureCount + j] = v; s += w[j] * v
            }
            y[i] = rng.nextDouble() < 1 / (1 + Foundation.exp(-s)) ? 1 : 0
        }
        return (RegressionData(features: x, targets: y, featureCount: featureCount), w, b)
    }
}

/// Per-feature standardisation z = (x − mean) / std, fitted on training data (std 1 for constant columns).
public struct FeatureScaling: Codable, Equatable, Sendable {
    public var mean: [Double]
    public var std: [Double]

    public init(fitting data: RegressionData) {
        let d = data.featureCount, n = Double(max(data.count, 1))
        var mean = [Double](repeating: 0, count: d), sq = [Double](repeating: 0, count: d)
        for i in 0..<data.count { for j in 0..<d { mean[j] += data.features[i * d + j] } }
        mean = mean.map { $0 / n }
        for i in 0..<data.count { for j in 0..<d { let e = data.features[i * d + j] - mean[j]; sq[j] += e * e } }
        self.mean = mean
        std = sq.map { let s = ($0 / n).squareRoot(); return s > 1e-12 ? s : 1 }
    }

    /// Standardised features as a Float tensor `[count, featureCount]`.
    public func standardized(_ data: RegressionData) -> Tensor {
        let d = data.featureCount
        var out = [Float](repeating: 0, count: data.features.count)
        for i in 0..<data.count { for j in 0..<d { out[i * d + j] = Float((data.features[i * d + j] - mean[j]) / std[j]) } }
        return Tensor(shape: [data.count, d], storage: out)
    }
}
