import CBLAS

/// Dense linear algebra in Float64 through the LAPACK that OpenBLAS ships (`dsyevd`, `dgesdd`,
/// `dgelsd`; prototypes in Sources/CBLAS/shim.h) and its BLAS (`dgemm`, `dsyrk`). Matrices are
/// row-major `[Double]` here and transposed (or, when symmetric, passed as they are) for LAPACK's
/// column-major convention. A routine that fails to converge (in practice: NaN or ±∞ input)
/// returns NaNs rather than trapping, so callers see the bad value in their result.
public enum LinearAlgebra {
    /// Eigenvalues (descending) and eigenvectors of a symmetric `[n, n]` matrix; `vectors` is
    /// `[n, n]` row-major with eigenvector j in column j (as the hand-written Jacobi reference).
    /// Only the upper triangle is read.
    public static func symmetricEigen(_ matrix: [Double], _ n: Int) -> (values: [Double], vectors: [Double]) {
        require(matrix.count == n * n, "symmetricEigen: \(matrix.count) values for \(n)×\(n)")
        guard n > 0 else { return ([], []) }
        // Row-major upper triangle = column-major lower triangle: ask for 'L'.
        var a = matrix, w = [Double](repeating: 0, count: n)
        var nn = Int32(n), lda = Int32(n), info: Int32 = 0, lwork: Int32 = -1, liwork: Int32 = -1
        var workSize = 0.0, iworkSize: Int32 = 0
        dsyevd_("V", "L", &nn, &a, &lda, &w, &workSize, &lwork, &iworkSize, &liwork, &info, 1, 1)
        lwork = Int32(workSize); liwork = iworkSize
        var work = [Double](repeating: 0, count: Int(lwork)), iwork = [Int32](repeating: 0, count: Int(liwork))
        dsyevd_("V", "L", &nn, &a, &lda, &w, &work, &lwork, &iwork, &liwork, &info, 1, 1)
        guard info == 0 else { return ([Double](repeating: .nan, count: n), [Double](repeating: .nan, count: n * n)) }
        // a is column-major: a[j·n + i] = component i of eigenvector j (ascending). Reverse to descending.
        var vectors = [Double](repeating: 0, count: n * n)
        for newColumn in 0..<n {
            let old = n - 1 - newColumn
            for i in 0..<n { vectors[i * n + newColumn] = a[old * n + i] }
        }
        return (w.reversed(), vectors)
    }

    /// Singular values (descending) of an `[m, n]` row-major matrix.
    public static func singularValues(_ matrix: [Double], rows m: Int, columns n: Int) -> [Double] {
        require(matrix.count == m * n, "singularValues: \(matrix.count) values for \(m)×\(n)")
        guard m > 0 && n > 0 else { return [] }
        // The row-major m×n matrix is the column-major n×m matrix Aᵀ, with the same singular values.
        var a = matrix, s = [Double](repeating: 0, count: min(m, n))
        var rows = Int32(n), columns = Int32(m), lda = Int32(n), ldu: Int32 = 1, ldvt: Int32 = 1, info: Int32 = 0, lwork: Int32 = -1
        var u = 0.0, vt = 0.0, workSize = 0.0
        var iwork = [Int32](repeating: 0, count: 8 * min(m, n))
        dgesdd_("N", &rows, &columns, &a, &lda, &s, &u, &ldu, &vt, &ldvt, &workSize, &lwork, &iwork, &info, 1)
        lwork = Int32(workSize)
        var work = [Double](repeating: 0, count: Int(lwork))
        dgesdd_("N", &rows, &columns, &a, &lda, &s, &u, &ldu, &vt, &ldvt, &work, &lwork, &iwork, &info, 1)
        return info == 0 ? s : [Double](repeating: .nan, count: min(m, n))
    }

    /// The minimum-norm x `[n]` minimising ‖A·x − b‖ for A `[m, n]` row-major, through the SVD
    /// (`dgelsd`): no normal equations, so the condition number is not squared. `rank` counts the
    /// singular values above `rcond`·σ_max (below: treated as zero, i.e. collinear columns).
    public static func leastSquares(_ matrix: [Double], rows m: Int, columns n: Int, _ b: [Double],
                                    rcond: Double = 1e-12) -> (solution: [Double], rank: Int, singularValues: [Double]) {
        require(matrix.count == m * n && b.count == m, "leastSquares: A has \(matrix.count) values for \(m)×\(n), b has \(b.count)")
        guard m > 0 && n > 0 else { return ([Double](repeating: 0, count: n), 0, []) }
        var a = transposed(matrix, rows: m, columns: n)   // column-major m×n
        var rhs = b + [Double](repeating: 0, count: max(0, n - m))
        var mm = Int32(m), nn = Int32(n), nrhs: Int32 = 1, lda = Int32(m), ldb = Int32(max(m, n))
        var s = [Double](repeating: 0, count: min(m, n)), rc = rcond, rank: Int32 = 0, info: Int32 = 0, lwork: Int32 = -1
        var workSize = 0.0, iworkSize: Int32 = 0
        dgelsd_(&mm, &nn, &nrhs, &a, &lda, &rhs, &ldb, &s, &rc, &rank, &workSize, &lwork, &iworkSize, &info)
        lwork = Int32(workSize)
        var work = [Double](repeating: 0, count: Int(lwork)), iwork = [Int32](repeating: 0, count: max(1, Int(iworkSize)))
        dgelsd_(&mm, &nn, &nrhs, &a, &lda, &rhs, &ldb, &s, &rc, &rank, &work, &lwork, &iwork, &info)
        guard info == 0 else { return ([Double](repeating: .nan, count: n), 0, s) }
        return (Array(rhs[0..<n]), Int(rank), s)
    }

    /// A·B for row-major `[m, k]` and `[k, n]` (`dgemm`).
    public static func multiply(_ a: [Double], _ b: [Double], m: Int, k: Int, n: Int) -> [Double] {
        require(a.count == m * k && b.count == k * n, "multiply: \(a.count) and \(b.count) values for [\(m), \(k)]·[\(k), \(n)]")
        var c = [Double](repeating: 0, count: m * n)
        guard m > 0 && n > 0 && k > 0 else { return c }
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1, a, Int32(k), b, Int32(n), 0, &c, Int32(n))
        return c
    }

    /// XᵀX for row-major X `[n, d]` (`dsyrk`, both triangles filled) → `[d, d]`.
    public static func gram(_ x: [Double], rows n: Int, columns d: Int) -> [Double] {
        require(x.count == n * d, "gram: \(x.count) values for \(n)×\(d)")
        var c = [Double](repeating: 0, count: d * d)
        guard n > 0 && d > 0 else { return c }
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, Int32(d), Int32(n), 1, x, Int32(d), 0, &c, Int32(d))
        for i in 0..<d { for j in 0..<i { c[i * d + j] = c[j * d + i] } }
        return c
    }

    static func transposed(_ a: [Double], rows m: Int, columns n: Int) -> [Double] {
        var t = [Double](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n { t[j * m + i] = a[i * n + j] } }
        return t
    }
}
