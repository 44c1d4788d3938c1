import CMicroKernels
import Dispatch
import Foundation
import Synchronization

/// Our own worker threads for the parallel parts of a step (``ParallelLoops/perform(_:_:)``).
///
/// Why not `DispatchQueue.concurrentPerform`: its workers sleep as soon as a job ends, and on a
/// virtual machine whose idle vCPU halts, waking one costs tens to hundreds of µs — a training step
/// of a few hundred short parallel passes then waits more than it computes (the transformer at 2
/// threads: 3,854 chars/s with sleeping workers against 11,202 with the vCPUs kept awake, 2026-12-02).
/// These workers spin for ``spinMicroseconds`` after each job before they sleep (as OpenMP's do),
/// so the next pass finds them awake. The caller runs parts too; parts are claimed in any order,
/// but each part's work depends only on its index, so results do not depend on the threads.
/// A call made while the pool is busy (a nested or a concurrent one) runs its parts serially.
/// Every worker acknowledges every job before ``perform(parts:threads:_:)`` returns, so between
/// jobs all workers only read `generation`, and the job's fields are written by the caller alone.
final class SpinningWorkerPool: @unchecked Sendable {
    /// How long an idle worker keeps polling for the next job before it sleeps.
    static let spinMicroseconds: UInt64 = 300

    static let shared = SpinningWorkerPool()

    /// False while OpenBLAS runs threads of its own (``ComputeContext/gemmBound(_:)``): then jobs go
    /// to `DispatchQueue.concurrentPerform` and idle workers sleep at once instead of spinning on the
    /// cores OpenBLAS needs. Set by ``ComputeContext/apply()``.
    let spins = Atomic<Bool>(true)

    private let busy = Atomic<Bool>(false)
    private let generation = Atomic<Int>(0)
    private let nextPart = Atomic<Int>(0)
    private let finished = Atomic<Int>(0)
    /// Workers that have seen the current job (and, if active, finished their parts).
    private let acknowledged = Atomic<Int>(0)
    /// Workers (beyond the caller) allowed to take parts of the current job.
    private let activeWorkers = Atomic<Int>(0)
    private var job: ((Int) -> Void)? = nil
    private var parts = 0
    private var workers = 0
    private let sleep = NSCondition()
    private var sleepers = 0

    /// Runs `body(p)` for p in 0..<parts on the caller and up to `threads − 1` workers.
    func perform(parts: Int, threads: Int, _ body: (Int) -> Void) {
        guard parts > 1, threads > 1 else {
            for p in 0..<parts { body(p) }
            return
        }
        // Beside OpenBLAS's own threads, no spinning: GCD's workers, which nobody waits for.
        guard spins.load(ordering: .relaxed) else { DispatchQueue.concurrentPerform(iterations: parts, execute: body); return }
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            for p in 0..<parts { body(p) }
            return
        }
        defer { busy.store(false, ordering: .releasing) }
        ensureWorkers(threads - 1)
        withoutActuallyEscaping(body) { body in
            job = body
            self.parts = parts
            nextPart.store(0, ordering: .relaxed)
            finished.store(0, ordering: .relaxed)
            acknowledged.store(0, ordering: .relaxed)
            activeWorkers.store(min(threads - 1, parts - 1), ordering: .relaxed)
            generation.add(1, ordering: .releasing)
            sleep.lock()
            if sleepers > 0 { sleep.broadcast() }
            sleep.unlock()
            runParts(body, parts: parts)
            while finished.load(ordering: .acquiring) < parts || acknowledged.load(ordering: .acquiring) < workers { ic_cpu_relax() }
            job = nil
        }
    }

    /// Claims and runs parts until none is left.
    private func runParts(_ body: (Int) -> Void, parts: Int) {
        while true {
            let p = nextPart.add(1, ordering: .relaxed).oldValue
            guard p < parts else { return }
            body(p)
            finished.add(1, ordering: .releasing)
        }
    }

    private func ensureWorkers(_ n: Int) {
        while workers < n {
            let index = workers, current = generation.load(ordering: .acquiring)
            let thread = Thread { [self] in workerLoop(index, seen: current) }
            thread.stackSize = 8 << 20
            thread.start()
            workers += 1
        }
    }

    private func workerLoop(_ index: Int, seen start: Int) {
        var seen = start
        while true {
            // wait for a new job: spin, then sleep
            var polls = 0
            let spinStart = DispatchTime.now().uptimeNanoseconds
            while generation.load(ordering: .acquiring) == seen {
                polls += 1
                ic_cpu_relax()
                if polls & 63 == 0, !spins.load(ordering: .relaxed)
                    || DispatchTime.now().uptimeNanoseconds - spinStart > Self.spinMicroseconds * 1000 {
                    sleep.lock()
                    sleepers += 1
                    while generation.load(ordering: .acquiring) == seen { sleep.wait() }
                    sleepers -= 1
                    sleep.unlock()
                }
            }
            seen += 1   // the caller starts no job before every worker acknowledged the last one
            if index < activeWorkers.load(ordering: .relaxed), let body = job { runParts(body, parts: parts) }
            acknowledged.add(1, ordering: .releasing)
        }
    }
}
