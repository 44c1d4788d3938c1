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
/// Statistics are accumulated in Double. Rows run in parallel (each writes only its own row;
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
    let w = weight?.storage, b = bias?.storage
    x.storage.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in
        normalized.withUnsafeMutableBufferPointer { hp in inverseStd.withUnsafeMutableBufferPointer { rp in
            let X = xp.baseAddress!, Y = yp.baseAddress!, H = hp.baseAddress!, R = rp.baseAddress!
            ParallelLoops.forEachPart(rows, cost: n) { range in
                for row in range {
                    let base = row * n
                    var sum: Double = 0
                    for j in 0..<n { sum += Double(X[base + j]) }
                    let mean = sum / Double(n)
                    var squares: Double = 0
                    for j in 0..<n { let d = Double(X[base + j]) - mean; squares += d * d }
                    let r = Float(1 / (squares / Double(n) + Double(eps)).squareRoot())
                    R[row] = r
                    let mu = Float(mean)
                    for j in 0..<n {
                        let h = (X[base + j] - mu) * r
                        H[base + j] = h
                        Y[base + j] = h * (w?[j] ?? 1) + (b?[j] ?? 0)
                    }
                }
            }
        } }
    } }
    let inputs = [x] + (weight.map { [$0] } ?? []) + (bias.map { [$0] } ?? [])
    return Tensor.result("layer_norm", shape: x.shape, storage: y, inputs: inputs) { _, g in
        g.withUnsafeBufferPointer { gp in normalized.withUnsafeBufferPointer { hp in
            let G = gp.baseAddress!, H = hp.baseAddress!
            if x.isOnTape {
                var dx = uninitializedFloats(x.count)
                dx.withUnsafeMutableBufferPointer { dp in
                    let D = dp.baseAddress!
                    ParallelLoops.forEachPart(rows, cost: n) { range in
                        for row in range {
                            let base = row * n
                            var meanG: Float = 0, meanGH: Float = 0
                            for j in 0..<n {
                                let gh = G[base + j] * (w?[j] ?? 1)
                                meanG += gh; meanGH += gh * H[base + j]
                            }
                            meanG /= Float(n); meanGH /= Float(n)
                            let r = inverseStd[row]
                            for j in 0..<n {
                                let gh = G[base + j] * (w?[j] ?? 1)
                                D[base + j] = r * (gh - meanG - H[base + j] * meanGH)
                            }
                        }
                    }
                }
                x.accumulateGrad(dx)
            }
            if let weight, weight.isOnTape {
                var dw = [Float](repeating: 0, count: n)
                for row in 0..<rows { for j in 0..<n { dw[j] += G[row * n + j] * H[row * n + j] } }
                weight.accumulateGrad(dw)
            }
            if let bias, bias.isOnTape {
                var db = [Float](repeating: 0, count: n)
                for row in 0..<rows { for j in 0..<n { db[j] += G[row * n + j] } }
                bias.accumulateGrad(db)
            }
        } }
    }
}
