import XCTest
@testable import IllusionTensors

/// The OpenBLAS-backed `sgemm` against the triple-loop `referenceGEMM`.
final class GEMMTests: XCTestCase {
    func testAllTransposeCombinationsOddSizesAlphaBeta() {
        var rng = RandomGenerator(seed: 11)
        for (m, n, k) in [(1, 1, 1), (3, 5, 7), (17, 9, 13), (31, 1, 2), (2, 33, 65)] {
            for transA in [false, true] {
                for transB in [false, true] {
                    for (alpha, beta) in [(Float(1), Float(0)), (0.5, 2)] {
                        // Stored shapes: A is [m,k] or [k,m]; B is [k,n] or [n,k]; padded row strides.
                        let (aRows, aCols) = transA ? (k, m) : (m, k)
                        let (bRows, bCols) = transB ? (n, k) : (k, n)
                        let lda = aCols + 2, ldb = bCols + 1, ldc = n + 3
                        let a = (0..<(aRows * lda)).map { _ in rng.nextFloat() * 2 - 1 }
                        let b = (0..<(bRows * ldb)).map { _ in rng.nextFloat() * 2 - 1 }
                        let c0 = (0..<(m * ldc)).map { _ in rng.nextFloat() * 2 - 1 }
                        var fast = c0, slow = c0
                        sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                              b: b, ldb: ldb, beta: beta, c: &fast, ldc: ldc)
                        referenceGEMM(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                                      b: b, ldb: ldb, beta: beta, c: &slow, ldc: ldc)
                        let d = maxRelativeDifference(fast, slow)
                        XCTAssertLessThan(d, 1e-5, "m=\(m) n=\(n) k=\(k) transA=\(transA) transB=\(transB) α=\(alpha) β=\(beta)")
                    }
                }
            }
        }
    }

    func testEmptyInnerDimensionScalesByBeta() {
        let a: [Float] = [0], b: [Float] = [0]
        var c: [Float] = [1, 2, 3, 4]
        sgemm(m: 2, n: 2, k: 0, a: a, lda: 1, b: b, ldb: 2, beta: 0.5, c: &c, ldc: 2)
        XCTAssertEqual(c, [0.5, 1, 1.5, 2])
        sgemm(m: 2, n: 2, k: 0, a: a, lda: 1, b: b, ldb: 2, beta: 0, c: &c, ldc: 2)
        XCTAssertEqual(c, [0, 0, 0, 0])
    }

    func testMatmulHandExample() {
        let a = Tensor(shape: [2, 3], storage: [1, 2, 3, 4, 5, 6])
        let b = Tensor(shape: [3, 2], storage: [7, 8, 9, 10, 11, 12])
        let c = a.matmul(b)
        XCTAssertEqual(c.shape, [2, 2])
        XCTAssertEqual(c.storage, [58, 64, 139, 154])
    }
}
