import CBLAS

/// Single-precision GEMM `C = alpha·op(A)·op(B) + beta·C` on row-major buffers through OpenBLAS.
///
/// Shapes: op(A) is `[m, k]`, op(B) is `[k, n]`, C is `[m, n]`. `lda/ldb/ldc` are the row strides
/// of the stored (untransposed) matrices.
@inlinable
public func sgemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                  alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                  b: UnsafePointer<Float>, ldb: Int,
                  beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
    if m == 0 || n == 0 { return }
    if k == 0 {
        // BLAS leaves C scaled by beta; make that explicit for the empty inner dimension.
        for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
        return
    }
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}

/// The slow, obviously-correct triple loop that ``sgemm`` is tested against (same contract).
public func referenceGEMM(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                          alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                          b: UnsafePointer<Float>, ldb: Int,
                          beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
    for i in 0..<m {
        for j in 0..<n {
            var acc: Double = 0
            for p in 0..<k {
                let av = transA ? a[p * lda + i] : a[i * lda + p]
                let bv = transB ? b[j * ldb + p] : b[p * ldb + j]
                acc += Double(av) * Double(bv)
            }
            let old = beta == 0 ? 0 : Double(beta) * Double(c[i * ldc + j])
            c[i * ldc + j] = Float(Double(alpha) * acc + old)
        }
    }
}

/// Controls OpenBLAS's own thread pool. Call with 1 when the caller parallelises around GEMM.
public enum BLASThreads {
    /// Sets OpenBLAS's thread count (at least 1) for every later `sgemm` of the process.
    public static func set(_ n: Int) { openblas_set_num_threads(Int32(max(1, n))) }
    /// OpenBLAS's current thread count.
    public static var current: Int { Int(openblas_get_num_threads()) }
}
