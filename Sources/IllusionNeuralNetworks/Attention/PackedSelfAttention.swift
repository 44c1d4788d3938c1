import Foundation
import IllusionTensors
import CMicroKernels

/// Multi-head self-attention read straight from a packed projection, as one tape op:
/// packed `[N·T, 3E]` (each token's row is q | k | v, each E = H·d wide with the heads side by
/// side — the output of `c_attn` / `in_proj`) → `[N·T, E]` (the heads' outputs side by side, the
/// input of `c_proj`). For each (batch b, head h), with Q, K, V the d columns of head h of the
/// three parts over b's T rows:
///
///     S = Q·Kᵀ/√d,   P = softmax(S + causal mask),   O = P·V
///
/// It equals `mergeHeads(scaledDotProductAttention(splitHeads(…, part: 0), …, part: 1), …, part: 2))`
/// (``referencePackedSelfAttention``, tested) without the four copies and their backward copies:
/// the per-head GEMMs read Q, K, V in place with a leading dimension of 3E and write O and the
/// packed gradient with leading dimensions E and 3E. Backward (as ``scaledDotProductAttention``'s):
///
///     dV = Pᵀ·G,   dP = G·Vᵀ,   dS = P ⊙ (dP − rowsum(dP ⊙ P)),   dQ = dS·K/√d,   dK = dSᵀ·Q/√d
///
/// written into the q, k, v columns of one `[N·T, 3E]` gradient (every value written once). Pairs
/// (b, h) run on ``ParallelLoops/threads`` threads, each writing only its own columns and its own
/// `T×T` weights, so results do not depend on the thread count. No dropout.
public func packedSelfAttention(_ packed: Tensor, batch n: Int, time t: Int, heads h: Int, causal: Bool = true) -> Tensor {
    let width3 = packed.count / max(n * t, 1)
    require(n > 0 && t > 0 && h > 0 && packed.count == n * t * width3 && width3 % (3 * h) == 0,
            "packedSelfAttention: \(packed.shape) is not [\(n)·\(t), 3·\(h)·d]")
    let e = width3 / 3, d = e / h, pairs = n * h
    let scale = 1 / Float(d).squareRoot()
    var weights = uninitializedFloats(pairs * t * t)
    var out = uninitializedFloats(n * t * e)
    // Offsets of pair i = (b, head): its Q in `packed` (K and V follow at +E, +2E) and its O in `out`.
    @inline(__always) func qkvOffset(_ i: Int) -> Int { (i / h) * t * width3 + (i % h) * d }
    @inline(__always) func outOffset(_ i: Int) -> Int { (i / h) * t * e + (i % h) * d }
    packed.storage.withUnsafeBufferPointer { pp in weights.withUnsafeMutableBufferPointer { wp in out.withUnsafeMutableBufferPointer { op in
        let X = pp.baseAddress!, W = wp.baseAddress!, O = op.baseAddress!
        forEachBatch(pairs, work: 2 * t * t * d) { i in
            let q = X + qkvOffset(i), w = W + i * t * t
            sgemm(transB: true, m: t, n: t, k: d, alpha: scale, a: q, lda: width3, b: q + e, ldb: width3, c: w, ldc: t)
            softmaxRows(w, rows: t, columns: t, causal: causal)
            sgemm(m: t, n: d, k: t, a: w, lda: t, b: q + 2 * e, ldb: width3, c: O + outOffset(i), ldc: e)
        }
    } } }
    return Tensor.result("packed_self_attention", shape: [n * t, e], storage: out, inputs: [packed]) { _, g in
        var dx = uninitializedFloats(packed.count), dp = uninitializedFloats(pairs * t * t)
        g.withUnsafeBufferPointer { gp in weights.withUnsafeBufferPointer { wp in packed.storage.withUnsafeBufferPointer { pp in
            dx.withUnsafeMutableBufferPointer { dxp in dp.withUnsafeMutableBufferPointer { dpp in
                let G = gp.baseAddress!, W = wp.baseAddress!, X = pp.baseAddress!
                let DX = dxp.baseAddress!, DP = dpp.baseAddress!
                forEachBatch(pairs, work: 4 * t * t * d) { i in
                    let q = X + qkvOffset(i), dq = DX + qkvOffset(i), gi = G + outOffset(i)
                    let w = W + i * t * t, ds = DP + i * t * t
                    // dV = Pᵀ·G
                    sgemm(transA: true, m: t, n: d, k: t, a: w, lda: t, b: gi, ldb: e, c: dq + 2 * e, ldc: width3)
                    // dP = G·Vᵀ, then the softmax Jacobian row by row, in place: dS
                    sgemm(transB: true, m: t, n: t, k: d, a: gi, lda: e, b: q + 2 * e, ldb: width3, c: ds, ldc: t)
                    softmaxBackwardRows(ds, weights: w, rows: t, columns: t, causal: causal)
                    // dQ = dS·K/√d, dK = dSᵀ·Q/√d
                    sgemm(m: t, n: d, k: t, alpha: scale, a: ds, lda: t, b: q + e, ldb: width3, c: dq, ldc: width3)
                    sgemm(transA: true, m: t, n: d, k: t, alpha: scale, a: ds, lda: t, b: q, ldb: width3, c: dq + e, ldc: width3)
                }
            } }
        } } }
        packed.accumulateGrad(dx)
    }
}

/// dS = P ⊙ (dP − rowsum(dP ⊙ P)) in place over `rows` rows of `columns` (the softmax's backward).
/// With `causal`, row i reads columns 0…i only: the masked weights are 0, so their dS is exactly 0.
/// Runs the C kernel `ic_softmax_backward_rows` (AVX-512 / AVX2 / portable, chosen at run time),
/// bit-identical to ``referenceSoftmaxBackwardRows`` (tested).
@inline(__always)
func softmaxBackwardRows(_ dp: UnsafeMutablePointer<Float>, weights w: UnsafePointer<Float>, rows t: Int, columns s: Int,
                         causal: Bool, kernel: PackedKernel = .best) {
    ic_softmax_backward_rows(kernel.rawValue, dp, w, Int32(t), Int32(s), causal ? 1 : 0)
}

/// The Swift loop ``softmaxBackwardRows``'s C kernel equals bit for bit (the row sum by ``laneSum``).
func referenceSoftmaxBackwardRows(_ dp: UnsafeMutablePointer<Float>, weights w: UnsafePointer<Float>, rows t: Int,
                                  columns s: Int, causal: Bool) {
    for row in 0..<t {
        let base = row * s, visible = causal ? Swift.min(row + 1, s) : s
        let dot = laneSum(visible) { dp[base + $0] * w[base + $0] }
        for j in 0..<visible { dp[base + j] = w[base + j] * (dp[base + j] - dot) }
        for j in visible..<s { dp[base + j] = 0 }
    }
}

/// The slow reference of ``packedSelfAttention``: split into heads, ``referenceScaledDotProductAttention``
/// from elementary tape ops, merge — each step its own op with its own backward.
public func referencePackedSelfAttention(_ packed: Tensor, batch n: Int, time t: Int, heads h: Int, causal: Bool = true) -> Tensor {
    let q = splitHeads(packed, batch: n, time: t, heads: h, part: 0, parts: 3)
    let k = splitHeads(packed, batch: n, time: t, heads: h, part: 1, parts: 3)
    let v = splitHeads(packed, batch: n, time: t, heads: h, part: 2, parts: 3)
    let merged = mergeHeads(referenceScaledDotProductAttention(q, k, v, causal: causal))
    return merged.reshaped([n * t, merged.shape[2]])
}
