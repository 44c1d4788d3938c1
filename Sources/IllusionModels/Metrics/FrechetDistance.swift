import Foundation

/// Mean and covariance of a set of feature vectors, in Float64.
public struct GaussianStatistics {
    public let dimension: Int
    public let count: Int
    /// `[d]`
    public let mean: [Double]
    /// `[d, d]` row-major, unbiased (divides by n − 1, as `numpy.cov`).
    public let covariance: [Double]

    public init(mean: [Double], covariance: [Double]) {
        require(covariance.count == mean.count * mean.count, "GaussianStatistics: covariance must be d×d for d = \(mean.count)")
        self.dimension = mean.count; self.count = 0; self.mean = mean; self.covariance = covariance
    }

    /// Statistics of `n` rows of `d` features (row-major).
    public init(features: [Float], rows n: Int, columns d: Int) {
        require(features.count == n * d && n >= 2, "GaussianStatistics: need ≥ 2 rows of \(d) features, got \(features.count) values for \(n) rows")
        var mean = [Double](repeating: 0, count: d)
        for i in 0..<n { for j in 0..<d { mean[j] += Double(features[i * d + j]) } }
        for j in 0..<d { mean[j] /= Double(n) }
        var cov = [Double](repeating: 0, count: d * d)
        var row = [Double](repeating: 0, count: d)
        for i in 0..<n {
            for j in 0..<d { row[j] = Double(features[i * d + j]) - mean[j] }
            for a in 0..<d where row[a] != 0 {
                let ra = row[a]
                for b in a..<d { cov[a * d + b] += ra * row[b] }
            }
        }
        for a in 0..<d { for b in a..<d { cov[a * d + b] /= Double(n - 1); cov[b * d + a] = cov[a * d + b] } }
        self.dimension = d; self.count = n; self.mean = mean; self.covariance = cov
    }
}

/// The Fréchet (2-Wasserstein) distance between two Gaussians, the quantity behind FID:
///
///     d² = ‖μ₁ − μ₂‖² + Tr Σ₁ + Tr Σ₂ − 2 Tr (Σ₁^½ Σ₂ Σ₁^½)^½
///
/// Tr (Σ₁Σ₂)^½ is computed as Tr (Σ₁^½ Σ₂ Σ₁^½)^½ — the same eigenvalues, but a symmetric
/// positive-semidefinite matrix, so both square roots come from symmetric eigen-decompositions
/// (Jacobi, ``symmetricEigen(_:_:)``) with tiny negative eigenvalues from round-off clipped to 0.
/// The value is the squared distance (as FID reports it).
public enum FrechetDistance {
    public static func distance(_ a: GaussianStatistics, _ b: GaussianStatistics) -> Double {
        require(a.dimension == b.dimension, "FrechetDistance: dimensions \(a.dimension) and \(b.dimension) differ")
        let d = a.dimension
        var meanTerm = 0.0
        for j in 0..<d { let v = a.mean[j] - b.mean[j]; meanTerm += v * v }
        var traces = 0.0
        for j in 0..<d { traces += a.covariance[j * d + j] + b.covariance[j * d + j] }
        let rootA = symmetricSquareRoot(a.covariance, d)
        let middle = multiply(multiply(rootA, b.covariance, d), rootA, d)
        let symmetric = (0..<(d * d)).map { 0.5 * (middle[$0] + middle[($0 % d) * d + $0 / d]) }
        let crossTrace = symmetricEigen(symmetric, d).values.reduce(0) { $0 + max($1, 0).squareRoot() }
        return max(0, meanTerm + traces - 2 * crossTrace)
    }

    /// Fréchet distance between two feature sets (`[n, d]` row-major each).
    public static func distance(features a: [Float], rows na: Int, _ b: [Float], rows nb: Int, columns d: Int) -> Double {
        distance(GaussianStatistics(features: a, rows: na, columns: d), GaussianStatistics(features: b, rows: nb, columns: d))
    }

    /// S^½ = V diag(√max(λ, 0)) Vᵀ for a symmetric positive-semidefinite `[n, n]` matrix S = V diag(λ) Vᵀ.
    public static func symmetricSquareRoot(_ s: [Double], _ n: Int) -> [Double] {
        let (values, vectors) = symmetricEigen(s, n)
        let roots = values.map { max($0, 0).squareRoot() }
        var out = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in i..<n {
                var sum = 0.0
                for k in 0..<n { sum += vectors[i * n + k] * roots[k] * vectors[j * n + k] }
                out[i * n + j] = sum; out[j * n + i] = sum
            }
        }
        return out
    }

    /// `[n, n]` · `[n, n]`, row-major.
    static func multiply(_ a: [Double], _ b: [Double], _ n: Int) -> [Double] {
        var out = [Double](repeating: 0, count: n * n)
        a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { b in out.withUnsafeMutableBufferPointer { o in
            for i in 0..<n {
                for k in 0..<n {
                    let v = a[i * n + k]
                    if v == 0 { continue }
                    for j in 0..<n { o[i * n + j] += v * b[k * n + j] }
                }
            }
        } } }
        return out
    }
}
