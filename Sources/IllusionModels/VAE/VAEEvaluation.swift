import Foundation

/// Test-set figures of a VAE, each a mean over images in nats (contract of `illusion eval --json`).
public struct VAEEvaluation: Codable, Equatable {
    /// −ELBO = reconstruction + KL (β = 1), one ε per image.
    public var negElbo: Double
    /// E_q[−ln p(x|z)] estimated with one sample.
    public var reconstruction: Double
    /// KL(q(z|x) ‖ N(0, I)) in closed form.
    public var kl: Double
    /// −ln of the importance-weighted bound with K samples (≤ neg_elbo in expectation), when K > 0.
    public var iwaeNLL: Double?
    public var iwaeSamples: Int
    public var iwaeImages: Int
    /// Latent dimensions whose posterior mean varies across images: Cov_x(E_q[z]) > 0.01.
    public var activeUnits: Int
    public var images: Int

    enum CodingKeys: String, CodingKey {
        case negElbo = "neg_elbo", reconstruction, kl, iwaeNLL = "iwae_nll", iwaeSamples = "iwae_samples"
        case iwaeImages = "iwae_images", activeUnits = "active_units", images
    }
}

/// Evaluation with noise from a fixed seed, so the same run evaluates to the same figures.
///
/// Each measurement draws from its own stream derived from the seed — the data's dequantisation,
/// the ELBO's ε, the IWAE samples — so one figure never depends on whether another was asked for
/// (`neg_elbo` is the same with or without `--iwae-samples`).
public enum VAEEvaluator {
    /// Seed offsets of the three noise streams.
    static let dataStream: UInt64 = 0xDA7A, iwaeStream: UInt64 = 0x1AE5_0000_0000_1AE5

    /// Evaluates on every image of `dataset`; the IWAE bound uses the first `iwaeImages` images
    /// (it costs K decoder passes per image). `progress`, when given, is told about every batch
    /// (steps: one per ELBO batch plus one per IWAE sample of a batch; images: decoder passes).
    public static func evaluate(_ model: VariationalAutoencoder, on dataset: ImageDataset, iwaeSamples: Int = 0,
                                iwaeImages: Int = 1000, seed: UInt64 = 1234, batchSize: Int = 250,
                                progress: ProgressReporter? = nil) -> VAEEvaluation {
        let wasTraining = model.isTraining
        model.setTraining(false)
        defer { model.setTraining(wasTraining) }
        var rng = RandomGenerator(seed: seed)
        var iwaeRNG = RandomGenerator(seed: seed ^ iwaeStream)
        var dataRNG = RandomGenerator(seed: seed ^ dataStream)
        let n = dataset.count
        let d = model.config.latentDim
        var sumRec = 0.0, sumKL = 0.0
        var means = [Double](repeating: 0, count: d), squares = [Double](repeating: 0, count: d)
        var iwaeSum = 0.0
        let iwaeCount = iwaeSamples > 0 ? min(iwaeImages, n) : 0
        var stepsDone = 0, decoded = 0
        progress?.restart()
        func reportProgress(images: Int) {
            stepsDone += 1; decoded += images
            progress?.update(done: stepsDone, images: decoded, figures: [])
        }
        noGrad {
            var start = 0
            while start < n {
                let count = min(batchSize, n - start)
                let x = dataset.floatImages(at: Array(start..<(start + count)), generator: &dataRNG)
                let (mu, logVar) = model.encode(x)
                let eps = Tensor.normal(mu.shape, rng: &rng)
                let z = mu + (logVar * 0.5).exp() * eps
                let rec = perImageReconstruction(model, model.decodeRaw(z), x)
                let kl = perImageKL(mu.storage, logVar.storage, d)
                for i in 0..<count {
                    sumRec += rec[i]; sumKL += kl[i]
                    for j in 0..<d { let m = Double(mu.storage[i * d + j]); means[j] += m; squares[j] += m * m }
                }
                reportProgress(images: count)
                if start < iwaeCount {
                    let m = min(count, iwaeCount - start)
                    let bound = iwae(model, x.batch(0..<m), mu.batch(0..<m), logVar.batch(0..<m), samples: iwaeSamples,
                                     rng: &iwaeRNG, onSample: { reportProgress(images: m) })
                    iwaeSum += bound.reduce(0, +)
                }
                start += count
            }
        }
        var active = 0
        for j in 0..<d {
            let mean = means[j] / Double(n)
            if squares[j] / Double(n) - mean * mean > 0.01 { active += 1 }
        }
        let rec = sumRec / Double(max(n, 1)), kl = sumKL / Double(max(n, 1))
        return VAEEvaluation(negElbo: rec + kl, reconstruction: rec, kl: kl,
                             iwaeNLL: iwaeCount > 0 ? iwaeSum / Double(iwaeCount) : nil,
                             iwaeSamples: iwaeSamples, iwaeImages: iwaeCount, activeUnits: active, images: n)
    }

    /// The number of progress steps ``evaluate(_:on:iwaeSamples:iwaeImages:seed:batchSize:progress:)``
    /// reports for these arguments (the `total` of its ``ProgressReporter``).
    public static func progressSteps(images n: Int, iwaeSamples: Int, iwaeImages: Int, batchSize: Int = 250) -> Int {
        let batches = (n + batchSize - 1) / batchSize
        let iwaeCount = iwaeSamples > 0 ? min(iwaeImages, n) : 0
        return batches + (iwaeCount + batchSize - 1) / batchSize * iwaeSamples
    }

    /// −ln p(x|z) per image (nats), from the decoder's raw output.
    public static func perImageReconstruction(_ model: VariationalAutoencoder, _ raw: Tensor, _ x: Tensor) -> [Double] {
        let n = x.shape[0], p = x.count / max(n, 1)
        var out = [Double](repeating: 0, count: n)
        let c = model.config
        raw.storage.withUnsafeBufferPointer { r in x.storage.withUnsafeBufferPointer { t in
            for i in 0..<n {
                var s = 0.0
                switch c.likelihood {
                case .bernoulli:
                    for k in (i * p)..<((i + 1) * p) {
                        let v = Double(r[k]), y = Double(t[k])
                        s += max(v, 0) - v * y + Foundation.log1p(Foundation.exp(-Swift.abs(v)))
                    }
                case .gaussianFixed:
                    let s2 = Double(c.gaussianSigma * c.gaussianSigma)
                    for k in (i * p)..<((i + 1) * p) {
                        let m = 1 / (1 + Foundation.exp(-Double(r[k]))), e = m - Double(t[k])
                        s += e * e / (2 * s2)
                    }
                    s += Double(p) * 0.5 * Foundation.log(2 * Double.pi * s2)
                case .gaussianLearned:
                    let lv = Double(model.logSigma2!.storage[0])
                    for k in (i * p)..<((i + 1) * p) { let e = Double(r[k]) - Double(t[k]); s += e * e / (2 * Foundation.exp(lv)) }
                    s += Double(p) * 0.5 * (Foundation.log(2 * Double.pi) + lv)
                }
                out[i] = s
            }
        } }
        return out
    }

    /// KL(N(μ, σ²) ‖ N(0, I)) per image = −½ Σ (1 + ln σ² − μ² − σ²).
    public static func perImageKL(_ mu: [Float], _ logVar: [Float], _ d: Int) -> [Double] {
        let n = mu.count / d
        return (0..<n).map { i in
            var s = 0.0
            for j in 0..<d {
                let m = Double(mu[i * d + j]), lv = Double(logVar[i * d + j])
                s += 1 + lv - m * m - Foundation.exp(lv)
            }
            return -0.5 * s
        }
    }

    /// −ln( (1/K) Σ_k p(x|z_k) p(z_k) / q(z_k|x) ) per image, z_k ~ q(z|x).
    /// With z = μ + σε: ln w = −rec − ½Σz² + ½Σε² + ½Σ ln σ²  (the 2π terms cancel).
    public static func iwae(_ model: VariationalAutoencoder, _ x: Tensor, _ mu: Tensor, _ logVar: Tensor,
                            samples k: Int, rng: inout RandomGenerator, onSample: () -> Void = {}) -> [Double] {
        let n = x.shape[0], d = model.config.latentDim
        var running = [Double](repeating: -.infinity, count: n)  // running log-sum-exp per image
        let halfSumLogVar = (0..<n).map { i in (0..<d).reduce(0.0) { $0 + 0.5 * Double(logVar.storage[i * d + $1]) } }
        let sigma = (logVar * 0.5).exp()
        for _ in 0..<k {
            let eps = Tensor.normal(mu.shape, rng: &rng)
            let z = mu + sigma * eps
            let rec = perImageReconstruction(model, model.decodeRaw(z), x)
            for i in 0..<n {
                var zz = 0.0, ee = 0.0
                for j in 0..<d {
                    let zv = Double(z.storage[i * d + j]), ev = Double(eps.storage[i * d + j])
                    zz += zv * zv; ee += ev * ev
                }
                let logW = -rec[i] - 0.5 * zz + 0.5 * ee + halfSumLogVar[i]
                let m = max(running[i], logW)
                running[i] = m + Foundation.log(Foundation.exp(running[i] - m) + Foundation.exp(logW - m))
            }
            onSample()
        }
        return running.map { -($0 - Foundation.log(Double(k))) }
    }
}
