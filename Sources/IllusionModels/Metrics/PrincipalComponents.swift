import Foundation

/// Principal component analysis in Float64, written out: the top-k eigenvectors of the sample
/// covariance by orthogonal (subspace) iteration, and principal angles between subspaces via
/// the singular values of Q₁ᵀQ₂ (computed with a symmetric Jacobi eigensolver).
public struct PrincipalComponents {
    /// Column means `[d]`.
    public let mean: [Double]
    /// Components as rows `[k][d]`, orthonormal, ordered by decreasing variance.
    public let components: [[Double]]
    /// Variance along each component.
    public let variances: [Double]

    /// Fits the top `k` components of `data` (`n` rows of `d` values, row-major Float).
    public init(data: [Float], rows n: Int, columns d: Int, k: Int, iterations: Int = 200, seed: UInt64 = 0) {
        require(data.count == n * d && k >= 1 && k <= d, "PrincipalComponents: \(data.count) values for \(n)×\(d), k = \(k)")
        var mean = [Double](repeating: 0, count: d)
        for i in 0..<n { for j in 0..<d { mean[j] += Double(data[i * d + j]) } }
        for j in 0..<d { mean[j] /= Double(max(n, 1)) }
        // Covariance C = XcᵀXc/(n−1) as a dense d×d matrix.
        var centred = [Double](repeating: 0, count: n * d)
        for i in 0..<n { for j in 0..<d { centred[i * d + j] = Double(data[i * d + j]) - mean[j] } }
        var cov = [Double](repeating: 0, count: d * d)
        for i in 0..<n {
            let row = i * d
            for a in 0..<d {
                let xa = centred[row + a]
                if xa == 0 { continue }
                for b in a..<d { cov[a * d + b] += xa * centred[row + b] }
            }
        }
        let scale = 1 / Double(max(n - 1, 1))
        for a in 0..<d { for b in a..<d { cov[a * d + b] *= scale; cov[b * d + a] = cov[a * d + b] } }
        // Orthogonal iteration: Q ← orth(C·Q).
        var rng = RandomGenerator(seed: seed)
        var q = (0..<k).map { _ in (0..<d).map { _ in Double(rng.nextNormal()) } }
        q = PrincipalComponents.orthonormalized(q)
        for _ in 0..<iterations {
            q = PrincipalComponents.orthonormalized(q.map { PrincipalComponents.multiply(cov, d, $0) })
        }
        // Rayleigh–Ritz: rotate within the subspace so components are sorted eigenvectors.
        let cq = q.map { PrincipalComponents.multiply(cov, d, $0) }
        var small = [Double](repeating: 0, count: k * k)
        for a in 0..<k { for b in 0..<k { small[a * k + b] = zip(q[a], cq[b]).reduce(0) { $0 + $1.0 * $1.1 } } }
        let (values, vectors) = symmetricEigen(small, k)
        var comps: [[Double]] = []
        for c in 0..<k {
            var v = [Double](repeating: 0, count: d)
            for a in 0..<k { let w = vectors[a * k + c]; for j in 0..<d { v[j] += w * q[a][j] } }
            comps.append(v)
        }
        self.mean = mean
        self.components = comps
        self.variances = values
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

    static func multiply(_ m: [Double], _ d: Int, _ v: [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: d)
        m.withUnsafeBufferPointer { m in
            for a in 0..<d { var s = 0.0; for b in 0..<d { s += m[a * d + b] * v[b] }; out[a] = s }
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
        // singular values² = eigenvalues of MᵀM (qb.count × qb.count)
        let c = qb.count
        var mtm = [Double](repeating: 0, count: c * c)
        for x in 0..<c { for y in 0..<c { var s = 0.0; for i in 0..<qa.count { s += m[i * c + x] * m[i * c + y] }; mtm[x * c + y] = s } }
        let (values, _) = symmetricEigen(mtm, c)
        return values.prefix(k).map { acos(min(1, max(0, $0).squareRoot())) }
    }
}
