import Foundation

/// ``sgemm`` (same contract) with the rows of C split into contiguous parts, one single-threaded
/// OpenBLAS call per part on ``ParallelLoops/threads`` threads — the GEMMs of ``ComputeContext/layers(_:)``
/// (OpenBLAS on one thread, our loops on n), where a plain call would use one core. Under a threaded
/// OpenBLAS (``ComputeContext/gemmBound(_:)``), on one thread, or below `minimumWork` FLOPs per part
/// it is one plain ``sgemm``.
///
/// Part p covers rows `i₀ ..< i₁` of C (boundaries fixed by m and the part count, multiples of
/// ``RowSplit/rowAlignment`` — OpenBLAS's row unroll — except the end): op(A)'s rows are at `a + i₀·lda` (or the columns
/// `a + i₀` with `transA`), C's at `c + i₀·ldc`, B is shared. Each element of C is still one
/// OpenBLAS dot product over the whole k, so the split does not change the sums' order
/// (`RowSplitGEMMTests` checks the bits against the unsplit call at 1, 2 and 3 threads).
public func rowSplitSGEMM(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                          alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                          b: UnsafePointer<Float>, ldb: Int,
                          beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
    let parts = RowSplit.parts(m: m, n: n, k: k)
    if parts <= 1 {
        sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
              beta: beta, c: c, ldc: ldc)
        return
    }
    ParallelLoops.perform(iterations: parts) { p in
        let rows = RowSplit.bounds(part: p, of: parts, rows: m)
        if rows.isEmpty { return }
        let i0 = rows.lowerBound
        sgemm(transA: transA, transB: transB, m: rows.count, n: n, k: k, alpha: alpha,
              a: transA ? a + i0 : a + i0 * lda, lda: lda, b: b, ldb: ldb, beta: beta, c: c + i0 * ldc, ldc: ldc)
    }
}

/// How ``rowSplitSGEMM`` splits rows.
public enum RowSplit {
    /// Part boundaries are multiples of this many rows: a multiple of OpenBLAS's SGEMM row unroll
    /// on the CPUs measured — 16 (AVX-512 kernels, AMD Zen 5) and 12 (OpenBLAS 0.3.21 on AMD Zen 3,
    /// AVX2) — since a row's bits depend on where it falls in that unroll (a call split at row 112
    /// differed from the whole call on Zen 3; splits at multiples of 12 did not).
    public static let rowAlignment = 48
    /// Below this many FLOPs per part a GEMM is not split (handing a part to a worker costs a few µs).
    public static let minimumWork = 1 << 21

    /// How many parts an `[m, k]·[k, n]` product splits into under the context in force (1 = one
    /// plain call): at most ``ParallelLoops/threads``, none while OpenBLAS itself is threaded.
    public static func parts(m: Int, n: Int, k: Int) -> Int {
        if ParallelLoops.threads <= 1 || BLASThreads.current > 1 { return 1 }
        return Swift.max(1, Swift.min(ParallelLoops.threads, m / rowAlignment, 2 * m * n * k / minimumWork))
    }

    /// Rows of part `p` of `parts` over `rows` rows.
    public static func bounds(part p: Int, of parts: Int, rows m: Int) -> Range<Int> {
        func start(_ q: Int) -> Int { q >= parts ? m : (q * m / parts) / rowAlignment * rowAlignment }
        return start(p) ..< start(p + 1)
    }
}
