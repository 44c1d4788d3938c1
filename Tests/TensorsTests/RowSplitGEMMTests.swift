import XCTest
@testable import IllusionTensors

/// ``rowSplitSGEMM`` (rows of C split over our threads, OpenBLAS single-threaded) against one
/// plain ``sgemm`` call and the triple-loop ``referenceGEMM``.
final class RowSplitGEMMTests: XCTestCase {
    var saved = ComputeContext.current
    override func setUp() { saved = ComputeContext.current }
    override func tearDown() { saved.apply() }

    /// Every transpose combination, β 0 and 1, padded strides, rows that are and are not a multiple
    /// of the alignment: at 1, 2 and 3 threads the split product has the bits of the unsplit call (and is
    /// within 1e-5 of the Double-accumulated reference). The shapes do split (``RowSplit/parts``).
    func testSplitProductEqualsOneCallBitForBit() {
        var rng = RandomGenerator(seed: 41)
        for (m, n, k) in [(250, 100, 130), (768, 84, 128), (192, 128, 768)] {
            for transA in [false, true] {
                for transB in [false, true] {
                    for beta: Float in [0, 1] {
                        let lda = (transA ? m : k) + 1, ldb = (transB ? k : n) + 2, ldc = n + 3
                        let a = (0..<((transA ? k : m) * lda)).map { _ in rng.nextFloat() * 2 - 1 }
                        let b = (0..<((transB ? n : k) * ldb)).map { _ in rng.nextFloat() * 2 - 1 }
                        let c0 = (0..<(m * ldc)).map { _ in rng.nextFloat() * 2 - 1 }
                        func product(threads: Int, split: Bool) -> [Float] {
                            ComputeContext.layers(threads).apply()
                            if split && threads > 1 {
                                XCTAssertEqual(RowSplit.parts(m: m, n: n, k: k), threads, "[\(m), \(n), \(k)] splits")
                            }
                            var c = c0
                            a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
                                if split {
                                    rowSplitSGEMM(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.5, a: ap.baseAddress!, lda: lda,
                                                  b: bp.baseAddress!, ldb: ldb, beta: beta, c: cp.baseAddress!, ldc: ldc)
                                } else {
                                    sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.5, a: ap.baseAddress!, lda: lda,
                                          b: bp.baseAddress!, ldb: ldb, beta: beta, c: cp.baseAddress!, ldc: ldc)
                                }
                            } } }
                            return c
                        }
                        let whole = product(threads: 1, split: false)
                        var reference = c0
                        a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in reference.withUnsafeMutableBufferPointer { cp in
                            referenceGEMM(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.5, a: ap.baseAddress!, lda: lda,
                                          b: bp.baseAddress!, ldb: ldb, beta: beta, c: cp.baseAddress!, ldc: ldc)
                        } } }
                        let label = "[\(m), \(n), \(k)] transA \(transA) transB \(transB) beta \(beta)"
                        XCTAssertLessThan(zip(whole, reference).map { abs($0 - $1) }.max()!, 1e-4, label)
                        for threads in [1, 2, 3] {
                            let split = product(threads: threads, split: true)
                            XCTAssertTrue(split == whole, "\(label), \(threads) threads: \(zip(split, whole).map { abs($0 - $1) }.max()!) off")
                        }
                    }
                }
            }
        }
    }

    /// Part boundaries: multiples of ``RowSplit/rowAlignment`` except the end, covering every row once; no split while
    /// OpenBLAS is threaded or below the work threshold.
    func testPartsCoverTheRowsAndRespectTheContext() {
        for (parts, rows) in [(2, 768), (3, 250), (2, 17), (4, 100)] {
            let ranges = (0..<parts).map { RowSplit.bounds(part: $0, of: parts, rows: rows) }
            XCTAssertEqual(ranges.first?.lowerBound, 0)
            XCTAssertEqual(ranges.last?.upperBound, rows)
            for (r, next) in zip(ranges, ranges.dropFirst()) {
                XCTAssertEqual(r.upperBound, next.lowerBound)
                XCTAssertEqual(r.upperBound % RowSplit.rowAlignment, 0)
            }
        }
        ComputeContext.layers(2).apply()
        XCTAssertEqual(RowSplit.parts(m: 768, n: 384, k: 128), 2)
        XCTAssertEqual(RowSplit.parts(m: 64, n: 64, k: 64), 1, "too little work")
        ComputeContext.gemmBound(2).apply()
        XCTAssertEqual(RowSplit.parts(m: 768, n: 384, k: 128), 1, "OpenBLAS threaded")
        ComputeContext.layers(1).apply()
        XCTAssertEqual(RowSplit.parts(m: 768, n: 384, k: 128), 1)
    }
}
