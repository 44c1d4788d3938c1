import Foundation

/// Batched matrix product on the tape: `[…, m, k] · […, k, n] → […, m, n]`, one ``sgemm`` per
/// leading index (attention's `[B, heads, T, d]` tensors). Both operands must have the same leading
/// axes (no broadcasting). `transposeA`/`transposeB` multiply by the stored matrix's transpose
/// without copying it (`a` is then `[…, k, m]`, `b` `[…, n, k]`), so Q·Kᵀ is
/// `batchedMatmul(q, k, transposeB: true)`.
///
/// Backward (per batch, on the untransposed products C = A·B): dA = dC·Bᵀ, dB = Aᵀ·dC, with the
/// transposes moved to the stored layouts. Batches run on ``ParallelLoops/threads`` threads, each
/// writing its own output slice, so the result does not depend on the thread count.
public func batchedMatmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
    require(a.rank >= 2 && a.rank == b.rank && Array(a.shape.dropLast(2)) == Array(b.shape.dropLast(2)),
            "batchedMatmul: shapes \(a.shape) and \(b.shape) need equal leading axes and rank ≥ 2")
    let r = a.rank
    let m = transposeA ? a.shape[r - 1] : a.shape[r - 2], k = transposeA ? a.shape[r - 2] : a.shape[r - 1]
    let kb = transposeB ? b.shape[r - 1] : b.shape[r - 2], n = transposeB ? b.shape[r - 2] : b.shape[r - 1]
    require(k == kb, "batchedMatmul: shapes \(a.shape) and \(b.shape) do not multiply (inner \(k) vs \(kb))")
    let batch = a.shape.dropLast(2).reduce(1, *)
    let lda = a.shape[r - 1], ldb = b.shape[r - 1]
    var c = [Float](repeating: 0, count: batch * m * n)
    a.storage.withUnsafeBufferPointer { ap in b.storage.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
        let A = ap.baseAddress!, B = bp.baseAddress!, C = cp.baseAddress!
        forEachBatch(batch, work: m * n * k) { i in
            sgemm(transA: transposeA, transB: transposeB, m: m, n: n, k: k, a: A + i * m * k, lda: lda,
                  b: B + i * k * n, ldb: ldb, c: C + i * m * n, ldc: n)
        }
    } } }
    return Tensor.result("batched_matmul", shape: Array(a.shape.dropLast(2)) + [m, n], storage: c, inputs: [a, b]) { _, g in
        g.withUnsafeBufferPointer { gp in
            let G = gp.baseAddress!
            if a.isOnTape {
                // dA = dC·Bᵀ  (stored as [m, k]) or, transposed, (dC·Bᵀ)ᵀ = B·dCᵀ (stored as [k, m]).
                var da = [Float](repeating: 0, count: a.count)
                b.storage.withUnsafeBufferPointer { bp in da.withUnsafeMutableBufferPointer { dp in
                    let B = bp.baseAddress!, D = dp.baseAddress!
                    forEachBatch(batch, work: m * n * k) { i in
                        if transposeA {
                            sgemm(transA: transposeB, transB: true, m: k, n: m, k: n, a: B + i * k * n, lda: ldb,
                                  b: G + i * m * n, ldb: n, c: D + i * m * k, ldc: m)
                        } else {
                            sgemm(transA: false, transB: !transposeB, m: m, n: k, k: n, a: G + i * m * n, lda: n,
                                  b: B + i * k * n, ldb: ldb, c: D + i * m * k, ldc: k)
                        }
                    }
                } }
                a.accumulateGrad(da)
            }
            if b.isOnTape {
                // dB = Aᵀ·dC (stored as [k, n]) or, transposed, dCᵀ·A (stored as [n, k]).
                var db = [Float](repeating: 0, count: b.count)
                a.storage.withUnsafeBufferPointer { ap in db.withUnsafeMutableBufferPointer { dp in
                    let A = ap.baseAddress!, D = dp.baseAddress!
                    forEachBatch(batch, work: m * n * k) { i in
                        if transposeB {
                            sgemm(transA: true, transB: transposeA, m: n, n: k, k: m, a: G + i * m * n, lda: n,
                                  b: A + i * m * k, ldb: lda, c: D + i * k * n, ldc: k)
                        } else {
                            sgemm(transA: !transposeA, transB: false, m: k, n: n, k: m, a: A + i * m * k, lda: lda,
                                  b: G + i * m * n, ldb: n, c: D + i * k * n, ldc: n)
                        }
                    }
                } }
                b.accumulateGrad(db)
            }
        }
    }
}

/// Runs `body(i)` for `i` in `0..<count`, spread over ``ParallelLoops/threads`` threads when the
/// total work (`count·work` multiply–adds) is worth it. Each `i` must write only its own output.
@inline(__always)
public func forEachBatch(_ count: Int, work: Int, _ body: (Int) -> Void) {
    let parts = Swift.min(ParallelLoops.threads, count, Swift.max(1, count * work / (1 << 16)))
    if parts <= 1 {
        for i in 0..<count { body(i) }
        return
    }
    ParallelLoops.perform(iterations: parts) { p in
        for i in (p * count / parts)..<((p + 1) * count / parts) { body(i) }
    }
}

/// The slow, obviously-correct batched product that ``batchedMatmul`` is tested against: a triple
/// loop per batch in Double (forward only; no tape).
public func referenceBatchedMatmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
    let r = a.rank
    let m = transposeA ? a.shape[r - 1] : a.shape[r - 2], k = transposeA ? a.shape[r - 2] : a.shape[r - 1]
    let n = transposeB ? b.shape[r - 2] : b.shape[r - 1]
    let batch = a.shape.dropLast(2).reduce(1, *)
    var c = [Float](repeating: 0, count: batch * m * n)
    for i in 0..<batch {
        for row in 0..<m {
            for col in 0..<n {
                var acc: Double = 0
                for p in 0..<k {
                    let av = transposeA ? a.storage[i * m * k + p * m + row] : a.storage[i * m * k + row * k + p]
                    let bv = transposeB ? b.storage[i * k * n + col * k + p] : b.storage[i * k * n + p * n + col]
                    acc += Double(av) * Double(bv)
                }
                c[i * m * n + row * n + col] = Float(acc)
            }
        }
    }
    return Tensor(shape: Array(a.shape.dropLast(2)) + [m, n], storage: c)
}
