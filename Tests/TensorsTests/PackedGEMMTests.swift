import XCTest
@testable import IllusionTensors

/// Our packed-panel micro-kernels (``PackedMatrix``, every kernel this CPU runs) against the
/// triple-loop ``referenceGEMM``.
final class PackedGEMMTests: XCTestCase {
    /// Both packings (B = Wᵀ of a row-major W, and a row-major B), C overwritten and accumulated,
    /// padded row strides, sizes around the block edges (6 and 8 rows, 16 and 32 columns) and the
    /// recurrent layers' own shapes.
    func testEveryKernelMatchesTheReferenceLoops() {
        var rng = RandomGenerator(seed: 23)
        XCTAssertFalse(PackedKernel.available.isEmpty)
        for kernel in PackedKernel.available {
            for (m, n, k) in [(1, 1, 1), (5, 7, 3), (6, 16, 9), (8, 32, 17), (13, 37, 19), (9, 33, 65), (32, 1024, 256), (32, 256, 1024)] {
                for transposed in [true, false] {
                    for accumulate in [false, true] {
                        let lda = k + 3, ldc = n + 2
                        let a = (0..<(m * lda)).map { _ in rng.nextFloat() * 2 - 1 }
                        // Stored B: W [n, k] (B = Wᵀ) or B [k, n], with padded strides.
                        let ldb = (transposed ? k : n) + 1
                        let b = (0..<((transposed ? n : k) * ldb)).map { _ in rng.nextFloat() * 2 - 1 }
                        let c0 = (0..<(m * ldc)).map { _ in rng.nextFloat() * 2 - 1 }
                        var fast = c0, slow = c0
                        let packed = b.withUnsafeBufferPointer { bp in
                            PackedMatrix(k: k, n: n, b: bp.baseAddress!, strideK: transposed ? 1 : ldb, strideN: transposed ? ldb : 1,
                                         kernel: kernel)
                        }
                        a.withUnsafeBufferPointer { ap in fast.withUnsafeMutableBufferPointer { cp in
                            packed.multiply(m: m, a: ap.baseAddress!, lda: lda, c: cp.baseAddress!, ldc: ldc, accumulate: accumulate)
                        } }
                        referenceGEMM(transB: transposed, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb,
                                      beta: accumulate ? 1 : 0, c: &slow, ldc: ldc)
                        let what = "\(kernel) m=\(m) n=\(n) k=\(k) transposed=\(transposed) accumulate=\(accumulate)"
                        // Relative to the largest |C| (a k-term float sum carries ≈ √k·ulp of its terms' scale).
                        let scale = slow.map(abs).max()!, error = zip(fast, slow).map { abs($0 - $1) }.max()!
                        XCTAssertLessThanOrEqual(error, 1e-5 * scale, what)
                        // Padding columns of C (beyond n) are never written.
                        for i in 0..<m { for j in n..<ldc { XCTAssertEqual(fast[i * ldc + j], c0[i * ldc + j], what) } }
                    }
                }
            }
        }
    }

    /// A row's result does not depend on the rows multiplied with it (the batch split of the
    /// recurrent layers relies on it): 20 rows at once equal each row alone, bit for bit.
    func testRowsAreIndependentOfTheirBlock() {
        var rng = RandomGenerator(seed: 24)
        let m = 20, n = 70, k = 45
        let a = (0..<(m * k)).map { _ in rng.nextFloat() * 2 - 1 }
        let w = (0..<(n * k)).map { _ in rng.nextFloat() * 2 - 1 }
        for kernel in PackedKernel.available {
            let packed = w.withUnsafeBufferPointer { PackedMatrix(k: k, n: n, b: $0.baseAddress!, strideK: 1, strideN: k, kernel: kernel) }
            var all = [Float](repeating: 0, count: m * n), single = all
            a.withUnsafeBufferPointer { ap in
                all.withUnsafeMutableBufferPointer { packed.multiply(m: m, a: ap.baseAddress!, lda: k, c: $0.baseAddress!, ldc: n, accumulate: false) }
                single.withUnsafeMutableBufferPointer { cp in
                    for i in 0..<m { packed.multiply(m: 1, a: ap.baseAddress! + i * k, lda: k, c: cp.baseAddress! + i * n, ldc: n, accumulate: false) }
                }
            }
            XCTAssertEqual(all, single, "\(kernel)")
            XCTAssertGreaterThan(all.map(abs).max()!, 0.1)
        }
    }
}
