import Foundation

/// How a loss turns per-element (or per-sample) values into what it returns, as PyTorch's `reduction`.
///
/// - Elementwise losses (``meanAbsoluteError(_:_:reduction:)``, ``meanSquaredError(_:_:reduction:)``,
///   ``binaryCrossEntropy(_:_:reduction:)``, ``binaryCrossEntropyWithLogits(_:_:reduction:)``):
///   `.sum` adds every element, `.mean` divides that by the element count (PyTorch `'mean'`), `.none`
///   returns the per-element losses, shaped like the input (PyTorch `'none'`).
/// - Distribution losses (cross-entropy, KL, Gaussian NLL, Jensen–Shannon) first sum over the
///   event axes of each sample, then `.sum` adds over the batch (axis 0) and `.mean` averages over it
///   (PyTorch's `'batchmean'` for `kl_div`; what `cross_entropy` does with `'mean'`); `.none`
///   returns the per-sample losses, shape `[N]` (`[]` for one unbatched sample). That is PyTorch's
///   `cross_entropy(reduction='none')`; for `kl_div` and `gaussian_nll_loss`, whose `'none'` is
///   per element, it is their `'none'` summed over the non-batch axes.
public enum Reduction: String, Sendable, CaseIterable {
    /// Add everything (PyTorch `reduction='sum'`).
    case sum
    /// Average over elements or, for distribution losses, over the batch (see above).
    case mean
    /// No reduction: per-element or per-sample losses.
    case none
}

/// A reduction applied to one loss: the shape of the unreduced (`.none`) values — per element or
/// per sample — and the upstream gradient each of those values receives.
struct LossReducer {
    let reduction: Reduction
    /// Shape of the `.none` output.
    let unitShape: [Int]
    /// Number of per-element or per-sample values.
    let units: Int
    /// Input elements per unit (1 for elementwise losses, the sample size for per-sample ones).
    let elementsPerUnit: Int

    /// Per-element reduction of a tensor of shape `shape`.
    static func elementwise(_ shape: [Int], _ reduction: Reduction) -> LossReducer {
        let n = shape.reduce(1, *)
        return LossReducer(reduction: reduction, unitShape: shape, units: n, elementsPerUnit: 1)
    }

    /// Per-sample reduction (axis 0 is the batch for rank ≥ 2, else one sample) of a tensor of shape `shape`.
    static func perSample(_ shape: [Int], _ reduction: Reduction) -> LossReducer {
        let n = lossBatchCount(shape), count = shape.reduce(1, *)
        return LossReducer(reduction: reduction, unitShape: shape.count >= 2 ? [shape[0]] : [], units: n,
                           elementsPerUnit: n > 0 ? count / n : 0)
    }

    var divisor: Double { reduction == .mean ? Double(units) : 1 }

    /// The loss's output shape and value from its terms in Double, contiguous per unit (per element,
    /// per sample, or finer: any number of terms per unit). `.sum`/`.mean` add the terms in order.
    func output(_ terms: [Double]) -> (shape: [Int], storage: [Float]) {
        if reduction == .none {
            let per = units > 0 ? terms.count / units : 0
            var values = [Float](repeating: 0, count: units)
            for u in 0..<units {
                var s: Double = 0
                for j in 0..<per { s += terms[u * per + j] }
                values[u] = Float(s)
            }
            return (unitShape, values)
        }
        var total: Double = 0
        for v in terms { total += v }
        return ([], [Float(total / divisor)])
    }

    /// The factor multiplying each unit's derivative, from the upstream gradient `g` of the output.
    func unitScales(_ g: [Float]) -> [Float] {
        if reduction == .none { return g }
        return [Float](repeating: Float(Double(g[0]) / divisor), count: units)
    }

    /// The same factors repeated for every input element of each unit.
    func elementScales(_ g: [Float]) -> [Float] {
        let u = unitScales(g)
        if elementsPerUnit == 1 { return u }
        var out = [Float](repeating: 0, count: units * elementsPerUnit)
        for k in 0..<units { for j in 0..<elementsPerUnit { out[k * elementsPerUnit + j] = u[k] } }
        return out
    }
}

/// Batch size of a tensor for per-sample reductions: axis 0 for rank ≥ 2, otherwise one sample.
@inline(__always)
func lossBatchCount(_ shape: [Int]) -> Int { shape.count >= 2 ? shape[0] : 1 }

/// Elementwise map/zip helpers for the fused loss backward passes.
@inline(__always)
func lossMap(_ a: [Float], _ f: (Float) -> Float) -> [Float] {
    var out = [Float](repeating: 0, count: a.count)
    a.withUnsafeBufferPointer { x in out.withUnsafeMutableBufferPointer { o in for i in 0..<x.count { o[i] = f(x[i]) } } }
    return out
}

@inline(__always)
func lossZip(_ a: [Float], _ b: [Float], _ f: (Float, Float) -> Float) -> [Float] {
    var out = [Float](repeating: 0, count: a.count)
    a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in
        out.withUnsafeMutableBufferPointer { o in for i in 0..<x.count { o[i] = f(x[i], y[i]) } } } }
    return out
}

@inline(__always)
func requireSameShape(_ name: String, _ a: Tensor, _ aName: String, _ b: Tensor, _ bName: String) {
    require(a.shape == b.shape,
                 "\(name): \(aName) shape \(a.shape) and \(bName) shape \(b.shape) must be equal")
}

/// One fused tape op for an elementwise loss ℓ(p, t), reduced as `reduction` says.
///
/// `value` gives ℓ (accumulated in Double); `derivative` gives (∂ℓ/∂p, ∂ℓ/∂t). Both run in a
/// single loop each, so the loss is one tape node however many elements it covers.
@inline(__always)
func elementwiseLoss(_ name: String, _ prediction: Tensor, _ target: Tensor, _ reduction: Reduction,
                     value: (Float, Float) -> Double,
                     derivative: @escaping (Float, Float) -> (Float, Float)) -> Tensor {
    requireSameShape(name, prediction, "prediction", target, "target")
    let n = prediction.count
    let reducer = LossReducer.elementwise(prediction.shape, reduction)
    var perElement = [Double](repeating: 0, count: n)
    prediction.storage.withUnsafeBufferPointer { p in target.storage.withUnsafeBufferPointer { t in
        perElement.withUnsafeMutableBufferPointer { out in for i in 0..<n { out[i] = value(p[i], t[i]) } }
    } }
    let (shape, storage) = reducer.output(perElement)
    return Tensor.result(name, shape: shape, storage: storage, inputs: [prediction, target]) { _, g in
        let scales = reducer.unitScales(g)
        let wantP = prediction.isOnTape, wantT = target.isOnTape
        var dp = [Float](repeating: 0, count: wantP ? n : 0)
        var dt = [Float](repeating: 0, count: wantT ? n : 0)
        prediction.storage.withUnsafeBufferPointer { p in target.storage.withUnsafeBufferPointer { t in
            dp.withUnsafeMutableBufferPointer { dp in dt.withUnsafeMutableBufferPointer { dt in
                for i in 0..<n {
                    let (a, b) = derivative(p[i], t[i])
                    if wantP { dp[i] = scales[i] * a }
                    if wantT { dt[i] = scales[i] * b }
                }
            } }
        } }
        if wantP { prediction.accumulateGrad(dp) }
        if wantT { target.accumulateGrad(dt) }
    }
}

/// L1 loss: ℓ = |p − t| per element, reduced. Units: those of the data.
/// ∂ℓ/∂p = sign(p − t) (0 where equal, as PyTorch), ∂ℓ/∂t = −sign(p − t).
public func meanAbsoluteError(_ prediction: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
    elementwiseLoss("mean_absolute_error", prediction, target, reduction,
                    value: { p, t in Swift.abs(Double(p) - Double(t)) },
                    derivative: { p, t in let s: Float = p > t ? 1 : (p < t ? -1 : 0); return (s, -s) })
}

/// Squared error: ℓ = (p − t)² per element, reduced. Units: data units squared.
/// ∂ℓ/∂p = 2(p − t), ∂ℓ/∂t = −2(p − t).
public func meanSquaredError(_ prediction: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
    elementwiseLoss("mean_squared_error", prediction, target, reduction,
                    value: { p, t in let d = Double(p) - Double(t); return d * d },
                    derivative: { p, t in let d = 2 * (p - t); return (d, -d) })
}

/// Binary cross-entropy on probabilities p ∈ [0, 1] with targets t ∈ [0, 1], in nats:
/// ℓ = −[t·max(ln p, −100) + (1 − t)·max(ln(1 − p), −100)]. The logarithms are clamped at −100
/// exactly as PyTorch's `binary_cross_entropy`, so p = 0 or 1 gives a finite loss.
///
/// ∂ℓ/∂p = (p − t) / max(p(1 − p), 10⁻¹²) (PyTorch's backward, finite at the ends);
/// ∂ℓ/∂t = max(ln(1 − p), −100) − max(ln p, −100).
/// Prefer ``binaryCrossEntropyWithLogits(_:_:reduction:)`` when a sigmoid precedes the loss.
public func binaryCrossEntropy(_ probabilities: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
    @inline(__always) func clampedLogs(_ p: Float) -> (Double, Double) {
        (Swift.max(Foundation.log(Double(p)), -100), Swift.max(Foundation.log1p(-Double(p)), -100))
    }
    return elementwiseLoss("binary_cross_entropy", probabilities, target, reduction,
                           value: { p, t in
                               let (lp, lq) = clampedLogs(p)
                               return -(Double(t) * lp + (1 - Double(t)) * lq)
                           },
                           derivative: { p, t in
                               let (lp, lq) = clampedLogs(p)
                               let dp = Double(p - t) / Swift.max(Double(p) * (1 - Double(p)), 1e-12)
                               return (Float(dp), Float(lq - lp))
                           })
}

/// Binary cross-entropy on logits x (before the sigmoid), stable for any x, in nats:
/// ℓ = max(x, 0) − x·t + ln(1 + e^−|x|)  (= −[t ln σ(x) + (1 − t) ln(1 − σ(x))]).
/// ∂ℓ/∂x = σ(x) − t, ∂ℓ/∂t = −x.
public func binaryCrossEntropyWithLogits(_ logits: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
    elementwiseLoss("binary_cross_entropy_with_logits", logits, target, reduction,
                    value: { x, t in
                        let xd = Double(x)
                        return Swift.max(xd, 0) - xd * Double(t) + Foundation.log1p(Foundation.exp(-Swift.abs(xd)))
                    },
                    derivative: { x, t in
                        let s = x >= 0 ? 1 / (1 + Foundation.exp(-x)) : Foundation.exp(x) / (1 + Foundation.exp(x))
                        return (s - t, -x)
                    })
}

/// Cross-entropy of integer class labels under softmax(logits), in nats:
/// ℓₙ = logΣₖ exp(xₙₖ) − xₙ,yₙ for logits `[N, K]` and `labels` (N values in `0..<K`).
/// `.mean` averages over the N samples, `.sum` adds them, `.none` returns the N losses `[N]`
/// (as `torch.nn.functional.cross_entropy`).
/// ∂ℓₙ/∂xₙₖ = softmax(xₙ)ₖ − [k = yₙ].
///
/// `labelSmoothing` ε (PyTorch's `label_smoothing`): the target becomes q = (1−ε)·onehot(yₙ) + ε/K,
/// ℓₙ = −Σₖ qₖ log softmax(xₙ)ₖ = logΣₖ exp(xₙₖ) − (1−ε)·xₙ,yₙ − (ε/K)·Σₖ xₙₖ, gradient softmax(xₙ) − q.
public func crossEntropy(logits: Tensor, labels: [Int], reduction: Reduction = .mean, labelSmoothing: Float = 0) -> Tensor {
    require(labelSmoothing >= 0 && labelSmoothing <= 1, "crossEntropy: label smoothing \(labelSmoothing) outside [0, 1]")
    require(logits.rank == 2, "crossEntropy: logits shape \(logits.shape) must be [N, K]")
    let n = logits.shape[0], k = logits.shape[1]
    require(labels.count == n,
                 "crossEntropy: logits shape \(logits.shape) needs \(n) labels, got labels shape [\(labels.count)]")
    require(k > 0, "crossEntropy: logits shape \(logits.shape) has no classes")
    for (i, y) in labels.enumerated() {
        require(y >= 0 && y < k, "crossEntropy: label \(y) of sample \(i) is outside 0..<\(k) for logits shape \(logits.shape)")
    }
    var probabilities = [Float](repeating: 0, count: n * k)
    var perSample = [Double](repeating: 0, count: n)
    logits.storage.withUnsafeBufferPointer { x in probabilities.withUnsafeMutableBufferPointer { p in
        for r in 0..<n {
            let base = r * k
            var m = -Float.infinity
            for j in 0..<k { m = Swift.max(m, x[base + j]) }
            var s: Double = 0
            for j in 0..<k { s += Foundation.exp(Double(x[base + j] - m)) }
            let lse = Double(m) + Foundation.log(s)
            for j in 0..<k { p[base + j] = Float(Foundation.exp(Double(x[base + j]) - lse)) }
            if labelSmoothing == 0 {
                perSample[r] = lse - Double(x[base + labels[r]])
            } else {
                var sumX: Double = 0
                for j in 0..<k { sumX += Double(x[base + j]) }
                let eps = Double(labelSmoothing)
                perSample[r] = lse - (1 - eps) * Double(x[base + labels[r]]) - eps / Double(k) * sumX
            }
        }
    } }
    let reducer = LossReducer.perSample(logits.shape, reduction)
    let (shape, storage) = reducer.output(perSample)
    return Tensor.result("cross_entropy", shape: shape, storage: storage, inputs: [logits]) { _, g in
        let scales = reducer.unitScales(g)
        var d = probabilities
        d.withUnsafeMutableBufferPointer { d in
            let uniform = labelSmoothing / Float(k)
            for r in 0..<n {
                d[r * k + labels[r]] -= 1 - labelSmoothing
                if labelSmoothing > 0 { for j in 0..<k { d[r * k + j] -= uniform } }
                for j in 0..<k { d[r * k + j] *= scales[r] }
            }
        }
        logits.accumulateGrad(d)
    }
}
