import Foundation
import IllusionTensors

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
/// Statistics (and the backward's two row means) are accumulated in Double (``rowSum``). Rows run in parallel (each writes only its own row;
/// weight and bias gradients are summed over rows in order afterwards), so results do not depend
/// on the thread count.
public func layerNorm(_ x: Tensor, size n: Int, weight: Tensor?, bias: Tensor?, eps: Float = 1e-5) -> Tensor {
    require(n > 0 && x.count % n == 0, "layerNorm: \(x.count) values are not rows of \(n)")
    if let weight { require(weight.count == n, "layerNorm: weight of \(weight.count) values for rows of \(n)") }
    if let bias { require(bias.count == n, "layerNorm: bias of \(bias.count) values for rows of \(n)") }
    let rows = x.count / n
    var y = uninitializedFloats(x.count)
    var normalized = uninitializedFloats(x.count)
    var inverseStd = uninitializedFloats(rows)
    // γ = 1 and β = 0 when absent, so the inner loops have no optionals (they vectorise).
    let w = weight?.storage ?? [Float](repeating: 1, count: n), b = bias?.storage ?? [Float](repeating: 0, count: n)
    x.storage.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in
        normalized.withUnsafeMutableBufferPointer { hp in inverseStd.withUnsafeMutableBufferPointer { rp in
            w.withUnsafeBufferPointer { wp in b.withUnsafeBufferPointer { bp in
                let X = xp.baseAddress!, Y = yp.baseAddress!, H = hp.baseAddress!, R = rp.baseAddress!
                let W = wp.baseAddress!, B = bp.baseAddress!
                ParallelLoops.forEachPart(rows, cost: n) { range in
                    for row in range {
                        let xr = X + row * n, hr = H + row * n, yr = Y + row * n
                        let mean = rowSum(n) { Double(xr[$0]) } / Double(n)
                        let squares = rowSum(n) { let d = Double(xr[$0]) - mean; return d * d }
                        let r = Float(1 / (squares / Double(n) + Double(eps)).squareRoot())
                        R[row] = r
                        let mu = Float(mean)
                        for j in 0..<n {
                            let h = (xr[j] - mu) * r
                            hr[j] = h
                            yr[j] = h * W[j] + B[j]
                        }
                    }
                }
            } }
        } }
    } }
    let inputs = [x] + (weight.map { [$0] } ?? []) + (bias.map { [$0] } ?? [])
    return Tensor.result("layer_norm", shape: x.shape, storage: y, inputs: inputs) { _, g in
        g.withUnsafeBufferPointer { gp in normalized.withUnsafeBufferPointer { hp in w.withUnsafeBufferPointer { wp in
            let G = gp.baseAddress!, H = hp.baseAddress!, W = wp.baseAddress!
            if x.isOnTape {
                var dx = uninitializedFloats(x.count)
                dx.withUnsafeMutableBufferPointer { dp in inverseStd.withUnsafeBufferPointer { rp in
                    let D = dp.baseAddress!, R = rp.baseAddress!
                    ParallelLoops.forEachPart(rows, cost: n) { range in
                        for row in range {
                            let gr = G + row * n, hr = H + row * n, dr = D + row * n
                            let meanG = Float(rowSum(n) { Double(gr[$0] * W[$0]) } / Double(n))
                            let meanGH = Float(rowSum(n) { Double(gr[$0] * W[$0] * hr[$0]) } / Double(n))
                            let r = R[row]
                            for j in 0..<n { dr[j] = r * (gr[j] * W[j] - meanG - hr[j] * meanGH) }
                        }
                    }
                } }
                x.accumulateGrad(dx)
            }
            // Σ over rows in row order (vectorised across the n columns).
            if let weight, weight.isOnTape {
                var dw = [Float](repeating: 0, count: n)
                dw.withUnsafeMutableBufferPointer { dp in
                    let DW = dp.baseAddress!
                    for row in 0..<rows {
                        let gr = G + row * n, hr = H + row * n
                        for j in 0..<n { DW[j] += gr[j] * hr[j] }
                    }
                }
                weight.accumulateGrad(dw)
            }
            if let bias, bias.isOnTape {
                var db = [Float](repeating: 0, count: n)
                db.withUnsafeMutableBufferPointer { dp in
                    let DB = dp.baseAddress!
                    for row in 0..<rows {
                        let gr = G + row * n
                        for j in 0..<n { DB[j] += gr[j] }
                    }
                }
                bias.accumulateGrad(db)
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
