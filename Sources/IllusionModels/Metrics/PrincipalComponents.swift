import Foundation
import CBLAS

/// Principal component analysis in Float64: the eigenvectors of the sample covariance with the
/// largest eigenvalues (LAPACK `dsyevd` on the d×d covariance, which `dsyrk` accumulates), and
/// principal angles between subspaces from the singular values of Q₁ᵀQ₂ (`dgesdd`).
public struct PrincipalComponents {
    /// Column means `[d]`.
    public let mean: [Double]
    /// Components as rows `[k][d]`, orthonormal, ordered by decreasing variance (each one's sign is arbitrary).
    public let components: [[Double]]
    /// Variance along each component.
    public let variances: [Double]

    /// Fits the top `k` components of `data` (`n` rows of `d` values, row-major Float).
    public init(data: [Float], rows n: Int, columns d: Int, k: Int) {
        require(data.count == n * d && k >= 1 && k <= d, "PrincipalComponents: \(data.count) values for \(n)×\(d), k = \(k)")
        var mean = [Double](repeating: 0, count: d)
        for i in 0..<n { for j in 0..<d { mean[j] += Double(data[i * d + j]) } }
        for j in 0..<d { mean[j] /= Double(max(n, 1)) }
        // Covariance C = XcᵀXc/(n−1), accumulated over blocks of centred rows.
        var cov = [Double](repeating: 0, count: d * d)
        let block = 256
        var centred = [Double](repeating: 0, count: block * d)
        for start in stride(from: 0, to: n, by: block) {
            let rows = min(block, n - start)
            for i in 0..<rows { for j in 0..<d { centred[i * d + j] = Double(data[(start + i) * d + j]) - mean[j] } }
            cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, Int32(d), Int32(rows), 1, centred, Int32(d), 1, &cov, Int32(d))
        }
        let scale = 1 / Double(max(n - 1, 1))
        for a in 0..<d { for b in a..<d { cov[a * d + b] *= scale; cov[b * d + a] = cov[a * d + b] } }
        let (values, vectors) = symmetricEigen(cov, d)
        self.mean = mean
        self.components = (0..<k).map { c in (0..<d).map { vectors[$0 * d + c] } }
        self.variances = Array(values.prefix(k))
    }

    /// Projects rows of `data` (`[n, d]`) onto the components → `[n, k]`.
    public func project(_ data: [Float], rows n: Int) -> [Double] {
        let d = mean.count, k = components.count
        var out = [Double](repeating: 0, count: n * k)
        for i in 0..<n {
            for c in 0..<k {
                var s = 0.0
                for j in 0..<d { s += (Double(data[i * d + j]) - mean[j]) * components[c][j] }
                out[i * k + c] = s
            }
        }
        return out
    }

    /// Modified Gram–Schmidt on a list of vectors.
    public static func orthonormalized(_ vectors: [[Double]]) -> [[Double]] {
        var out: [[Double]] = []
        for var v in vectors {
            for u in out { let p = zip(u, v).reduce(0) { $0 + $1.0 * $1.1 }; for j in 0..<v.count { v[j] -= p * u[j] } }
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            out.append(norm > 1e-300 ? v.map { $0 / norm } : v)
        }
        return out
    }

    /// Principal angles (radians, ascending) between span(a) and span(b), each a list of vectors:
    /// θᵢ = arccos σᵢ(Q_aᵀ Q_b).
    public static func principalAngles(_ a: [[Double]], _ b: [[Double]]) -> [Double] {
        let qa = orthonormalized(a), qb = orthonormalized(b)
        let k = min(qa.count, qb.count)
        var m = [Double](repeating: 0, count: qa.count * qb.count)
        for i in 0..<qa.count { for j in 0..<qb.count { m[i * qb.count + j] = zip(qa[i], qb[j]).reduce(0) { $0 + $1.0 * $1.1 } } }
        let sigma = LinearAlgebra.singularValues(m, rows: qa.count, columns: qb.count)
        return sigma.prefix(k).map { acos(min(1, max(0, $0))) }
    }
}
