import Foundation

/// How many threads the numeric work of a process uses, as one explicit value: the threads of our
/// own parallel loops (convolution chunks, elementwise passes, attention heads) and the threads
/// OpenBLAS uses inside each `sgemm`.
///
/// Two set-ups are used: ``layers(_:)`` — our loops on n threads around a single-threaded OpenBLAS
/// (the default of `illusion`, and the transformer's training, whose GEMMs split their rows over our
/// threads: ``rowSplitSGEMM``; never two pools at once), and ``gemmBound(_:)`` — OpenBLAS on n
/// threads too, for the recurrent models and generation whose time is in GEMMs between small
/// elementwise passes (the tape runs one op at a time, so the pools still never overlap).
///
/// Scope: the context is process-wide, not per thread. OpenBLAS keeps one thread count for the
/// whole process (`openblas_set_num_threads`), so two contexts cannot be in force on two threads
/// at once; ``apply()`` is the one place that sets the counts (``ComputeThreads`` and
/// ``ParallelLoops`` only hold them), and ``run(_:)`` restores the previous context afterwards.
/// The counts change how work is split, never the arithmetic of the dense and elementwise
/// kernels, nor of the convolution engine (its chunks and reduction order do not depend on the
/// thread count: see its doc and ConvDeterminismTests).
public struct ComputeContext: Hashable, Sendable, CustomStringConvertible {
    /// Threads of our own parallel loops (≥ 1).
    public var threads: Int
    /// Threads OpenBLAS uses inside one `sgemm` (≥ 1; 1 lets our loops run in parallel).
    public var blasThreads: Int

    public init(threads: Int, blasThreads: Int = 1) {
        self.threads = max(1, threads)
        self.blasThreads = max(1, blasThreads)
    }

    /// Our loops on `n` threads, OpenBLAS single-threaded inside them.
    public static func layers(_ n: Int) -> ComputeContext { ComputeContext(threads: n, blasThreads: 1) }
    /// Our loops and OpenBLAS both on `n` threads (GEMM-bound models: RNNs, the transformer).
    public static func gemmBound(_ n: Int) -> ComputeContext { ComputeContext(threads: n, blasThreads: n) }

    /// The context in force (what the last ``apply()`` set).
    public static var current: ComputeContext {
        ComputeContext(threads: ComputeThreads.count, blasThreads: BLASThreads.current)
    }

    /// Sets OpenBLAS's thread count and our loops' for the whole process.
    public func apply() {
        BLASThreads.set(blasThreads)
        ComputeThreads.count = threads
        ParallelLoops.configure(threads)
        SpinningWorkerPool.shared.spins.store(blasThreads == 1, ordering: .relaxed)
    }

    /// Runs `body` under this context and restores the previous one afterwards.
    public func run<T>(_ body: () throws -> T) rethrows -> T {
        let previous = Self.current
        apply()
        defer { previous.apply() }
        return try body()
    }

    public var description: String { "\(threads) thread\(threads == 1 ? "" : "s") (OpenBLAS \(blasThreads))" }
}

/// How many threads the layers' own parallel loops use (convolution chunks, large GEMMs of dense
/// layers); they run only while OpenBLAS is single-threaded. Set through ``ComputeContext``.
public enum ComputeThreads {
    /// Threads of our own loops (default: every core); set through ``ComputeContext/apply()``.
    nonisolated(unsafe) public internal(set) static var count = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// OpenBLAS single-threaded and `n` threads of ours around it: ``ComputeContext/layers(_:)``.
    public static func configure(_ n: Int) { ComputeContext.layers(n).apply() }
}
