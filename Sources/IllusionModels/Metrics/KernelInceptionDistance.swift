import Foundation

/// The kernel form of the Fréchet distance's question (Bińkowski et al. 2018, "KID"): the squared
/// maximum mean discrepancy between real and generated features under the cubic polynomial kernel
///
///     k(x, y) = (x·y / d + 1)³          (d = feature dimension)
///
/// estimated without bias on each of `subsets` random subsets of `subsetSize` rows per side (drawn
/// without replacement within a subset), then averaged:
///
///     MMD²ᵤ = 1/(m(m−1)) Σ_{i≠j} k(xᵢ, xⱼ) + 1/(m(m−1)) Σ_{i≠j} k(yᵢ, yⱼ) − 2/m² Σ_{i,j} k(xᵢ, yⱼ)
///
/// Unlike FD it has an unbiased estimator (its expectation does not depend on the sample size), and
/// it can be slightly negative for two samples of one distribution. Named "KID-FMNIST" where the
/// features are our Fashion-MNIST judge CNN's, not Inception's.
public struct KernelDistance: Codable, Equatable, Sendable {
    public var mean: Double
    /// Standard deviation over the subsets (0 with one subset).
    public var standardDeviation: Double
    public var subsets: Int
    public var subsetSize: Int

    public static let defaultSubsets = 100
    public static let defaultSubsetSize = 1000

    public init(mean: Double, standardDeviation: Double, subsets: Int, subsetSize: Int) {
        self.mean = mean; self.standardDeviation = standardDeviation; self.subsets = subsets; self.subsetSize = subsetSize
    }

    /// KID of `real` against `fake` rows; the subset size is capped at the smaller sample. With one
    /// subset as large as both samples, the rows are used in their order (no randomness).
    public static func compute(real: FeatureRows, fake: FeatureRows, subsets: Int = defaultSubsets,
                               subsetSize: Int = defaultSubsetSize, seed: UInt64 = 0) throws -> KernelDistance {
        guard real.columns == fake.columns else { throw ModelError.invalidArgument("KID: real features have \(real.columns) columns, fake \(fake.columns)") }
        guard subsets >= 1 else { throw ModelError.invalidArgument("KID: subsets must be ≥ 1, got \(subsets)") }
        let m = min(subsetSize, real.count, fake.count)
        guard m >= 2 else { throw ModelError.invalidArgument("KID needs at least 2 samples per side, got \(min(real.count, fake.count))") }
        var g = RandomGenerator(seed: seed, stream: 0x41D)
        var values: [Double] = []
        for _ in 0..<subsets {
            let useAll = subsets == 1 && m == real.count && m == fake.count
            let x = useAll ? Array(0..<m) : Array(g.permutation(real.count).prefix(m))
            let y = useAll ? Array(0..<m) : Array(g.permutation(fake.count).prefix(m))
            values.append(unbiasedMMD2(real, x, fake, y))
        }
        let mean = values.reduce(0, +) / Double(values.count)
        let sd = values.count > 1 ? (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)).squareRoot() : 0
        return KernelDistance(mean: mean, standardDeviation: sd, subsets: subsets, subsetSize: m)
    }

    /// The cubic polynomial kernel's Gram matrix between chosen rows (Double, from a Float GEMM).
    static func gram(_ a: FeatureRows, _ ia: [Int], _ b: FeatureRows, _ ib: [Int]) -> [Double] {
        let d = a.columns
        let ta = Tensor(shape: [ia.count, d], storage: ia.flatMap { a.values[($0 * d)..<(($0 + 1) * d)] })
        let tb = Tensor(shape: [ib.count, d], storage: ib.flatMap { b.values[($0 * d)..<(($0 + 1) * d)] })
        return noGrad { ta.matmul(tb.transposed()) }.storage.map { let v = Double($0) / Double(d) + 1; return v * v * v }
    }

    static func unbiasedMMD2(_ real: FeatureRows, _ x: [Int], _ fake: FeatureRows, _ y: [Int]) -> Double {
        let m = Double(x.count)
        func offDiagonalSum(_ k: [Double], _ n: Int) -> Double {
            var s = 0.0
            for i in 0..<n { for j in 0..<n where i != j { s += k[i * n + j] } }
            return s
        }
        let kxx = gram(real, x, real, x), kyy = gram(fake, y, fake, y), kxy = gram(real, x, fake, y)
        return (offDiagonalSum(kxx, x.count) + offDiagonalSum(kyy, y.count)) / (m * (m - 1)) - 2 * kxy.reduce(0, +) / (m * m)
    }
}
