import Foundation

// Losses between probability distributions: KL (discrete and Gaussian-to-standard-normal), the
// Gaussian negative log-likelihood with a learned variance, and Jensen–Shannon divergence.
// Each is one fused tape op; values are accumulated in Double. Units are nats throughout.

/// Kullback–Leibler divergence KL(t ‖ q) between discrete distributions, in nats, with PyTorch's
/// `kl_div` argument convention: the first argument holds **log-probabilities** ln q, the target
/// holds probabilities t. ℓ = Σⱼ tⱼ (ln tⱼ − ln qⱼ), with 0·ln 0 = 0.
///
/// Shapes equal: `[N, K]` (N samples) or `[K]` (one sample). `.mean` divides the total by N —
/// PyTorch's `reduction='batchmean'`, the mathematically correct mean (PyTorch's own `'mean'`
/// divides by N·K). ∂ℓ/∂(ln q) = −t, ∂ℓ/∂t = ln t + 1 − ln q.
public func klDivergence(logProbabilities: Tensor, target: Tensor, reduction: Reduction = .mean) -> Tensor {
    requireSameShape("klDivergence", logProbabilities, "logProbabilities", target, "target")
    let n = logProbabilities.count
    let reducer = LossReducer.perSample(logProbabilities.shape, reduction)
    var terms = [Double](repeating: 0, count: n)
    logProbabilities.storage.withUnsafeBufferPointer { x in target.storage.withUnsafeBufferPointer { t in
        for i in 0..<n where t[i] > 0 { terms[i] = Double(t[i]) * (Foundation.log(Double(t[i])) - Double(x[i])) }
    } }
    let (shape, storage) = reducer.output(terms)
    return Tensor.result("kl_divergence", shape: shape, storage: storage, inputs: [logProbabilities, target]) { _, g in
        let scales = reducer.elementScales(g)
        if logProbabilities.isOnTape {
            logProbabilities.accumulateGrad(lossZip(target.storage, scales) { t, s in -s * t })
        }
        if target.isOnTape {
            let d = lossZip(target.storage, logProbabilities.storage) { t, x in Foundation.log(t) + 1 - x }
            target.accumulateGrad(lossZip(d, scales) { $0 * $1 })
        }
    }
}

/// Closed-form KL(N(μ, σ²) ‖ N(0, 1)) of a diagonal Gaussian, the VAE regulariser, in nats:
/// per sample −½ Σ_d (1 + ln σ²_d − μ²_d − σ²_d), summed over the latent axis; then `.mean`
/// averages over the batch and `.sum` adds over it.
///
/// Shapes: `mean` and `logVariance` equal, `[N, D]` (or `[D]` for one sample).
/// ∂/∂μ = μ, ∂/∂ln σ² = ½(σ² − 1) (per sample, times the reduction's 1/N for `.mean`).
public func klDivergenceToStandardNormal(mean: Tensor, logVariance: Tensor, reduction: Reduction = .mean) -> Tensor {
    requireSameShape("klDivergenceToStandardNormal", mean, "mean", logVariance, "logVariance")
    let n = mean.count
    let reducer = LossReducer.perSample(mean.shape, reduction)
    var terms = [Double](repeating: 0, count: n)
    mean.storage.withUnsafeBufferPointer { mu in logVariance.storage.withUnsafeBufferPointer { lv in
        for i in 0..<n {
            let m = Double(mu[i]), l = Double(lv[i])
            terms[i] = -0.5 * (1 + l - m * m - Foundation.exp(l))
        }
    } }
    let (shape, storage) = reducer.output(terms)
    return Tensor.result("kl_divergence_standard_normal", shape: shape, storage: storage,
                         inputs: [mean, logVariance]) { _, g in
        let scales = reducer.elementScales(g)
        if mean.isOnTape { mean.accumulateGrad(lossZip(mean.storage, scales) { $1 * $0 }) }
        if logVariance.isOnTape {
            logVariance.accumulateGrad(lossZip(logVariance.storage, scales) { $1 * 0.5 * (Foundation.exp($0) - 1) })
        }
    }
}

/// Negative log-likelihood of `target` under a diagonal Gaussian N(μ, σ²) with a learned
/// log-variance, in nats: per element ½ [ln σ² + (t − μ)²/σ² + ln 2π] (the ln 2π term only when
/// `includeConstant`, PyTorch's `full=True`), summed over each sample's elements; `.mean`
/// averages over the batch (axis 0), `.sum` adds over it.
///
/// Shapes: `mean` and `target` equal (`[N, D]`); `logVariance` broadcasts to them — the same shape
/// for a per-element variance, `[D]` for one learned variance per output, `[]`/`[1]` for one shared
/// variance (the linear VAE / probabilistic PCA case). Parametrising by ln σ² keeps σ² > 0.
/// ∂/∂μ = (μ − t)/σ², ∂/∂t = (t − μ)/σ², ∂/∂ln σ² = ½(1 − (t − μ)²/σ²) (summed over broadcast axes).
/// Equals `torch.nn.functional.gaussian_nll_loss(μ, t, exp(lnσ²), full=…, reduction='sum')`
/// for `.sum` (PyTorch additionally clamps σ² below at 10⁻⁶; we do not).
public func gaussianNegativeLogLikelihood(mean: Tensor, logVariance: Tensor, target: Tensor,
                                          reduction: Reduction = .mean, includeConstant: Bool = true) -> Tensor {
    requireSameShape("gaussianNegativeLogLikelihood", mean, "mean", target, "target")
    require(broadcastShape(logVariance.shape, mean.shape) == mean.shape,
                 "gaussianNegativeLogLikelihood: logVariance shape \(logVariance.shape) does not broadcast to mean shape \(mean.shape)")
    let n = mean.count
    let lvFull = broadcastValues(logVariance.storage, from: logVariance.shape, to: mean.shape)
    let halfLog2Pi = includeConstant ? 0.5 * Foundation.log(2 * Double.pi) : 0
    let reducer = LossReducer.perSample(mean.shape, reduction)
    var terms = [Double](repeating: 0, count: n)
    mean.storage.withUnsafeBufferPointer { mu in target.storage.withUnsafeBufferPointer { t in lvFull.withUnsafeBufferPointer { lv in
        for i in 0..<n {
            let d = Double(t[i]) - Double(mu[i]), l = Double(lv[i])
            terms[i] = 0.5 * (l + d * d * Foundation.exp(-l)) + halfLog2Pi
        }
    } } }
    let (shape, storage) = reducer.output(terms)
    return Tensor.result("gaussian_nll", shape: shape, storage: storage,
                         inputs: [mean, logVariance, target]) { _, g in
        let scales = reducer.elementScales(g)
        var dMean = [Float](repeating: 0, count: n), dLogVar = [Float](repeating: 0, count: n)
        mean.storage.withUnsafeBufferPointer { mu in target.storage.withUnsafeBufferPointer { t in lvFull.withUnsafeBufferPointer { lv in
            for i in 0..<n {
                let d = t[i] - mu[i], inverseVariance = Foundation.exp(-lv[i])
                dMean[i] = -scales[i] * d * inverseVariance
                dLogVar[i] = scales[i] * 0.5 * (1 - d * d * inverseVariance)
            }
        } } }
        if mean.isOnTape { mean.accumulateGrad(dMean) }
        if target.isOnTape { target.accumulateGrad(lossMap(dMean) { -$0 }) }
        if logVariance.isOnTape {
            logVariance.accumulateGrad(sumToShape(dLogVar, from: mean.shape, to: logVariance.shape))
        }
    }
}

// MARK: - Jensen–Shannon divergence

/// Value and gradient of the generalised Jensen–Shannon divergence of k distributions, summed over
/// every row: JS = (1/k) Σᵢ KL(pᵢ ‖ M̃) with M = (1/k) Σᵢ pᵢ and M̃ = clamp(M, floor, 1) when a
/// `mixtureFloor` is given (AugMix), else M̃ = M.
///
/// Returns the per-element terms (in Double, summed over the k distributions) and ∂JS/∂pᵢ for each distribution:
/// (1/k)·(ln pᵢ + 1 − ln M̃ − mask·M/M̃), mask = [floor ≤ M ≤ 1]; unclamped this is (1/k)·ln(pᵢ/M).
func jensenShannonParts(probabilities: [[Float]], logProbabilities: [[Float]], mixtureFloor: Float?)
    -> (terms: [Double], gradients: [[Float]]) {
    let k = probabilities.count, n = probabilities[0].count
    let invK = 1 / Double(k)
    var terms = [Double](repeating: 0, count: n)
    var gradients = [[Float]](repeating: [Float](repeating: 0, count: n), count: k)
    for j in 0..<n {
        var m: Double = 0
        for i in 0..<k { m += Double(probabilities[i][j]) }
        m *= invK
        var clamped = m, passes: Double = 1
        if let floor = mixtureFloor {
            clamped = Swift.min(Swift.max(m, Double(floor)), 1)
            passes = (m >= Double(floor) && m <= 1) ? 1 : 0
        }
        let logM = Foundation.log(clamped)
        let tail = mixtureFloor == nil ? -logM : 1 - logM - passes * m / clamped
        for i in 0..<k {
            let p = Double(probabilities[i][j]), logP = Double(logProbabilities[i][j])
            if p > 0 { terms[j] += invK * p * (logP - logM) }
            gradients[i][j] = Float(invK * (logP + tail))
        }
    }
    return (terms, gradients)
}

func requireJensenShannonShapes(_ name: String, _ parts: [Tensor]) {
    require(parts.count >= 2, "\(name): needs at least two distributions, got \(parts.count)")
    for (i, p) in parts.enumerated() where p.shape != parts[0].shape {
        require(false, "\(name): distribution \(i) has shape \(p.shape), distribution 0 has shape \(parts[0].shape)")
    }
    require(parts[0].rank >= 1, "\(name): distributions need a class axis, got shape \(parts[0].shape)")
}

/// Jensen–Shannon divergence of k discrete distributions given as **probabilities** (rows along
/// the last axis sum to 1), in nats: JS = (1/k) Σᵢ KL(pᵢ ‖ M), M = (1/k) Σᵢ pᵢ; for k = 2 this is
/// ½KL(p‖m) + ½KL(q‖m), symmetric and bounded by ln 2. Shapes equal, `[N, K]` or `[K]`; `.mean`
/// averages the per-sample sums over N. ∂JS/∂pᵢ = (1/k)·ln(pᵢ/M) (−∞ where pᵢ = 0, the true
/// one-sided derivative; use the logits form to train).
public func jensenShannonDivergence(probabilities: [Tensor], reduction: Reduction = .mean) -> Tensor {
    requireJensenShannonShapes("jensenShannonDivergence", probabilities)
    let values = probabilities.map(\.storage)
    let logs = values.map { v in v.map { Float(Foundation.log(Double($0))) } }
    let (terms, gradients) = jensenShannonParts(probabilities: values, logProbabilities: logs, mixtureFloor: nil)
    let reducer = LossReducer.perSample(probabilities[0].shape, reduction)
    let (shape, storage) = reducer.output(terms)
    return Tensor.result("jensen_shannon", shape: shape, storage: storage, inputs: probabilities) { _, g in
        let scales = reducer.elementScales(g)
        for (p, d) in zip(probabilities, gradients) where p.isOnTape {
            p.accumulateGrad(lossZip(d, scales) { $0 * $1 })
        }
    }
}

/// Jensen–Shannon divergence between two distributions given as probabilities; see
/// ``jensenShannonDivergence(probabilities:reduction:)``.
public func jensenShannonDivergence(_ p: Tensor, _ q: Tensor, reduction: Reduction = .mean) -> Tensor {
    jensenShannonDivergence(probabilities: [p, q], reduction: reduction)
}

/// Jensen–Shannon divergence of k distributions given as **logits** (softmax along the last axis
/// is applied inside, stably), in nats; same definition and reduction as the probability form.
/// The gradient goes through the softmax in the same op: ∂/∂xᵢ = pᵢ ⊙ (dᵢ − ⟨dᵢ, pᵢ⟩) with
/// dᵢ = ∂JS/∂pᵢ, per row.
public func jensenShannonDivergence(logits: [Tensor], reduction: Reduction = .mean) -> Tensor {
    jensenShannonFromLogits("jensen_shannon_logits", logits, reduction: reduction, mixtureFloor: nil)
}

/// The AugMix Jensen–Shannon consistency loss (Hendrycks et al. 2020) over the predictions for a
/// clean image and two augmentations, all logits `[N, K]`, in nats:
/// M = clamp((p_clean + p_aug1 + p_aug2)/3, 10⁻⁷, 1) and
/// loss = [KL(p_clean‖M) + KL(p_aug1‖M) + KL(p_aug2‖M)] / 3, each KL averaged over the batch
/// (`kl_div(M.log(), p, reduction='batchmean')`, exactly as the reference code). The weight λ
/// (12 in the paper) is left to the caller.
public func augMixConsistencyLoss(clean: Tensor, augmented1: Tensor, augmented2: Tensor) -> Tensor {
    jensenShannonFromLogits("augmix_consistency", [clean, augmented1, augmented2], reduction: .mean, mixtureFloor: 1e-7)
}

func jensenShannonFromLogits(_ name: String, _ logits: [Tensor], reduction: Reduction, mixtureFloor: Float?) -> Tensor {
    requireJensenShannonShapes(name, logits)
    let classes = logits[0].shape.last!, count = logits[0].count
    let rows = count / Swift.max(classes, 1)
    var probabilities: [[Float]] = [], logProbabilities: [[Float]] = []
    for x in logits {
        var p = [Float](repeating: 0, count: count), lp = [Float](repeating: 0, count: count)
        x.storage.withUnsafeBufferPointer { x in
            for r in 0..<rows {
                let base = r * classes
                var m = -Float.infinity
                for j in 0..<classes { m = Swift.max(m, x[base + j]) }
                var s: Double = 0
                for j in 0..<classes { s += Foundation.exp(Double(x[base + j] - m)) }
                let lse = Double(m) + Foundation.log(s)
                for j in 0..<classes {
                    let l = Double(x[base + j]) - lse
                    lp[base + j] = Float(l); p[base + j] = Float(Foundation.exp(l))
                }
            }
        }
        probabilities.append(p); logProbabilities.append(lp)
    }
    let (terms, gradients) = jensenShannonParts(probabilities: probabilities, logProbabilities: logProbabilities,
                                                mixtureFloor: mixtureFloor)
    let reducer = LossReducer.perSample(logits[0].shape, reduction)
    let (shape, storage) = reducer.output(terms)
    return Tensor.result(name, shape: shape, storage: storage, inputs: logits) { _, g in
        let rowScales = reducer.elementScales(g)
        for i in logits.indices where logits[i].isOnTape {
            var dx = [Float](repeating: 0, count: count)
            let p = probabilities[i], d = gradients[i]
            for r in 0..<rows {
                let base = r * classes
                var dot: Double = 0
                for j in 0..<classes { dot += Double(d[base + j]) * Double(p[base + j]) }
                let scale = Double(rowScales[base])
                for j in 0..<classes { dx[base + j] = Float(scale * Double(p[base + j]) * (Double(d[base + j]) - dot)) }
            }
            logits[i].accumulateGrad(dx)
        }
    }
}
