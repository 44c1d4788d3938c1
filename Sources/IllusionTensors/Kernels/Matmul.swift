/// Matrix product on the tape: `[m, k] · [k, n] → [m, n]` through ``sgemm``.
/// Backward: dA = dC·Bᵀ, dB = Aᵀ·dC.
extension Tensor {
    /// `self` `[m, k]` times `other` `[k, n]` → `[m, n]` (`torch.mm`); other shapes fail with both shapes named.
    /// For batched products see ``batchedMatmul(_:_:transposeA:transposeB:)``.
    public func matmul(_ other: Tensor) -> Tensor {
        require(rank == 2 && other.rank == 2 && shape[1] == other.shape[0],
                     "matmul: shapes \(shape) and \(other.shape) do not multiply ([m, k]·[k, n])")
        let m = shape[0], k = shape[1], n = other.shape[1]
        var c = [Float](repeating: 0, count: m * n)
        storage.withUnsafeBufferPointer { a in other.storage.withUnsafeBufferPointer { b in c.withUnsafeMutableBufferPointer { c in
            sgemm(m: m, n: n, k: k, a: a.baseAddress!, lda: k, b: b.baseAddress!, ldb: n, c: c.baseAddress!, ldc: n)
        } } }
        return Tensor.result("matmul", shape: [m, n], storage: c, inputs: [self, other]) { _, g in
            g.withUnsafeBufferPointer { g in
                if self.isOnTape {
                    var da = [Float](repeating: 0, count: m * k)
                    other.storage.withUnsafeBufferPointer { b in da.withUnsafeMutableBufferPointer { da in
                        sgemm(transB: true, m: m, n: k, k: n, a: g.baseAddress!, lda: n, b: b.baseAddress!, ldb: n, c: da.baseAddress!, ldc: k)
                    } }
                    self.accumulateGrad(da)
                }
                if other.isOnTape {
                    var db = [Float](repeating: 0, count: k * n)
                    self.storage.withUnsafeBufferPointer { a in db.withUnsafeMutableBufferPointer { db in
                        sgemm(transA: true, m: k, n: n, k: m, a: a.baseAddress!, lda: k, b: g.baseAddress!, ldb: n, c: db.baseAddress!, ldc: n)
                    } }
                    other.accumulateGrad(db)
                }
            }
        }
    }
}

/// `a · b` for rank-2 tensors.
public func matmul(_ a: Tensor, _ b: Tensor) -> Tensor { a.matmul(b) }
