import Foundation

/// Batch normalisation over the channel axis (axis 1), as `torch.nn.BatchNorm1d/2d`.
///
/// Training: y = γ·(x − μ_B)/√(σ²_B + eps) + β with the batch mean and biased batch variance per
/// channel (over N and all spatial positions); the running statistics move towards the batch's:
/// running = (1 − momentum)·running + momentum·batch, with the **unbiased** variance (M/(M−1)·σ²_B),
/// exactly as PyTorch. With `momentum == nil` they are the cumulative average (factor 1/numBatchesTracked).
/// Evaluation: the running statistics replace the batch's.
///
/// State dict: `weight` (γ, init 1), `bias` (β, init 0) when affine; buffers `running_mean` (init 0),
/// `running_var` (init 1). `num_batches_tracked` is the integer counter ``numBatchesTracked`` (the
/// checkpoint writer stores it as I64); it is not a Float buffer, so summaries count 2·C non-trainable values.
public class BatchNormalization: Layer {
    /// Channels C (axis 1 of the input).
    public let numFeatures: Int
    /// Added to the variance before the square root (PyTorch default 1e-5).
    public let eps: Float
    /// Weight of the batch statistic in the running update (PyTorch default 0.1; nil = cumulative average).
    public let momentum: Float?
    /// γ `[C]`, init 1 (nil when not affine).
    public let weight: Tensor?
    /// β `[C]`, init 0 (nil when not affine).
    public let bias: Tensor?
    /// Buffer `running_mean` `[C]`, init 0; used instead of the batch mean in evaluation.
    public let runningMean: Tensor
    /// Buffer `running_var` `[C]`, init 1 (unbiased batch variances); used in evaluation.
    public let runningVar: Tensor
    /// Number of training-mode forward passes (PyTorch's `num_batches_tracked`).
    public var numBatchesTracked: Int64 = 0
    public var isTraining = true
    let allowedRanks: [Int]
    let kind: String

    init(kind: String, allowedRanks: [Int], numFeatures: Int, eps: Float, momentum: Float?, affine: Bool) {
        require(numFeatures > 0, "\(kind): numFeatures must be positive")
        self.kind = kind; self.allowedRanks = allowedRanks
        self.numFeatures = numFeatures; self.eps = eps; self.momentum = momentum
        weight = affine ? Tensor.ones([numFeatures], requiresGrad: true) : nil
        bias = affine ? Tensor.zeros([numFeatures], requiresGrad: true) : nil
        runningMean = Tensor.zeros([numFeatures])
        runningVar = Tensor.ones([numFeatures])
    }

    public var ownParameters: [(name: String, tensor: Tensor)] {
        (weight.map { [("weight", $0)] } ?? []) + (bias.map { [("bias", $0)] } ?? [])
    }
    public var ownBuffers: [(name: String, tensor: Tensor)] { [("running_mean", runningMean), ("running_var", runningVar)] }
    public var summaryName: String { "\(kind)(\(numFeatures))" }

    public func forward(_ x: Tensor) -> Tensor { forward(x, rectifierSlope: nil) }

    /// This layer followed by `ReLU` (`rectifierSlope` 0) or `LeakyReLU(slope)` (slope > 0) as one
    /// tape op: the same values and gradients, bit for bit, as the two layers one after the other,
    /// with one pass over the activations less each way (``Sequential`` uses it; nil = no rectifier).
    public func forward(_ x: Tensor, rectifierSlope: Float?) -> Tensor {
        require(allowedRanks.contains(x.rank) && x.shape[1] == numFeatures,
                     "\(kind)(\(numFeatures)): expected input of rank \(allowedRanks) with \(numFeatures) channels on axis 1, got \(x.shape)")
        if isTraining {
            numBatchesTracked += 1
            let factor = momentum ?? 1 / Float(numBatchesTracked)
            return batchNorm(x, weight: weight, bias: bias, runningMean: runningMean, runningVar: runningVar,
                             training: true, momentum: factor, eps: eps, rectifierSlope: rectifierSlope)
        }
        return batchNorm(x, weight: weight, bias: bias, runningMean: runningMean, runningVar: runningVar,
                         training: false, momentum: 0, eps: eps, rectifierSlope: rectifierSlope)
    }
}

/// BatchNorm over `[N, C]` or `[N, C, L]`.
public final class BatchNorm1D: BatchNormalization {
    /// `torch.nn.BatchNorm1d(num_features, eps, momentum, affine)`.
    public init(_ numFeatures: Int, eps: Float = 1e-5, momentum: Float? = 0.1, affine: Bool = true) {
        super.init(kind: "BatchNorm1D", allowedRanks: [2, 3], numFeatures: numFeatures, eps: eps, momentum: momentum, affine: affine)
    }
}

/// BatchNorm over `[N, C, H, W]`.
public final class BatchNorm2D: BatchNormalization {
    /// `torch.nn.BatchNorm2d(num_features, eps, momentum, affine)`.
    public init(_ numFeatures: Int, eps: Float = 1e-5, momentum: Float? = 0.1, affine: Bool = true) {
        super.init(kind: "BatchNorm2D", allowedRanks: [4], numFeatures: numFeatures, eps: eps, momentum: momentum, affine: affine)
    }
}

/// Batch normalisation as one tape op. x: `[N, C, …]` (viewed as `[N, C, S]`), weight/bias: `[C]` or nil.
///
/// `training`: normalise with batch statistics and update the running buffers in place
/// (`running = (1−momentum)·running + momentum·stat`, unbiased variance); otherwise normalise with
/// the running buffers (nil buffers: always batch statistics).
/// Backward (training), per channel with M = N·S, x̂ = (x−μ)/σ, g = dy·γ:
/// dx = (1/(M·σ))·(M·g − Σg − x̂·Σ(g·x̂)); dγ = Σ dy·x̂; dβ = Σ dy. In evaluation dx = dy·γ/σ.
///
/// `rectifierSlope` (≥ 0) fuses the rectifier that follows: out = max(z, 0) for 0 (as ``Tensor/relu()``),
/// z > 0 ? z : slope·z otherwise (as ``Tensor/leakyReLU(slope:)``), z the normalised value. Backward
/// takes dy = z > 0 ? dout : slope·dout on the fly, recomputing z = x·scale + shift as the forward did,
/// so neither z nor dy is stored or read; values and gradients are those of the two ops, bit for bit.
public func batchNorm(_ x: Tensor, weight: Tensor?, bias: Tensor?, runningMean: Tensor?, runningVar: Tensor?,
                      training: Bool, momentum: Float = 0.1, eps: Float = 1e-5, rectifierSlope: Float? = nil) -> Tensor {
    require(rectifierSlope.map { $0 >= 0 } ?? true, "batchNorm: a fused rectifier needs a slope ≥ 0, got \(rectifierSlope!)")
    require(x.rank >= 2, "batchNorm: expected [N, C, …], got \(x.shape)")
    let n = x.shape[0], c = x.shape[1], s = x.shape.dropFirst(2).reduce(1, *), m = n * s
    let useBatchStats = training || runningMean == nil || runningVar == nil
    require(!useBatchStats || m > 1 || !training, "batchNorm: training needs more than one value per channel, got \(x.shape)")
    // Passes run in parallel parts (ParallelLoops): statistics per channel, the elementwise
    // passes per (sample, channel) row; every value is computed exactly as in a serial loop.
    var mean = [Float](repeating: 0, count: c), invStd = [Float](repeating: 0, count: c)
    // Data-parallel (synchronised BatchNorm): statistics of the global batch, all-reduced over the ranks.
    let sync = training && useBatchStats ? BatchShard.batchNormSynchronization : nil
    var statisticsCount = m  // values per channel the statistics are taken over (all ranks' when synchronised)
    if let sync {
        let s = syncedBatchStatistics(x, sum: sync.sum, eps: eps)
        mean = s.mean; invStd = s.invStd; statisticsCount = s.count
        if let runningMean, let runningVar {
            for ch in 0..<c {
                runningMean.storage[ch] = (1 - momentum) * runningMean.storage[ch] + momentum * mean[ch]
                runningVar.storage[ch] = (1 - momentum) * runningVar.storage[ch] + momentum * Float(s.unbiased[ch])
            }
        }
    } else if useBatchStats {
        var unbiased = [Double](repeating: 0, count: c)
        x.storage.withUnsafeBufferPointer { xb in mean.withUnsafeMutableBufferPointer { meanP in
            invStd.withUnsafeMutableBufferPointer { invP in unbiased.withUnsafeMutableBufferPointer { unbP in
                let xp = xb.baseAddress!, mp = meanP.baseAddress!, ip = invP.baseAddress!, up = unbP.baseAddress!
                ParallelLoops.forEachPart(c, cost: 2 * m) { channels in
                    for ch in channels {
                        var sum: Double = 0, sq: Double = 0
                        for b in 0..<n { sum += vectorSum(xp + (b * c + ch) * s, s) }
                        let mu = sum / Double(m)
                        for b in 0..<n { sq += vectorSquaredDeviation(xp + (b * c + ch) * s, s, from: Float(mu)) }
                        let variance = sq / Double(m)
                        mp[ch] = Float(mu)
                        ip[ch] = Float(1 / (variance + Double(eps)).squareRoot())
                        up[ch] = m > 1 ? sq / Double(m - 1) : variance
                    }
                }
            } }
        } }
        if training, let runningMean, let runningVar {
            for ch in 0..<c {
                runningMean.storage[ch] = (1 - momentum) * runningMean.storage[ch] + momentum * mean[ch]
                runningVar.storage[ch] = (1 - momentum) * runningVar.storage[ch] + momentum * Float(unbiased[ch])
            }
        }
    } else {
        for ch in 0..<c {
            mean[ch] = runningMean!.storage[ch]
            invStd[ch] = 1 / (runningVar!.storage[ch] + eps).squareRoot()
        }
    }
    // y = (x − μ)·(γ/σ) + β, one multiply-add per element
    var y = uninitializedFloats(x.count)
    let gamma = weight?.storage ?? [Float](repeating: 1, count: c)
    let beta = bias?.storage ?? [Float](repeating: 0, count: c)
    var scales = [Float](repeating: 0, count: c), shifts = [Float](repeating: 0, count: c)
    for ch in 0..<c { scales[ch] = gamma[ch] * invStd[ch]; shifts[ch] = beta[ch] - mean[ch] * scales[ch] }
    x.storage.withUnsafeBufferPointer { xb in y.withUnsafeMutableBufferPointer { yb in
        let xp = xb.baseAddress!, yp = yb.baseAddress!
        ParallelLoops.forEachPart(n * c, cost: s) { rows in
            for row in rows {
                let ch = row % c, scale = scales[ch], shift = shifts[ch], base = row * s
                switch rectifierSlope {
                case nil: for i in 0..<s { yp[base + i] = xp[base + i] * scale + shift }
                case 0: for i in 0..<s { yp[base + i] = Swift.max(xp[base + i] * scale + shift, 0) }
                case let slope?:
                    for i in 0..<s { let z = xp[base + i] * scale + shift; yp[base + i] = z > 0 ? z : slope * z }
                }
            }
        }
    } }
    let inputs = [x] + (weight.map { [$0] } ?? []) + (bias.map { [$0] } ?? [])
    let name = rectifierSlope == nil ? "batch_norm" : (rectifierSlope == 0 ? "batch_norm_relu" : "batch_norm_leaky_relu")
    return Tensor.result(name, shape: x.shape, storage: y, inputs: inputs) { _, g in
        // dy, the gradient at the normalised values: g itself, or g through the fused rectifier, taken
        // on the fly in both passes below from z = x·scale + shift recomputed exactly as forward did it
        // (so neither z nor the output is read).
        let slope = rectifierSlope ?? 1
        // Per channel: Σdy and Σdy·x̂ (each channel's sum in sample order, as serially).
        var sumG = [Double](repeating: 0, count: c), sumGX = [Double](repeating: 0, count: c)
        x.storage.withUnsafeBufferPointer { xb in g.withUnsafeBufferPointer { gb in
            sumG.withUnsafeMutableBufferPointer { sgb in sumGX.withUnsafeMutableBufferPointer { sgxb in
                let xp = xb.baseAddress!, gp = gb.baseAddress!, sgp = sgb.baseAddress!, sgxp = sgxb.baseAddress!
                ParallelLoops.forEachPart(c, cost: m) { channels in
                    for ch in channels {
                        var sg: Double = 0, sgx: Double = 0
                        for b in 0..<n {
                            let base = (b * c + ch) * s
                            let (a, bb) = rectifierSlope == nil
                                ? vectorGradientSums(gp + base, xp + base, s, mean: mean[ch], invStd: invStd[ch])
                                : vectorGradientSums(gp + base, xp + base, s, mean: mean[ch], invStd: invStd[ch],
                                                     rectifiedAt: scales[ch], shifts[ch], slope: slope)
                            sg += a; sgx += bb
                        }
                        sgp[ch] = sg; sgxp[ch] = sgx
                    }
                }
            } }
        } }
        if let weight, weight.isOnTape { weight.accumulateGrad(sumGX.map { Float($0) }) }
        if let bias, bias.isOnTape { bias.accumulateGrad(sumG.map { Float($0) }) }
        guard x.isOnTape else { return }
        if let sync {
            // dx needs Σdy and Σdy·x̂ over the global batch. Each rank's dy is the gradient of its own
            // mean loss; weighted by its share (as the gradient all-reduce weighs it) they sum to the
            // global loss's, and dividing by the share again returns to this rank's units.
            let w = sync.shard.weight
            var both = sumG.map { $0 * w } + sumGX.map { $0 * w }
            sync.sum(&both)
            for ch in 0..<c { sumG[ch] = both[ch] / w; sumGX[ch] = both[c + ch] / w }
        }
        let statisticsValues = Double(statisticsCount)
        var dx = uninitializedFloats(x.count)
        let rectified = rectifierSlope != nil
        x.storage.withUnsafeBufferPointer { xb in g.withUnsafeBufferPointer { gb in dx.withUnsafeMutableBufferPointer { db in
            let xp = xb.baseAddress!, gp = gb.baseAddress!, d = db.baseAddress!
            ParallelLoops.forEachPart(n * c, cost: s) { rows in
                for row in rows {
                    let ch = row % c, base = row * s, mu = mean[ch], inv = invStd[ch], scale = gamma[ch] * inv
                    if useBatchStats {
                        // dx = γσ⁻¹·(dy − Σdy/M − x̂·Σ(dy·x̂)/M)
                        let meanG = Float(sumG[ch] / statisticsValues), meanGX = Float(sumGX[ch] / statisticsValues)
                        if rectified {
                            rectifiedNormGradient(gp + base, slope: slope, x: xp + base, count: s, mean: mu, invStd: inv,
                                                  normScale: scales[ch], normShift: shifts[ch], scale: scale,
                                                  meanG: meanG, meanGX: meanGX, into: d + base)
                        } else {
                            for i in 0..<s {
                                let xhat = (xp[base + i] - mu) * inv
                                d[base + i] = scale * (gp[base + i] - meanG - xhat * meanGX)
                            }
                        }
                    } else if rectified {
                        let zs = scales[ch], zb = shifts[ch]
                        for i in 0..<s { d[base + i] = scale * rectifierGradient(gp[base + i], at: xp[base + i] * zs + zb, slope: slope) }
                    } else {
                        for i in 0..<s { d[base + i] = scale * gp[base + i] }
                    }
                }
            }
        } } }
        x.accumulateGrad(dx)
    }
}

/// Per-channel mean, 1/√(σ² + eps) and unbiased variance of `x` `[N, C, …]` over every rank's batch:
/// one all-reduce of the sums and counts, then one of the squared deviations from the global mean
/// (two passes, as the single-process statistics).
func syncedBatchStatistics(_ x: Tensor, sum: (inout [Double]) -> Void, eps: Float = 1e-5) -> (mean: [Float], invStd: [Float], unbiased: [Double], count: Int) {
    let n = x.shape[0], c = x.shape[1], s = x.shape.dropFirst(2).reduce(1, *)
    var sums = [Double](repeating: 0, count: c + 1)
    x.storage.withUnsafeBufferPointer { xb in
        let xp = xb.baseAddress!
        for ch in 0..<c { for b in 0..<n { sums[ch] += vectorSum(xp + (b * c + ch) * s, s) } }
    }
    sums[c] = Double(n * s)
    sum(&sums)
    let total = Int(sums[c].rounded())
    var mean = [Float](repeating: 0, count: c)
    for ch in 0..<c { mean[ch] = Float(sums[ch] / Double(max(total, 1))) }
    var squares = [Double](repeating: 0, count: c)
    x.storage.withUnsafeBufferPointer { xb in
        let xp = xb.baseAddress!
        for ch in 0..<c { for b in 0..<n { squares[ch] += vectorSquaredDeviation(xp + (b * c + ch) * s, s, from: mean[ch]) } }
    }
    sum(&squares)
    var invStd = [Float](repeating: 0, count: c), unbiased = [Double](repeating: 0, count: c)
    for ch in 0..<c {
        let variance = squares[ch] / Double(max(total, 1))
        invStd[ch] = Float(1 / (variance + Double(eps)).squareRoot())
        unbiased[ch] = total > 1 ? squares[ch] / Double(total - 1) : variance
    }
    return (mean, invStd, unbiased, total)
}

// MARK: - vectorised reductions (16 Float lanes per block of ≤ 256 values, blocks added in Double)

@inline(__always)
func reduceBlocks(_ count: Int, _ block: (_ start: Int, _ end: Int) -> (Double, Double)) -> (Double, Double) {
    var a: Double = 0, b: Double = 0
    var start = 0
    while start < count {
        let end = Swift.min(start + 256, count)
        let (x, y) = block(start, end)
        a += x; b += y
        start = end
    }
    return (a, b)
}

/// Σ p[i].
func vectorSum(_ p: UnsafePointer<Float>, _ count: Int) -> Double {
    let raw = UnsafeRawPointer(p)
    return reduceBlocks(count) { start, end in
        var acc = SIMD16<Float>(repeating: 0)
        var i = start
        while i + 16 <= end { acc += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self); i += 16 }
        var tail: Float = 0
        while i < end { tail += p[i]; i += 1 }
        return (Double(acc.sum() + tail), 0)
    }.0
}

/// Σ (p[i] − mu)².
func vectorSquaredDeviation(_ p: UnsafePointer<Float>, _ count: Int, from mu: Float) -> Double {
    let raw = UnsafeRawPointer(p)
    let m = SIMD16<Float>(repeating: mu)
    return reduceBlocks(count) { start, end in
        var acc = SIMD16<Float>(repeating: 0)
        var i = start
        while i + 16 <= end {
            let d = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) - m
            acc += d * d
            i += 16
        }
        var tail: Float = 0
        while i < end { let d = p[i] - mu; tail += d * d; i += 1 }
        return (Double(acc.sum() + tail), 0)
    }.0
}

/// (Σ g[i], Σ g[i]·(x[i] − mean)·invStd): the rectified sums below with a rectifier that passes
/// every g (slope 1, z ≡ 1), whose values are g[i] exactly.
func vectorGradientSums(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ count: Int,
                        mean: Float, invStd: Float) -> (Double, Double) {
    vectorGradientSums(g, x, count, mean: mean, invStd: invStd, rectifiedAt: 0, 1, slope: 1)
}

/// The gradient at a rectifier's input z from the gradient `g` at its output (slope ≥ 0):
/// `g` where z > 0, `slope·g` elsewhere — `rectifierBackward`'s value.
@inline(__always)
func rectifierGradient(_ g: Float, at z: Float, slope: Float) -> Float { z > 0 ? g : slope * g }

/// ``vectorGradientSums(_:_:_:mean:invStd:)`` of the gradient at a fused rectifier's input
/// z = x·normScale + normShift (recomputed as the forward computed it): g[i] where z > 0, slope·g[i]
/// elsewhere (the same values as the two ops' sums).
func vectorGradientSums(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ count: Int, mean: Float, invStd: Float,
                        rectifiedAt normScale: Float, _ normShift: Float, slope: Float) -> (Double, Double) {
    let rg = UnsafeRawPointer(g), rx = UnsafeRawPointer(x)
    let m = SIMD16<Float>(repeating: mean), inv = SIMD16<Float>(repeating: invStd)
    let zs = SIMD16<Float>(repeating: normScale), zb = SIMD16<Float>(repeating: normShift)
    return reduceBlocks(count) { start, end in
        var sg = SIMD16<Float>(repeating: 0), sgx = SIMD16<Float>(repeating: 0)
        var i = start
        while i + 16 <= end {
            let raw = rg.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            let xv = rx.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            var gv = raw * slope
            gv.replace(with: raw, where: xv * zs + zb .> 0)
            sg += gv
            sgx += gv * ((xv - m) * inv)
            i += 16
        }
        var tg: Float = 0, tgx: Float = 0
        while i < end {
            let gi = rectifierGradient(g[i], at: x[i] * normScale + normShift, slope: slope)
            tg += gi; tgx += gi * ((x[i] - mean) * invStd); i += 1
        }
        return (Double(sg.sum() + tg), Double(sgx.sum() + tgx))
    }
}

/// One row of the training backward with a fused rectifier: d[i] = scale·(dy − meanG − x̂·meanGX),
/// x̂ = (x[i] − mean)·invStd, dy = ``rectifierGradient(_:at:slope:)`` at z = x[i]·normScale + normShift
/// — 16 lanes at a time (the same operations per element as the scalar tail, so the same bits).
@inline(__always)
func rectifiedNormGradient(_ g: UnsafePointer<Float>, slope: Float, x: UnsafePointer<Float>, count: Int,
                           mean: Float, invStd: Float, normScale: Float, normShift: Float, scale: Float,
                           meanG: Float, meanGX: Float, into d: UnsafeMutablePointer<Float>) {
    let rg = UnsafeRawPointer(g), rx = UnsafeRawPointer(x), rd = UnsafeMutableRawPointer(d)
    let mu = SIMD16<Float>(repeating: mean), inv = SIMD16<Float>(repeating: invStd), sc = SIMD16<Float>(repeating: scale)
    let zs = SIMD16<Float>(repeating: normScale), zb = SIMD16<Float>(repeating: normShift)
    let mg = SIMD16<Float>(repeating: meanG), mgx = SIMD16<Float>(repeating: meanGX)
    var i = 0
    while i + 16 <= count {
        let raw = rg.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
        let xv = rx.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
        var dy = raw * slope
        dy.replace(with: raw, where: xv * zs + zb .> 0)
        let xhat = (xv - mu) * inv
        rd.storeBytes(of: sc * (dy - mg - xhat * mgx), toByteOffset: i * 4, as: SIMD16<Float>.self)
        i += 16
    }
    while i < count {
        let xhat = (x[i] - mean) * invStd
        d[i] = scale * (rectifierGradient(g[i], at: x[i] * normScale + normShift, slope: slope) - meanG - xhat * meanGX)
        i += 1
    }
}
