import Foundation

/// Threads of our own for the memory-bound passes over whole tensors (activations, their
/// gradients, BatchNorm, optimizer updates, gradient accumulation). Off (1 thread) until a program
/// calls ``configure(_:)`` — ``ComputeContext/apply()`` does, the one place that sets this count
/// together with OpenBLAS's.
///
/// Parts are contiguous and fixed by (count, threads), and the bodies used with it are
/// elementwise or per channel, so results are bit-identical to the serial loop.
public enum ParallelLoops {
    /// How many parts the loops split into (1 = serial), set by ``configure(_:)``.
    nonisolated(unsafe) public private(set) static var threads = 1

    /// Uses `n` threads (at least 1) from now on; call once at start-up, before any loop runs.
    public static func configure(_ n: Int) { threads = max(1, n) }

    /// Below this many elements per thread a pass runs serially (handing parts to the workers costs a few µs).
    public static let minimumPerThread = 1 << 15

    /// Runs `body` over contiguous parts of `0..<count` (about `minimumPerThread` elements of work
    /// or more each), on up to ``threads`` threads; `cost` scales the work per index (e.g. the
    /// spatial size when indices are channels).
    @inline(__always)
    public static func forEachPart(_ count: Int, cost: Int = 1, _ body: (Range<Int>) -> Void) {
        let parts = Swift.min(threads, count, Swift.max(1, count * cost / minimumPerThread))
        if parts <= 1 {
            if count > 0 { body(0..<count) }
            return
        }
        perform(iterations: parts) { p in
            body(p * count / parts ..< (p + 1) * count / parts)
        }
    }

    /// Runs `body(p)` for p in `0..<iterations` on this thread and up to `iterations − 1` of our
    /// spinning workers (at most one per core), like `DispatchQueue.concurrentPerform` but with
    /// workers that stay awake between the passes of a step (``SpinningWorkerPool``). Each `p` must
    /// do its own work only; nested calls run serially.
    public static func perform(iterations: Int, _ body: (Int) -> Void) {
        SpinningWorkerPool.shared.perform(parts: iterations, threads: Swift.min(iterations, cores), body)
    }

    private static let cores = Swift.max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// `out[i] = f(x[i])` over `count` elements, in parallel parts.
    @inline(__always)
    public static func map(_ x: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, count: Int,
                           _ f: (Float) -> Float) {
        forEachPart(count) { r in for i in r { out[i] = f(x[i]) } }
    }

    /// `out[i] = f(a[i], b[i])` over `count` elements, in parallel parts.
    @inline(__always)
    public static func zip(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>,
                           count: Int, _ f: (Float, Float) -> Float) {
        forEachPart(count) { r in for i in r { out[i] = f(a[i], b[i]) } }
    }
}
