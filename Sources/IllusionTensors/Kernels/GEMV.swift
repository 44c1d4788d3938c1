import CBLAS

/// Single-precision matrix–vector product `y = alpha·op(A)·x + beta·y` on a row-major `[rows, cols]`
/// matrix through OpenBLAS. Convolutions with one output channel use it: their GEMM has m = 1,
/// a shape for which OpenBLAS's SGEMM is several times slower than SGEMV.
@inlinable
public func sgemv(transA: Bool = false, rows: Int, cols: Int, alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                  x: UnsafePointer<Float>, beta: Float = 0, y: UnsafeMutablePointer<Float>) {
    if rows == 0 || cols == 0 { return }
    cblas_sgemv(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, Int32(rows), Int32(cols), alpha, a, Int32(lda),
                x, 1, beta, y, 1)
}

/// The slow reference ``sgemv`` is tested against.
public func referenceGEMV(transA: Bool = false, rows: Int, cols: Int, a: [Float], x: [Float]) -> [Float] {
    let outCount = transA ? cols : rows, inner = transA ? rows : cols
    return (0..<outCount).map { i in
        var s: Double = 0
        for j in 0..<inner { s += Double(transA ? a[j * cols + i] : a[i * cols + j]) * Double(x[j]) }
        return Float(s)
    }
}
