import Foundation

/// Everything needed to rebuild a convolutional autoencoder and its latent classifier.
public struct AutoencoderConfig: Codable, Equatable, Sendable {
    public var channels = 1
    /// Square input side; must be divisible by 4 (two stride-2 convolutions).
    public var imageSize = 28
    public var latentDim = 2
    public var conv1Filters = 32
    public var conv2Filters = 64
    public var classNames: [String]
    /// Hidden layers of the latent classifier (ReLU MLP on the standardised codes).
    public var classifierHiddenUnits = [64, 64]
    /// Standardisation of the codes before the classifier: z' = (z − codeMean) / codeStd (set after training the autoencoder).
    public var codeMean: [Float] = []
    public var codeStd: [Float] = []

    public init(classNames: [String], channels: Int = 1, imageSize: Int = 28, latentDim: Int = 2) {
        self.classNames = classNames; self.channels = channels; self.imageSize = imageSize; self.latentDim = latentDim
    }

    public func validate() throws {
        guard imageSize >= 4 && imageSize % 4 == 0 else { throw ModelError.invalidArgument("--image-size must be a multiple of 4, got \(imageSize)") }
        guard latentDim >= 1 && latentDim <= 1024 else { throw ModelError.invalidArgument("--latent-dim must be in 1…1024, got \(latentDim)") }
        guard conv1Filters >= 1 && conv2Filters >= 1 else { throw ModelError.invalidArgument("--filters must be positive") }
        guard classNames.count >= 2 else { throw ModelError.invalidArgument("the latent classifier needs at least 2 classes") }
        guard classifierHiddenUnits.allSatisfy({ $0 >= 1 }) else { throw ModelError.invalidArgument("--classifier-hidden: every width must be positive") }
    }

    /// Side of the feature maps at the bottleneck (imageSize / 4).
    public var bottleneckSize: Int { imageSize / 4 }
    public var bottleneckCount: Int { conv2Filters * bottleneckSize * bottleneckSize }
}

/// A convolutional autoencoder with a low-dimensional code, and a classifier on that code
/// (the seed report: "2 convolutional blocks and an embedding size of 2", then a classifier on
/// the feature space).
///
/// - encoder: conv 3×3 stride 2 (C → 32) → ReLU → conv 3×3 stride 2 (32 → 64) → ReLU → flatten →
///   dense → code `[N, latentDim]`;
/// - decoder: dense → ReLU → reshape `[64, S/4, S/4]` → transposed conv 3×3 stride 2 (64 → 32) → ReLU →
///   transposed conv 3×3 stride 2 (32 → C) → logits `[N, C, S, S]` (sigmoid gives pixels);
/// - classifier: MLP on the standardised code → class logits.
///
/// State-dict names: `encoder.0.weight`, …, `decoder.0.weight`, …, `classifier.0.weight`, … (each part a
/// `torch.nn.Sequential`).
public final class ConvolutionalAutoencoder: Layer {
    public var config: AutoencoderConfig
    public let encoder: Sequential
    public let decoder: Sequential
    public let classifier: Sequential
    public var isTraining = true

    public init(config: AutoencoderConfig, rng: inout RandomGenerator) {
        self.config = config
        let c = config, k: Size2D = 3
        encoder = Sequential([
            Conv2D(c.channels, c.conv1Filters, kernelSize: k, stride: 2, padding: 1, weightInit: .heUniform(), rng: &rng), ReLU(),
            Conv2D(c.conv1Filters, c.conv2Filters, kernelSize: k, stride: 2, padding: 1, weightInit: .heUniform(), rng: &rng), ReLU(),
            Flatten(),
            Dense(c.bottleneckCount, c.latentDim, rng: &rng),
        ])
        decoder = Sequential([
            Dense(c.latentDim, c.bottleneckCount, weightInit: .heUniform(), rng: &rng), ReLU(),
            Reshape([c.conv2Filters, c.bottleneckSize, c.bottleneckSize]),
            Conv2DTranspose(c.conv2Filters, c.conv1Filters, kernelSize: k, stride: 2, padding: 1, outputPadding: 1, rng: &rng), ReLU(),
            Conv2DTranspose(c.conv1Filters, c.channels, kernelSize: k, stride: 2, padding: 1, outputPadding: 1, rng: &rng),
        ])
        var layers: [Layer] = []
        var size = c.latentDim
        for units in c.classifierHiddenUnits {
            layers.append(Dense(size, units, weightInit: .heUniform(), rng: &rng))
            layers.append(ReLU())
            size = units
        }
        layers.append(Dense(size, c.classNames.count, rng: &rng))
        classifier = Sequential(layers)
    }

    public var children: [(name: String, layer: Layer)] { [("encoder", encoder), ("decoder", decoder), ("classifier", classifier)] }
    public var summaryName: String { "ConvolutionalAutoencoder(latent \(config.latentDim))" }

    /// Reconstruction logits of images `[N, C, S, S]`.
    public func forward(_ x: Tensor) -> Tensor { decoder(encoder(x)) }

    /// Codes `[N, latentDim]` of images `[N, C, S, S]`.
    public func encode(_ x: Tensor) -> Tensor { encoder(x) }

    /// Standardises codes with the stored statistics (identity before they are set).
    public func standardizedCodes(_ z: Tensor) -> Tensor {
        guard config.codeMean.count == config.latentDim, config.codeStd.count == config.latentDim else { return z }
        return (z - Tensor(shape: [config.latentDim], storage: config.codeMean)) / Tensor(shape: [config.latentDim], storage: config.codeStd)
    }

    /// Class logits `[N, K]` of raw codes `[N, latentDim]`.
    public func classifyCodes(_ z: Tensor) -> Tensor { classifier(standardizedCodes(z)) }

    /// Class logits `[N, K]` of images.
    public func classify(_ x: Tensor) -> Tensor { classifyCodes(encode(x)) }

    /// Codes of every image of a dataset, `[count, latentDim]` (evaluation mode, batches of 500).
    public func codes(of dataset: ImageDataset, limit: Int? = nil) -> Tensor {
        let n = min(limit ?? dataset.count, dataset.count)
        var out: [Float] = []
        out.reserveCapacity(n * config.latentDim)
        noGrad {
            var start = 0
            while start < n {
                let indices = Array(start..<min(start + 500, n))
                out += encode(dataset.floatImages(at: indices, encoding: .unitRange)).storage
                start += 500
            }
        }
        return Tensor(shape: [n, config.latentDim], storage: out)
    }
}
