import CMicroKernels

/// Which register-blocked micro-kernel of `CMicroKernels` a ``PackedMatrix`` uses. Chosen at run
/// time from the CPU (`__builtin_cpu_supports`), never by a compiler flag of the build.
public enum PackedKernel: Int32, CaseIterable, Sendable {
    /// Plain C loops, any CPU (panels 16 columns wide).
    case portable = 0
    /// AVX2 + FMA, blocks of 6 rows × 16 columns.
    case avx2 = 1
    /// AVX-512F, blocks of 8 rows × 32 columns.
    case avx512 = 2

    /// The fastest kernel this CPU runs.
    public static let best = PackedKernel(rawValue: ic_best_kernel()) ?? .portable
    /// Every kernel this CPU runs (the portable one first).
    public static var available: [PackedKernel] { allCases.filter { $0.rawValue <= best.rawValue } }
}

/// A matrix B `[k, n]` packed once into the column panels of our own micro-kernels, for a product
/// repeated many times with the same B — a recurrent layer's per-step `h·W_hhᵀ` (and `dG·W_hh`
/// backward), which OpenBLAS would re-pack on every call (as costly as the arithmetic at
/// `[32, 256]·[256, 1024]`).
///
/// Layout (see `PackedGEMM.h`): panels of ``width`` columns, each `k·width` contiguous floats, the
/// last one padded with zeros; 64-byte aligned. Every output element is the sum over p = 0 … k−1 in
/// order, added to C once: a row's result does not depend on how many rows are multiplied with it.
/// Immutable after packing, so threads may share it. ``referenceGEMM`` is the slow check.
public final class PackedMatrix: @unchecked Sendable {
    public let k: Int, n: Int
    public let kernel: PackedKernel
    private let panels: UnsafeMutablePointer<Float>

    /// Packs B whose element (p, j) is `b[p·strideK + j·strideN]`: B = Wᵀ for a row-major W `[n, k]`
    /// is `strideK: 1, strideN: k`; a row-major B `[k, n]` is `strideK: n, strideN: 1`.
    public init(k: Int, n: Int, b: UnsafePointer<Float>, strideK: Int, strideN: Int, kernel: PackedKernel = .best) {
        require(k >= 0 && n >= 0, "PackedMatrix: negative size [\(k), \(n)]")
        self.k = k; self.n = n; self.kernel = kernel
        let count = Swift.max(1, ic_packed_count(kernel.rawValue, Int32(k), Int32(n)))
        panels = UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Float>.stride, alignment: 64)
            .bindMemory(to: Float.self, capacity: count)
        ic_pack(kernel.rawValue, Int32(k), Int32(n), b, strideK, strideN, panels)
    }

    deinit { panels.deallocate() }

    /// Columns per panel.
    public var width: Int { Int(ic_panel_width(kernel.rawValue)) }

    /// `C[m, n] = A[m, k]·B`, or `C += A·B` with `accumulate`; A and C row-major with row strides
    /// `lda` and `ldc`. Single-threaded (callers split rows between their threads).
    public func multiply(m: Int, a: UnsafePointer<Float>, lda: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
                         accumulate: Bool) {
        require(m >= 0 && lda >= k && ldc >= n, "PackedMatrix.multiply: m \(m), lda \(lda), ldc \(ldc) for [\(k), \(n)]")
        ic_gemm_packed(kernel.rawValue, Int32(m), Int32(n), Int32(k), a, lda, UnsafePointer(panels), c, ldc, accumulate ? 1 : 0)
    }
}
