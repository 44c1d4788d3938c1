import Foundation

/// The four VAE architectures (contract: `--arch` names and config.json values).
public enum VAEArchitecture: String, Codable, CaseIterable, Sendable {
    /// *Generative Deep Learning*'s Fashion-MNIST VAE: 1×32×32, three stride-2 convs, Bernoulli likelihood.
    case fashion
    /// The seed slides' face VAE: 3×S×S (S ∈ 64, 128, 256), five conv blocks with BatchNorm, latent 200, Gaussian likelihood.
    case faces
    /// The seed project's final model: affine encoder and decoder on flattened 28×28, learned Gaussian variance.
    case linear
    /// The PyTorch examples VAE: 784→400→(μ, log σ²) 20; 20→400→784 sigmoid, Bernoulli likelihood.
    case mlp
}

/// How p(x|z) scores a reconstruction; every loss is in nats per image.
public enum VAELikelihood: String, Codable, Sendable {
    /// Bernoulli: Σ_pixels BCE(x, sigmoid(logits)), computed from logits.
    case bernoulli
    /// Gaussian with fixed σ: Σ (x − x̂)²/(2σ²) + (D/2)·ln(2πσ²).
    case gaussianFixed = "gaussian_fixed"
    /// Gaussian with one learned log-variance shared by all pixels (probabilistic-PCA style).
    case gaussianLearned = "gaussian_learned"
}

/// Everything needed to rebuild a VAE (written to `config.json` of a run).
public struct VAEConfig: Codable, Equatable, Sendable {
    public var architecture: VAEArchitecture
    public var latentDim: Int
    public var channels: Int
    public var imageSize: Int
    public var likelihood: VAELikelihood
    /// σ of the fixed Gaussian likelihood (faces). σ² = ½ makes the data term Σ(x − x̂)² plus a constant.
    public var gaussianSigma: Float
    public var leakySlope: Float

    public init(architecture: VAEArchitecture, latentDim: Int? = nil, imageSize: Int? = nil, channels: Int? = nil) {
        self.architecture = architecture
        switch architecture {
        case .fashion:
            self.latentDim = latentDim ?? 2; self.channels = channels ?? 1; self.imageSize = imageSize ?? 32
            likelihood = .bernoulli
        case .faces:
            self.latentDim = latentDim ?? 200; self.channels = channels ?? 3; self.imageSize = imageSize ?? 64
            likelihood = .gaussianFixed
        case .linear:
            self.latentDim = latentDim ?? 20; self.channels = channels ?? 1; self.imageSize = imageSize ?? 28
            likelihood = .gaussianLearned
        case .mlp:
            self.latentDim = latentDim ?? 20; self.channels = channels ?? 1; self.imageSize = imageSize ?? 28
            likelihood = .bernoulli
        }
        gaussianSigma = Float(0.5).squareRoot()
        leakySlope = 0.2
    }

    /// Checks the combination is buildable; the message names the flag at fault.
    public func validate() throws {
        guard latentDim >= 1 && latentDim <= 4096 else { throw ModelError.invalidArgument("--latent-dim must be in 1…4096, got \(latentDim)") }
        switch architecture {
        case .fashion:
            guard imageSize == 32 else { throw ModelError.invalidArgument("--image-size: the fashion VAE takes 32×32 input (28×28 padded), got \(imageSize)") }
        case .faces:
            guard [32, 64, 128, 256].contains(imageSize) else {
                throw ModelError.invalidArgument("--image-size: the faces VAE takes 64, 128 or 256 (or 32), got \(imageSize)")
            }
        case .linear, .mlp:
            guard imageSize >= 4 && imageSize <= 256 else { throw ModelError.invalidArgument("--image-size must be in 4…256, got \(imageSize)") }
        }
    }

    public var inputShape: [Int] { [channels, imageSize, imageSize] }
    public var pixelCount: Int { channels * imageSize * imageSize }
}
