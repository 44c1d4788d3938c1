import Foundation

/// Architecture of a StackGAN Stage-II (config.json "model"): it refines a Stage-I image of side
/// `stage1ImageSize` to side `imageSize` = 2× or 4× that, conditioned on the same condition vectors.
public struct StackGANModelConfig: Codable, Equatable, Sendable {
    /// Side of the Stage-II (output) images.
    public var imageSize: Int
    /// Side of the Stage-I images the generator refines (the Stage-I run's `imageSize`).
    public var stage1ImageSize: Int
    public var channels: Int
    /// Channels of the generator's first encoder convolution (StackGAN's `ngf`; the encoder doubles it twice).
    public var generatorWidth: Int = 16
    /// Channels of the discriminator's first block (`ndf`; doubled at each further stride-2 block).
    public var discriminatorWidth: Int = 16
    /// Residual blocks between the joint convolution and the decoder (StackGAN: 4).
    public var residualBlocks: Int = 2
    /// Length of Stage-II's own ĉ = μ + σ·ε (StackGAN: 128 for text; here the same as Stage-I's default).
    public var augmentedDim: Int = 16
    /// Length of the condition embedding the discriminator tiles over its last feature map.
    public var discriminatorConditionDim: Int = 16
    public var leakySlope: Float = 0.2
    public var conditionDim: Int
    public var conditionKind: String
    public var conditionNames: [String]
    /// D also predicts the condition from the image alone (AC-GAN), head `discriminator.aux`.
    public var auxiliaryClassifier: Bool = false

    public init(imageSize: Int, stage1: GANModelConfig, generatorWidth: Int = 16, discriminatorWidth: Int = 16, residualBlocks: Int = 2) {
        self.imageSize = imageSize; stage1ImageSize = stage1.imageSize; channels = stage1.channels
        self.generatorWidth = generatorWidth; self.discriminatorWidth = discriminatorWidth; self.residualBlocks = residualBlocks
        conditionDim = stage1.conditionDim; conditionKind = stage1.conditionKind ?? ""; conditionNames = stage1.conditionNames
        augmentedDim = stage1.augmentedDim; discriminatorConditionDim = stage1.discriminatorConditionDim
    }

    /// Stage-II side / Stage-I side (2 or 4).
    public var upscale: Int { imageSize / stage1ImageSize }

    /// The generator's decoder: 2 (undoing the encoder's two halvings) + log₂(upscale) nearest-×2 blocks.
    public var upsamplingBlocks: Int { 2 + (upscale == 4 ? 2 : 1) }

    /// The discriminator's (base side B, stride-2 blocks k) with imageSize = B·2ᵏ, B in 4…7, as the DCGAN's.
    public var discriminatorGeometry: (base: Int, doublings: Int)? {
        var probe = GANModelConfig(imageSize: imageSize, channels: channels)
        probe.imageSize = imageSize
        return probe.geometry
    }

    public var imageShape: [Int] { [channels, imageSize, imageSize] }

    public func validate() throws {
        guard stage1ImageSize >= 4, stage1ImageSize % 4 == 0 else {
            throw ModelError.invalidArgument("the Stage-I images are \(stage1ImageSize)×\(stage1ImageSize); Stage-II's encoder halves them twice, so the side must be a multiple of 4")
        }
        guard imageSize % stage1ImageSize == 0, [2, 4].contains(imageSize / stage1ImageSize) else {
            throw ModelError.invalidArgument("--image-size \(imageSize): must be 2 or 4 times the Stage-I run's \(stage1ImageSize) (e.g. \(2 * stage1ImageSize))")
        }
        guard discriminatorGeometry != nil else {
            throw ModelError.invalidArgument("--image-size \(imageSize): the discriminator needs B·2^k with B in 4…7 (e.g. 56, 64, 128)")
        }
        guard channels == 1 || channels == 3 else { throw ModelError.invalidArgument("images must have 1 or 3 channels, got \(channels)") }
        guard generatorWidth >= 2, discriminatorWidth >= 1 else {
            throw ModelError.invalidArgument("--width must be ≥ 2, got \(generatorWidth)/\(discriminatorWidth)")
        }
        guard (1...8).contains(residualBlocks) else { throw ModelError.invalidArgument("--residual-blocks must be in 1…8, got \(residualBlocks)") }
        guard augmentedDim >= 1, discriminatorConditionDim >= 1 else { throw ModelError.invalidArgument("--augmented-dim must be ≥ 1, got \(augmentedDim)") }
        guard conditionDim >= 1, ["class", "attributes"].contains(conditionKind) else {
            throw ModelError.invalidArgument("Stage-II needs a conditional Stage-I (class or attribute conditions)")
        }
    }
}

/// What a StackGAN Stage-II run folder's config.json holds; `kind` is `stackgan`.
public struct StackGANRunConfig: Codable, Equatable {
    public var kind: String = "stackgan"
    /// The cGAN run folder Stage-I came from (its generator is copied into this run as `stage1.*`).
    public var stage1Run: String
    /// Stage-I's architecture (frozen; its weights are in this run's model.safetensors).
    public var stage1: GANModelConfig
    public var model: StackGANModelConfig
    /// The same hyper-parameters as `train cgan` (epochs, batch, Adam, λ of the KL term, AC weight, loop flags).
    public var training: GANTrainingOptions
    /// Real images at Stage-II's side.
    public var dataset: DatasetSpec
    /// true: Stage-I was trained by this command in `DIR/stage1` (``StackGANStageI``), so `--resume`
    /// finishes it first if it was interrupted; nil: Stage-I came from `--stage1-run`.
    public var stage1TrainedHere: Bool?

    public init(stage1Run: String, stage1: GANModelConfig, model: StackGANModelConfig, training: GANTrainingOptions, dataset: DatasetSpec) {
        self.stage1Run = stage1Run; self.stage1 = stage1; self.model = model; self.training = training; self.dataset = dataset
    }
}
