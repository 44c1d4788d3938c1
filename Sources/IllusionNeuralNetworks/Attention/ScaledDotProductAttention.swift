import Foundation
import IllusionTensors
import CMicroKernels

/// Scaled dot-product attention as one tape op, as `torch.nn.functional.scaled_dot_product_attention`:
///
///     S = Q·Kᵀ / √d,   P = softmax(S + mask) along keys,   P' = dropout(P),   O = P'·V
///
/// q `[B, H, T, d]`, k and v `[B, H, S, d]` → O `[B, H, T, d]` (B and H may be any leading axes
/// flattened together). `causal` lets query i see keys j ≤ i only (PyTorch's `is_causal`, the
/// top-left-aligned lower triangle); masked weights are exactly 0, and each row's softmax
/// subtracts the row's maximum over the visible keys. `keep` (one Bool per weight, `[B, H, T, S]`)
/// applies inverted dropout with rate `dropout` to P; nil means no dropout.
///
/// Fused backward, per (batch, head), with G = dO and the mask M ∈ {0, 1/(1−p)}:
///
///     dV = P'ᵀ·G,   dP = (G·Vᵀ) ⊙ M,   dS = P ⊙ (dP − rowsum(dP ⊙ P)),   dQ = dS·K/√d,   dK = dSᵀ·Q/√d
///
/// (the softmax Jacobian applied row by row). It keeps P and M, not S. Pairs (batch, head) run
/// on ``ParallelLoops/threads`` threads, each writing only its own slices, so the results do not
/// depend on the thread count. ``referenceScaledDotProductAttention`` is the same function built
/// from elementary tape ops, for tests.
public func scaledDotProductAttention(_ q: Tensor, _ k: Tensor, _ v: Tensor, causal: Bool = false,
                                      dropout p: Float = 0, keep: [Bool]? = nil) -> Tensor {
    let (pairs, t, s, d) = attentionGeometry(q, k, v)
    let scale = 1 / Float(d).squareRoot()
    if let keep { require(keep.count == pairs * t * s, "scaledDotProductAttention: dropout mask of \(keep.count) for \(pairs * t * s) weights") }
    let dropScale: Float = p >= 1 ? 0 : 1 / (1 - p)
    let weights = attentionWeights(q, k, causal: causal)
    // P' (the dropped weights); without dropout it shares P's storage.
    var dropped = weights
    if let keep { for i in 0..<dropped.count { dropped[i] = keep[i] ? dropped[i] * dropScale : 0 } }
    var out = uninitializedFloats(pairs * t * d)
    dropped.withUnsafeBufferPointer { pp in v.storage.withUnsafeBufferPointer { vp in out.withUnsafeMutableBufferPointer { op in
        let P = pp.baseAddress!, V = vp.baseAddress!, O = op.baseAddress!
        forEachBatch(pairs, work: t * s * d) { i in
            sgemm(m: t, n: d, k: s, a: P + i * t * s, lda: s, b: V + i * s * d, ldb: d, c: O + i * t * d, ldc: d)
        }
    } } }
    return Tensor.result("scaled_dot_product_attention", shape: q.shape, storage: out, inputs: [q, k, v]) { _, g in
        var dq = uninitializedFloats(q.count), dk = uninitializedFloats(k.count)
        var dv = uninitializedFloats(v.count), dp = uninitializedFloats(pairs * t * s)
        g.withUnsafeBufferPointer { gp in weights.withUnsafeBufferPointer { wp in
            dropped.withUnsafeBufferPointer { pdp in
                q.storage.withUnsafeBufferPointer { qp in k.storage.withUnsafeBufferPointer { kp in v.storage.withUnsafeBufferPointer { vp in
                    dq.withUnsafeMutableBufferPointer { dqp in dk.withUnsafeMutableBufferPointer { dkp in
                        dv.withUnsafeMutableBufferPointer { dvp in dp.withUnsafeMutableBufferPointer { dpp in
                            let G = gp.baseAddress!, W = wp.baseAddress!, PD = pdp.baseAddress!
                            let Q = qp.baseAddress!, K = kp.baseAddress!, V = vp.baseAddress!
                            let DQ = dqp.baseAddress!, DK = dkp.baseAddress!, DV = dvp.baseAddress!, DP = dpp.baseAddress!
                            forEachBatch(pairs, work: 4 * t * s * d) { i in
                                let w = W + i * t * s, dpi = DP + i * t * s
                                // dV = P'ᵀ·G
                                sgemm(transA: true, m: s, n: d, k: t, a: PD + i * t * s, lda: s, b: G + i * t * d, ldb: d,
                                      c: DV + i * s * d, ldc: d)
                                // dP' = G·Vᵀ, then through the dropout mask and the softmax Jacobian, in place.
                                sgemm(transB: true, m: t, n: s, k: d, a: G + i * t * d, lda: d, b: V + i * s * d, ldb: d,
                                      c: dpi, ldc: s)
                                for row in 0..<t {
                                    let base = row * s
                                    if let keep {
                                        let kb = i * t * s + base
                                        for j in 0..<s { dpi[base + j] = keep[kb + j] ? dpi[base + j] * dropScale : 0 }
                                    }
                                    var dot: Float = 0
                                    for j in 0..<s { dot += dpi[base + j] * w[base + j] }
                                    for j in 0..<s { dpi[base + j] = w[base + j] * (dpi[base + j] - dot) }
                                }
                                // dQ = dS·K/√d, dK = dSᵀ·Q/√d
                                sgemm(m: t, n: d, k: s, alpha: scale, a: dpi, lda: s, b: K + i * s * d, ldb: d,
                                      c: DQ + i * t * d, ldc: d)
                                sgemm(transA: true, m: s, n: d, k: t, alpha: scale, a: dpi, lda: s, b: Q + i * t * d, ldb: d,
                                      c: DK + i * s * d, ldc: d)
                            }
                        } }
                    } }
                } } }
            }
        } }
        if q.isOnTape { q.accumulateGrad(dq) }
        if k.isOnTape { k.accumulateGrad(dk) }
        if v.isOnTape { v.accumulateGrad(dv) }
    }
}

/// The attention weights P = softmax(Q·Kᵀ/√d + mask) of ``scaledDotProductAttention``, `[B·H·T·S]`
/// values (row = query, column = key; each row sums to 1, masked entries are 0). Not on the tape.
public func attentionWeights(_ q: Tensor, _ k: Tensor, causal: Bool) -> [Float] {
    let (pairs, t, s, d) = attentionGeometry(q, k, k)
    let scale = 1 / Float(d).squareRoot()
    var weights = uninitializedFloats(pairs * t * s)
    q.storage.withUnsafeBufferPointer { qp in k.storage.withUnsafeBufferPointer { kp in weights.withUnsafeMutableBufferPointer { wp in
        let Q = qp.baseAddress!, K = kp.baseAddress!, W = wp.baseAddress!
        forEachBatch(pairs, work: t * s * d) { i in
            let w = W + i * t * s
            sgemm(transB: true, m: t, n: s, k: d, alpha: scale, a: Q + i * t * d, lda: d, b: K + i * s * d, ldb: d, c: w, ldc: s)
            softmaxRows(w, rows: t, columns: s, causal: causal)
        }
    } } }
    return weights
}

/// Turns each of `rows` rows of scores (`columns` apart) into a softmax in place; with `causal`,
/// row i keeps columns 0…i only and the rest become exactly 0. Each row subtracts its maximum over
/// the visible columns before the exponential. Runs the C kernel `ic_softmax_rows` (AVX-512 / AVX2 /
/// portable, chosen at run time), bit-identical to the Swift loop ``referenceSoftmaxRows`` (tested).
@inline(__always)
func softmaxRows(_ w: UnsafeMutablePointer<Float>, rows t: Int, columns s: Int, causal: Bool,
                 kernel: PackedKernel = .best) {
    ic_softmax_rows(kernel.rawValue, w, Int32(t), Int32(s), causal ? 1 : 0)
}

/// The Swift loop ``softmaxRows``'s C kernel equals bit for bit (same contract; the row sum by ``laneSum``).
func referenceSoftmaxRows(_ w: UnsafeMutablePointer<Float>, rows t: Int, columns s: Int, causal: Bool) {
    for row in 0..<t {
        let base = row * s, visible = causal ? Swift.min(row + 1, s) : s
        var m = -Float.infinity
        for j in 0..<visible { m = Swift.max(m, w[base + j]) }
        for j in 0..<visible { w[base + j] = fastExp(w[base + j] - m) }
        let inv = 1 / laneSum(visible) { w[base + $0] }
        for j in 0..<visible { w[base + j] *= inv }
        for j in visible..<s { w[base + j] = 0 }
    }
}

/// Σ_{j < n} term(j) in eight interleaved Float partial sums (term j in lane j mod 8), added as
/// ((s₀ + s₁) + (s₂ + s₃)) + ((s₄ + s₅) + (s₆ + s₇)): the order of the softmax kernels' row sums,
/// which hold the eight lanes in one vector (`TransformerRows.h`).
@inline(__always)
func laneSum(_ n: Int, _ term: (Int) -> Float) -> Float {
    var s: (Float, Float, Float, Float, Float, Float, Float, Float) = (0, 0, 0, 0, 0, 0, 0, 0)
    var j = 0
    while j + 8 <= n {
        s.0 += term(j); s.1 += term(j + 1); s.2 += term(j + 2); s.3 += term(j + 3)
        s.4 += term(j + 4); s.5 += term(j + 5); s.6 += term(j + 6); s.7 += term(j + 7)
        j += 8
    }
    var tail = [s.0, s.1, s.2, s.3, s.4, s.5, s.6, s.7]
    var lane = 0
    while j < n { tail[lane] += term(j); j += 1; lane += 1 }
    return ((tail[0] + tail[1]) + (tail[2] + tail[3])) + ((tail[4] + tail[5]) + (tail[6] + tail[7]))
}

/// (pairs = Π leading axes, T, S, d) for q `[…, T, d]`, k and v `[…, S, d]`.
func attentionGeometry(_ q: Tensor, _ k: Tensor, _ v: Tensor) -> (Int, Int, Int, Int) {
    require(q.rank >= 3 && k.rank == q.rank && v.rank == q.rank, "attention: q \(q.shape), k \(k.shape), v \(v.shape) must be [B, H, T, d]")
    let r = q.rank, t = q.shape[r - 2], d = q.shape[r - 1], s = k.shape[r - 2]
    require(Array(k.shape.dropLast(2)) == Array(q.shape.dropLast(2)) && k.shape[r - 1] == d && v.shape == k.shape,
            "attention: q \(q.shape), k \(k.shape), v \(v.shape) do not fit ([B, H, T, d], [B, H, S, d], [B, H, S, d])")
    return (q.shape.dropLast(2).reduce(1, *), t, s, d)
}

/// Draws the keep mask for attention dropout (true = kept, each with probability 1 − p) for q's
/// and k's geometry.
public func attentionDropoutMask(_ q: Tensor, _ k: Tensor, p: Float, rng: inout RandomGenerator) -> [Bool] {
    let (pairs, t, s, _) = attentionGeometry(q, k, k)
    return (0..<(pairs * t * s)).map { _ in rng.nextFloat() >= p }
}

/// The slow reference of ``scaledDotProductAttention``, from elementary tape ops (batched matmul,
/// scale, additive −∞ mask, softmax, dropout with the same mask, batched matmul) — each backward
/// is its own op's, so the fused backward is tested against the composition.
public func referenceScaledDotProductAttention(_ q: Tensor, _ k: Tensor, _ v: Tensor, causal: Bool = false,
                                               dropout p: Float = 0, keep: [Bool]? = nil) -> Tensor {
    let (_, t, s, d) = attentionGeometry(q, k, v)
    var scores = batchedMatmul(q, k, transposeB: true) * (1 / Float(d).squareRoot())
    if causal {
        var mask = [Float](repeating: 0, count: t * s)
        for i in 0..<t { for j in 0..<s where j > i { mask[i * s + j] = -.infinity } }
        scores = scores + Tensor(shape: [t, s], storage: mask)
    }
    var weights = scores.softmax()
    if let keep { weights = dropout(weights, keep: keep, p: p) }
    return batchedMatmul(weights, v)
}
