import Foundation
import CBLAS

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
        // Σ (x − μ)(x − μ)ᵀ accumulated over blocks of centred rows with dsyrk (upper triangle).
        var cov = [Double](repeating: 0, count: d * d)
        let block = 256
        var centred = [Double](repeating: 0, count: block * d)
        for start in stride(from: 0, to: n, by: block) {
            let rows = min(block, n - start)
            for i in 0..<rows { for j in 0..<d { centred[i * d + j] = Double(features[(start + i) * d + j]) - mean[j] } }
            cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, Int32(d), Int32(rows), 1, centred, Int32(d), 1, &cov, Int32(d))
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
/// (LAPACK `dsyevd`, ``symmetricEigen(_:_:)``) with tiny negative eigenvalues from round-off clipped
/// to 0; the products are `dgemm`, the covariances `dsyrk`.
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
        let middle = LinearAlgebra.multiply(LinearAlgebra.multiply(rootA, b.covariance, m: d, k: d, n: d), rootA, m: d, k: d, n: d)
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
        // V·diag(√λ) then (V·diag(√λ))·Vᵀ.
        var scaled = vectors
        for i in 0..<n { for k in 0..<n { scaled[i * n + k] *= max(values[k], 0).squareRoot() } }
        var out = [Double](repeating: 0, count: n * n)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(n), Int32(n), Int32(n), 1, scaled, Int32(n), vectors, Int32(n), 0, &out, Int32(n))
        for i in 0..<n { for j in (i + 1)..<max(n, i + 1) { let v = 0.5 * (out[i * n + j] + out[j * n + i]); out[i * n + j] = v; out[j * n + i] = v } }
        return out
    }
}
