import Foundation

/// Eigen-decomposition of a symmetric n×n matrix through LAPACK (`dsyevd`, see
/// ``LinearAlgebra/symmetricEigen(_:_:)``). Returns eigenvalues in descending order and
/// eigenvectors as the columns of an n×n row-major matrix.
public func symmetricEigen(_ matrix: [Double], _ n: Int) -> (values: [Double], vectors: [Double]) {
    LinearAlgebra.symmetricEigen(matrix, n)
}

/// The hand-written reference: cyclic Jacobi rotations, same contract as ``symmetricEigen(_:_:)``.
/// Kept only so the tests can check LAPACK's answers against an independent solver.
func jacobiSymmetricEigen(_ matrix: [Double], _ n: Int) -> (values: [Double], vectors: [Double]) {
    var a = matrix
    var v = [Double](repeating: 0, count: n * n)
    for i in 0..<n { v[i * n + i] = 1 }
    for _ in 0..<100 {
        var off = 0.0
        for p in 0..<n { for q in (p + 1)..<max(n, p + 1) { off += a[p * n + q] * a[p * n + q] } }
        if off < 1e-30 { break }
        for p in 0..<n {
            for q in (p + 1)..<max(n, p + 1) where abs(a[p * n + q]) > 1e-300 {
                let theta = (a[q * n + q] - a[p * n + p]) / (2 * a[p * n + q])
                let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                let c = 1 / (t * t + 1).squareRoot(), s = t * c
                for k in 0..<n {
                    let akp = a[k * n + p], akq = a[k * n + q]
                    a[k * n + p] = c * akp - s * akq; a[k * n + q] = s * akp + c * akq
                }
                for k in 0..<n {
                    let apk = a[p * n + k], aqk = a[q * n + k]
                    a[p * n + k] = c * apk - s * aqk; a[q * n + k] = s * apk + c * aqk
                }
                for k in 0..<n {
                    let vkp = v[k * n + p], vkq = v[k * n + q]
                    v[k * n + p] = c * vkp - s * vkq; v[k * n + q] = s * vkp + c * vkq
                }
            }
        }
    }
    let order = (0..<n).sorted { a[$0 * n + $0] > a[$1 * n + $1] }
    var vectors = [Double](repeating: 0, count: n * n)
    for (newCol, oldCol) in order.enumerated() { for r in 0..<n { vectors[r * n + newCol] = v[r * n + oldCol] } }
    return (order.map { a[$0 * n + $0] }, vectors)
}
