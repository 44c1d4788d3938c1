import XCTest
@testable import IllusionTensors

/// The worker pool behind ``ParallelLoops/perform(iterations:_:)``: every part runs exactly once,
/// job after job (the acknowledgement protocol), nested calls run serially, and calls from several
/// threads at once all complete.
final class SpinningWorkerPoolTests: XCTestCase {
    func testEveryPartRunsOnceJobAfterJob() {
        for parts in [2, 3, 7, 64] {
            for job in 0..<2_000 {
                let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: parts)
                counts.initialize(repeating: 0)
                defer { counts.deallocate() }
                ParallelLoops.perform(iterations: parts) { p in counts[p] += 1 + job }
                XCTAssertEqual(Array(counts), Array(repeating: 1 + job, count: parts), "parts \(parts), job \(job)")
                if Array(counts) != Array(repeating: 1 + job, count: parts) { return }
            }
        }
    }

    func testNestedCallsRunEveryInnerPart() {
        let outer = 4, inner = 5
        let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: outer * inner)
        counts.initialize(repeating: 0)
        defer { counts.deallocate() }
        ParallelLoops.perform(iterations: outer) { o in
            ParallelLoops.perform(iterations: inner) { i in counts[o * inner + i] += 1 }
        }
        XCTAssertEqual(Array(counts), Array(repeating: 1, count: outer * inner))
    }

    func testConcurrentCallersAllComplete() {
        let callers = 4, parts = 8, jobs = 300
        let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: callers * parts)
        counts.initialize(repeating: 0)
        defer { counts.deallocate() }
        DispatchQueue.concurrentPerform(iterations: callers) { c in
            for _ in 0..<jobs { ParallelLoops.perform(iterations: parts) { p in counts[c * parts + p] += 1 } }
        }
        XCTAssertEqual(Array(counts), Array(repeating: jobs, count: callers * parts))
    }
}
