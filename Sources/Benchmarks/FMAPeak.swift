import CMicroKernels
import Dispatch
import Foundation

/// The machine's fp32 FMA peak, measured in this process: `threads` threads each running twelve
/// independent FMA chains in the widest vector unit the CPU has (`ic_fma_probe`, chosen at run time).
/// It is the denominator of every "share of peak" figure `make bench` prints.
enum FMAPeak {
    /// GFLOP/s summed over `threads` threads (best of three rounds of ≈ `seconds` each).
    static func gigaflops(threads: Int, seconds: Double = 0.25) -> Double {
        let kernel = ic_best_kernel()
        var chains = [Float](repeating: 0, count: 12)
        // calibrate the iteration count on one thread
        var iterations = 200_000
        let t0 = ProcessStatistics.now
        _ = ic_fma_probe(kernel, iterations, &chains)
        let dt = max(ProcessStatistics.now - t0, 1e-6)
        iterations = max(10_000, Int(Double(iterations) * seconds / dt))
        var best = 0.0
        for _ in 0..<3 {
            let flops = Flops(count: threads)
            let start = ProcessStatistics.now
            DispatchQueue.concurrentPerform(iterations: threads) { t in
                var own = [Float](repeating: 0, count: 12)
                flops.set(t, ic_fma_probe(kernel, iterations, &own))
            }
            let elapsed = ProcessStatistics.now - start
            best = max(best, flops.total / elapsed / 1e9)
        }
        return best
    }

    /// Per-thread flop counts written from concurrent threads (one slot each).
    private final class Flops: @unchecked Sendable {
        private let values: UnsafeMutableBufferPointer<Double>
        init(count: Int) { values = .allocate(capacity: count); values.initialize(repeating: 0) }
        deinit { values.deallocate() }
        func set(_ i: Int, _ v: Double) { values[i] = v }
        var total: Double { values.reduce(0, +) }
    }
}
