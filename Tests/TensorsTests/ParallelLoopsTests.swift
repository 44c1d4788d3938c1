import XCTest
@testable import IllusionTensors

/// The parallel passes must give exactly the serial loop's values, whatever the thread count.
final class ParallelLoopsTests: XCTestCase {
    override func tearDown() { ParallelLoops.configure(1) }

    func testPartsCoverEveryIndexOnceInOrder() {
        for threads in [1, 2, 3, 8] {
            ParallelLoops.configure(threads)
            for count in [0, 1, 7, 1 << 15, (1 << 17) + 5] {
                var hits = [Int](repeating: 0, count: count)
                hits.withUnsafeMutableBufferPointer { h in
                    let p = h.baseAddress
                    ParallelLoops.forEachPart(count) { r in for i in r { p![i] += 1 } }
                }
                XCTAssertEqual(hits, [Int](repeating: 1, count: count), "threads \(threads), count \(count)")
            }
        }
    }

    func testSmallWorkStaysSerialLargeWorkSplits() {
        ParallelLoops.configure(2)
        var parts = 0
        let lock = NSLock()
        ParallelLoops.forEachPart(100) { _ in lock.lock(); parts += 1; lock.unlock() }
        XCTAssertEqual(parts, 1)
        parts = 0
        ParallelLoops.forEachPart(1 << 20) { _ in lock.lock(); parts += 1; lock.unlock() }
        XCTAssertEqual(parts, 2)
        parts = 0
        ParallelLoops.forEachPart(64, cost: 1 << 16) { _ in lock.lock(); parts += 1; lock.unlock() }
        XCTAssertEqual(parts, 2, "cost per index counts")
    }

    func testActivationsAndGradientsMatchSerialBitForBit() {
        var rng = RandomGenerator(seed: 5)
        let values = (0..<300_001).map { _ in rng.nextNormal() }
        func run() -> ([Float], [Float]) {
            let x = Tensor(shape: [values.count], storage: values, requiresGrad: true)
            let y = (x.leakyReLU(slope: 0.2) * x).tanh()
            y.sum().backward()
            return (y.storage, x.grad!)
        }
        ParallelLoops.configure(1)
        let serial = run()
        ParallelLoops.configure(3)
        let parallel = run()
        XCTAssertEqual(serial.0, parallel.0)
        XCTAssertEqual(serial.1, parallel.1)
    }

    func testHeapTuningIsAcceptedByGlibc() {
        XCTAssertTrue(HeapTuning.keepFreedMemoryForReuse())
    }
}
