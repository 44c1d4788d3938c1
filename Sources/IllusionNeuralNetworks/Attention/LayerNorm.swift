import Foundation
import IllusionTensors
import CMicroKernels

/// Layer normalisation over the trailing `normalizedShape` axes, as `torch.nn.LayerNorm`:
///
///     y = (x − mean) / √(var + eps) · weight + bias
///
/// where mean and the biased variance are taken over the last `normalizedShape.count` axes of each
/// position (`x: [N, T, E]` with `normalizedShape [E]` normalises each of the N·T vectors).
/// Parameters (PyTorch names): `weight` and `bias`, each shaped `normalizedShape`, initialised to
/// 1 and 0. `elementwiseAffine: false` has neither; `bias: false` (PyTorch ≥ 2.1, nanoGPT's default)
/// keeps only `weight`.
public final class LayerNorm: Layer {
    /// The trailing axes normalised together, e.g. `[E]` (PyTorch `normalized_shape`).
    public let normalizedShape: [Int]
    /// Added to the variance before the square root (PyTorch default 1e-5).
    public let eps: Float
    /// γ, shaped `normalizedShape`, init 1 (nil without `elementwiseAffine`).
    public let weight: Tensor?
    /// β, shaped `normalizedShape`, init 0 (nil without `elementwiseAffine` or with `bias: false`).
    public let bias: Tensor?
    public var isTraining = true

    /// `torch.nn.LayerNorm(normalized_shape, eps, elementwise_affine, bias)`.
    public init(_ normalizedShape: [Int], eps: Float = 1e-5, elementwiseAffine: Bool = true, bias useBias: Bool = true) {
        require(!normalizedShape.isEmpty && normalizedShape.allSatisfy { $0 > 0 },
                "LayerNorm: normalized shape \(normalizedShape) must be non-empty and positive")
        self.normalizedShape = normalizedShape
        self.eps = eps
        weight = elementwiseAffine ? Tensor.ones(normalizedShape, requiresGrad: true) : nil
        bias = elementwiseAffine && useBias ? Tensor.zeros(normalizedShape, requiresGrad: true) : nil
    }

    /// Normalises the last axis of length `size` (`LayerNorm(E)`).
    public convenience init(_ size: Int, eps: Float = 1e-5, elementwiseAffine: Bool = true, bias useBias: Bool = true) {
        self.init([size], eps: eps, elementwiseAffine: elementwiseAffine, bias: useBias)
    }

    public var ownParameters: [(name: String, tensor: Tensor)] {
        (weight.map { [("weight", $0)] } ?? []) + (bias.map { [("bias", $0)] } ?? [])
    }

    public var summaryName: String { "LayerNorm(\(normalizedShape.map(String.init).joined(separator: "×")))" }

    public func forward(_ x: Tensor) -> Tensor {
        require(x.rank >= normalizedShape.count && Array(x.shape.suffix(normalizedShape.count)) == normalizedShape,
                "LayerNorm(\(normalizedShape)): input shape \(x.shape) does not end in \(normalizedShape)")
        return layerNorm(x, size: normalizedShape.reduce(1, *), weight: weight, bias: bias, eps: eps)
    }
}

/// Layer normalisation of each run of `size` consecutive values (the trailing axes) as one tape op.
/// x `[…, size]`, weight/bias `[size]` (either may be nil) → y shaped like x.
///
/// With x̂ = (x − μ)·r, r = 1/√(σ² + eps), y = x̂·w + b, the backward per row of n values is
///
///     dx = r · (ĝ − mean(ĝ) − x̂ · mean(ĝ ⊙ x̂)),  ĝ = g ⊙ w;   dw = Σ_rows g ⊙ x̂;   db = Σ_rows g.
///
/// Statistics (and the backward's two row means) are accumulated in Double (four interleaved
/// partial sums, ``rowSum``). The row passes are the C kernels of `NormRows.h` (AVX-512 / AVX2 /
/// portable, chosen at run time), bit-identical to the Swift loops of LayerNormReference.swift
/// (`TransformerKernelTests`). Rows run in parallel (each writes only its own row; weight and bias
/// gradients are summed over rows in order afterwards), so results do not depend on the thread
/// count. When x already has a gradient (a residual stream whose other use ran backward first),
/// dx is added into it in the same pass instead of a separate buffer.
public func layerNorm(_ x: Tensor, size n: Int, weight: Tensor?, bias: Tensor?, eps: Float = 1e-5,
                      kernel: PackedKernel = .best) -> Tensor {
    require(n > 0 && x.count % n == 0, "layerNorm: \(x.count) values are not rows of \(n)")
    if let weight { require(weight.count == n, "layerNorm: weight of \(weight.count) values for rows of \(n)") }
    if let bias { require(bias.count == n, "layerNorm: bias of \(bias.count) values for rows of \(n)") }
    let rows = x.count / n
    var y = uninitializedFloats(x.count)
    var normalized = uninitializedFloats(x.count)
    var inverseStd = uninitializedFloats(rows)
    // γ = 1 and β = 0 when absent, so the kernels have no optionals.
    let w = weight?.storage ?? [Float](repeating: 1, count: n), b = bias?.storage ?? [Float](repeating: 0, count: n)
    x.storage.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in
        normalized.withUnsafeMutableBufferPointer { hp in inverseStd.withUnsafeMutableBufferPointer { rp in
            w.withUnsafeBufferPointer { wp in b.withUnsafeBufferPointer { bp in
                let X = xp.baseAddress!, Y = yp.baseAddress!, H = hp.baseAddress!, R = rp.baseAddress!
                let W = wp.baseAddress!, B = bp.baseAddress!
                ParallelLoops.forEachPart(rows, cost: n) { range in
                    let o = range.lowerBound * n
                    ic_layer_norm_forward(kernel.rawValue, X + o, W, B, Y + o, H + o, R + range.lowerBound, range.count, n, eps)
                }
            } }
        } }
    } }
    let inputs = [x] + (weight.map { [$0] } ?? []) + (bias.map { [$0] } ?? [])
    return Tensor.result("layer_norm", shape: x.shape, storage: y, inputs: inputs) { _, g in
        g.withUnsafeBufferPointer { gp in normalized.withUnsafeBufferPointer { hp in w.withUnsafeBufferPointer { wp in
            let G = gp.baseAddress!, H = hp.baseAddress!, W = wp.baseAddress!
            if x.isOnTape {
                func rowsPass(into D: UnsafeMutablePointer<Float>, accumulate: Bool) {
                    inverseStd.withUnsafeBufferPointer { rp in
                        let R = rp.baseAddress!
                        ParallelLoops.forEachPart(rows, cost: n) { range in
                            let o = range.lowerBound * n
                            ic_layer_norm_backward(kernel.rawValue, G + o, H + o, W, R + range.lowerBound, D + o,
                                                   range.count, n, accumulate ? 1 : 0)
                        }
                    }
                }
                if x.grad != nil {
                    x.grad!.withUnsafeMutableBufferPointer { rowsPass(into: $0.baseAddress!, accumulate: true) }
                } else {
                    var dx = uninitializedFloats(x.count)
                    dx.withUnsafeMutableBufferPointer { rowsPass(into: $0.baseAddress!, accumulate: false) }
                    x.accumulateGrad(dx)
                }
            }
            // Σ over rows in row order (vectorised across the n columns).
            let needsWeight = weight?.isOnTape ?? false, needsBias = bias?.isOnTape ?? false
            if needsWeight || needsBias {
                var dw = uninitializedFloats(n), db = uninitializedFloats(needsBias ? n : 0)
                dw.withUnsafeMutableBufferPointer { dwp in db.withUnsafeMutableBufferPointer { dbp in
                    ic_layer_norm_parameter_gradients(kernel.rawValue, G, H, dwp.baseAddress!, needsBias ? dbp.baseAddress! : nil, rows, n)
                } }
                if needsWeight { weight!.accumulateGrad(dw) }
                if needsBias { bias!.accumulateGrad(db) }
            }
        } } }
    }
}

/// Σ_{j < n} term(j) in Double with four interleaved partial sums (j mod 4), added in a fixed order:
/// independent chains instead of one long dependent one, and the same result on every thread count.
@inline(__always)
func rowSum(_ n: Int, _ term: (Int) -> Double) -> Double {
    var s0: Double = 0, s1: Double = 0, s2: Double = 0, s3: Double = 0
    var j = 0
    while j + 4 <= n {
        s0 += term(j); s1 += term(j + 1); s2 += term(j + 2); s3 += term(j + 3)
        j += 4
    }
    while j < n { s0 += term(j); j += 1 }
    return (s0 + s1) + (s2 + s3)
}
