import Foundation

/// A Variational Autoencoder: q(z|x) = N(μ(x), diag σ²(x)), p(z) = N(0, I), p(x|z) per ``VAELikelihood``.
///
/// State-dict names (PyTorch-compatible, see `scripts/pytorch_vae.py`): `encoder.*` (a Sequential
/// ending in a flatten), `fc_mu.*`, `fc_logvar.*`, `decoder.*` (a Sequential from z to the
/// pre-activation output: logits for Bernoulli, the mean before its sigmoid for the faces VAE),
/// and `log_sigma2` for the linear VAE's learned variance.
public final class VariationalAutoencoder: Layer {
    public let config: VAEConfig
    public let encoder: Sequential
    public let meanHead: Dense
    public let logVarianceHead: Dense
    public let decoder: Sequential
    /// ln σ² of the learned Gaussian likelihood (shape `[1]`), only for `.gaussianLearned`.
    public let logSigma2: Tensor?
    public var isTraining = true

    public init(config: VAEConfig, rng: inout RandomGenerator) {
        self.config = config
        let built = VAEArchitectures.build(config, rng: &rng)
        encoder = built.encoder
        meanHead = built.meanHead
        logVarianceHead = built.logVarianceHead
        decoder = built.decoder
        logSigma2 = config.likelihood == .gaussianLearned ? Tensor(shape: [1], storage: [0], requiresGrad: true) : nil
    }

    public var children: [(name: String, layer: Layer)] {
        [("encoder", encoder), ("fc_mu", meanHead), ("fc_logvar", logVarianceHead), ("decoder", decoder)]
    }

    public var ownParameters: [(name: String, tensor: Tensor)] {
        logSigma2.map { [("log_sigma2", $0)] } ?? []
    }

    public var summaryName: String { "VAE(\(config.architecture.rawValue), latent \(config.latentDim))" }

    /// x `[N, C, H, W]` → (μ, ln σ²) each `[N, D]`.
    public func encode(_ x: Tensor) -> (mean: Tensor, logVariance: Tensor) {
        let h = encoder(x)
        return (meanHead(h), logVarianceHead(h))
    }

    /// z `[N, D]` → decoder output `[N, C, H, W]` before the output activation (logits / pre-sigmoid mean).
    public func decodeRaw(_ z: Tensor) -> Tensor {
        decoder(z).reshaped([z.shape[0]] + config.inputShape)
    }

    /// z `[N, D]` → images in [0, 1] (the likelihood's mean), `[N, C, H, W]`.
    public func decode(_ z: Tensor) -> Tensor {
        let raw = decodeRaw(z)
        switch config.likelihood {
        case .bernoulli, .gaussianFixed: return raw.sigmoid()
        case .gaussianLearned: return raw
        }
    }

    /// The reparameterization z = μ + σ·ε with ε ~ N(0, I) drawn from `rng`; gradients flow to μ and ln σ².
    public static func reparameterize(mean: Tensor, logVariance: Tensor, rng: inout RandomGenerator) -> Tensor {
        // Data-parallel: ε of the global batch, this rank's rows of it (BatchShard).
        let eps = BatchShard.current.map { $0.draw(mean.shape) { Tensor.normal($0, rng: &rng) } } ?? Tensor.normal(mean.shape, rng: &rng)
        return mean + (logVariance * 0.5).exp() * eps
    }

    /// Forward for training: the two ELBO terms as batch means (nats per image), on the tape.
    public func loss(_ x: Tensor, beta: Float, rng: inout RandomGenerator) -> VAELoss {
        let (mu, logVar) = encode(x)
        let z = Self.reparameterize(mean: mu, logVariance: logVar, rng: &rng)
        let raw = decodeRaw(z)
        let n = Float(x.shape[0])
        let reconstruction = reconstructionLoss(raw, x) / n
        let kl = klDivergenceToStandardNormal(mean: mu, logVariance: logVar, reduction: .sum) / n
        let total = beta == 1 ? reconstruction + kl : reconstruction + kl * beta
        return VAELoss(total: total, reconstruction: reconstruction, kl: kl)
    }

    /// −ln p(x|z) summed over pixels and over the batch, in nats (on the tape).
    public func reconstructionLoss(_ raw: Tensor, _ x: Tensor) -> Tensor {
        switch config.likelihood {
        case .bernoulli:
            return binaryCrossEntropyWithLogits(raw, x, reduction: .sum)
        case .gaussianFixed:
            let s2 = config.gaussianSigma * config.gaussianSigma
            let constant = Float(x.count) * 0.5 * Foundation.log(2 * Float.pi * s2)
            return meanSquaredError(raw.sigmoid(), x, reduction: .sum) * (1 / (2 * s2)) + constant
        case .gaussianLearned:
            return gaussianNegativeLogLikelihood(mean: raw, logVariance: logSigma2!, target: x, reduction: .sum)
        }
    }

    public func forward(_ x: Tensor) -> Tensor { decode(encode(x).mean) }
}

/// The ELBO terms of one batch: `total` = reconstruction + β·KL, each a mean over images in nats.
public struct VAELoss {
    public let total: Tensor
    public let reconstruction: Tensor
    public let kl: Tensor
}
