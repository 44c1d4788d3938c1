import Foundation

/// StackGAN Stage-II generator (Zhang et al. 2017, "StackGAN: Text to Photo-realistic Image Synthesis
/// with Stacked Generative Adversarial Networks", §3.3 and the reference implementation's `STAGE2_G`),
/// scaled down to a few channels. Input: a Stage-I image s₀ `[N, C, S₁, S₁]` in [−1, 1] (frozen, detached)
/// and the condition c `[N, conditionDim]`; output: `[N, C, S₂, S₂]` in [−1, 1] with S₂ = 2·S₁ or 4·S₁.
///
/// - `encoder`: Conv 3×3 (C → w) → ReLU → Conv 4×4 s2 (w → 2w) → BN → ReLU → Conv 4×4 s2 (2w → 4w) → BN → ReLU,
///   image features `[N, 4w, S₁/4, S₁/4]` (no BatchNorm on the first layer, as the paper).
/// - `ca`: Stage-II's own conditioning augmentation, Dense(c → μ, ln σ²), ĉ = μ + σ ⊙ ε — parameters of
///   its own, not Stage-I's, so Stage-II can pick up what Stage-I left out; ĉ is tiled over the map.
/// - `joint`: Conv 3×3 (4w + e → 4w) → BN → ReLU on [features, tiled ĉ].
/// - `residual`: 2–4 ``ResidualBlock``s (conv-BN-ReLU-conv-BN + x, ReLU) at 4w channels.
/// - `upsample1…K`: Upsample ×2 (nearest) → Conv 3×3 → BN → ReLU, channels halving (4w → 2w → w → w/2 …),
///   K = 2 + log₂(S₂/S₁) blocks back to S₂.
/// - `img`: Conv 3×3 (→ C) → tanh.
///
/// **No noise z**: as the paper assumes, the randomness is already in s₀ = G₀(z, ĉ₀); Stage-II's only
/// stochastic input is ε of its conditioning augmentation. Convolutions before BatchNorm have no bias.
public final class StackGANGenerator: Layer {
    public let config: StackGANModelConfig
    public let conditioning: ConditioningAugmentation
    public let encoder: Sequential
    public let joint: Sequential
    public let residual: Sequential
    public let upsampling: [Sequential]
    public let output: Sequential
    public var isTraining = true

    public init(config: StackGANModelConfig, rng: inout RandomGenerator) {
        self.config = config
        let w = config.generatorWidth, c = config.channels, e = config.augmentedDim
        conditioning = ConditioningAugmentation(conditionDim: config.conditionDim, augmentedDim: e, rng: &rng)
        encoder = Sequential([Conv2D(c, w, kernelSize: 3, padding: 1, bias: false, rng: &rng), ReLU(),
                              Conv2D(w, 2 * w, kernelSize: 4, stride: 2, padding: 1, bias: false, rng: &rng), BatchNorm2D(2 * w), ReLU(),
                              Conv2D(2 * w, 4 * w, kernelSize: 4, stride: 2, padding: 1, bias: false, rng: &rng), BatchNorm2D(4 * w), ReLU()])
        joint = Sequential([Conv2D(4 * w + e, 4 * w, kernelSize: 3, padding: 1, bias: false, rng: &rng), BatchNorm2D(4 * w), ReLU()])
        residual = Sequential((0..<config.residualBlocks).map { _ in ResidualBlock(channels: 4 * w, rng: &rng) })
        var channels = 4 * w
        var blocks: [Sequential] = []
        for _ in 0..<config.upsamplingBlocks {
            let next = max(1, channels / 2)
            blocks.append(Sequential([Upsample(scaleFactor: 2), Conv2D(channels, next, kernelSize: 3, padding: 1, bias: false, rng: &rng),
                                      BatchNorm2D(next), ReLU()]))
            channels = next
        }
        upsampling = blocks
        output = Sequential([Conv2D(channels, c, kernelSize: 3, padding: 1, bias: false, rng: &rng), Tanh()])
        DCGANInitialization.apply(to: self, rng: &rng)
    }

    public var children: [(name: String, layer: Layer)] {
        [("ca", conditioning), ("encoder", encoder), ("joint", joint), ("residual", residual)]
            + upsampling.enumerated().map { ("upsample\($0.offset + 1)", $0.element as Layer) } + [("img", output)]
    }

    public var summaryName: String {
        "StackGANGenerator(\(config.stage1ImageSize)² → \(config.imageSize)², \(config.residualBlocks) residual blocks)"
    }

    /// The network with ĉ = μ (no ε); needs the condition, so the one-tensor form is not meaningful.
    public func forward(_ x: Tensor) -> Tensor {
        fatalError("StackGANGenerator: call refine(_:condition:rng:) with a condition")
    }

    /// Stage-II images for Stage-I images `[N, C, S₁, S₁]` and conditions `[N, conditionDim]`; ε from `rng`.
    /// `zeroAugmented` replaces ĉ by zeros (the ablation: Stage-II without its second conditioning vector).
    public func refine(_ lowResolution: Tensor, condition: Tensor, rng: inout RandomGenerator, zeroAugmented: Bool = false) -> GeneratorOutput {
        let ca = conditioning.augment(condition, rng: &rng)
        let features = encoder(lowResolution)   // [N, 4w, S₁/4, S₁/4]
        let n = features.shape[0], m = features.shape[2]
        let code = zeroAugmented ? Tensor.zeros(ca.sample.shape) : ca.sample
        let tiled = code.reshaped([n, code.shape[1], 1, 1]) * Tensor.ones([1, 1, m, m])
        var h = residual(joint(Tensor.concatenate([features, tiled], axis: 1)))
        for block in upsampling { h = block(h) }
        return GeneratorOutput(images: output(h), mean: ca.mean, logVariance: ca.logVariance)
    }
}

/// StackGAN Stage-II discriminator (the reference implementation's `STAGE2_D`, scaled down): Stage-I's
/// matching-aware discriminator with extra stride-2 blocks for the larger image.
///
/// - `main`: Conv 4×4 s2 (C → w) → LeakyReLU, then (k−1) × [Conv 4×4 s2 → BN → LeakyReLU] (channels double)
///   down to B×B (S₂ = B·2ᵏ, B in 4…7), features `[N, F, B, B]`.
/// - `condition`: Dense(c → e) → LeakyReLU, tiled over B×B.
/// - `head` (conditional, matching-aware): Conv 3×3 (F + e → F) → BN → LeakyReLU → Conv B×B (F → 1) → one logit.
/// - `uncond` (unconditional): Conv B×B (F → 1) on the features alone — is the image real at all?
/// - `aux` (optional, AC-GAN): Flatten → Dense(F·B² → conditionDim).
public final class StackGANDiscriminator: Layer {
    public let config: StackGANModelConfig
    public let main: Sequential
    public let conditionEmbedding: Sequential
    public let head: Sequential
    public let unconditionalHead: Sequential
    public let auxiliary: Sequential?
    public var isTraining = true

    public init(config: StackGANModelConfig, rng: inout RandomGenerator) {
        self.config = config
        let (base, k) = config.discriminatorGeometry!
        let slope = config.leakySlope, e = config.discriminatorConditionDim
        var c = config.discriminatorWidth
        var layers: [Layer] = [Conv2D(config.channels, c, kernelSize: 4, stride: 2, padding: 1, rng: &rng), LeakyReLU(slope: slope)]
        for _ in 0..<(k - 1) {
            layers += [Conv2D(c, 2 * c, kernelSize: 4, stride: 2, padding: 1, bias: false, rng: &rng), BatchNorm2D(2 * c), LeakyReLU(slope: slope)]
            c *= 2
        }
        main = Sequential(layers)
        conditionEmbedding = Sequential([Dense(config.conditionDim, e, rng: &rng), LeakyReLU(slope: slope)])
        head = Sequential([Conv2D(c + e, c, kernelSize: 3, padding: 1, bias: false, rng: &rng), BatchNorm2D(c), LeakyReLU(slope: slope),
                           Conv2D(c, 1, kernelSize: Size2D(base), rng: &rng), Flatten()])
        unconditionalHead = Sequential([Conv2D(c, 1, kernelSize: Size2D(base), rng: &rng), Flatten()])
        auxiliary = config.auxiliaryClassifier ? Sequential([Flatten(), Dense(c * base * base, config.conditionDim, rng: &rng)]) : nil
        DCGANInitialization.apply(to: self, rng: &rng)
    }

    public var children: [(name: String, layer: Layer)] {
        [("main", main), ("condition", conditionEmbedding), ("head", head), ("uncond", unconditionalHead)]
            + (auxiliary.map { [("aux", $0 as Layer)] } ?? [])
    }

    public var summaryName: String { "StackGANDiscriminator(\(config.imageSize)² → conditional + unconditional logits)" }

    /// Unconditional logits `[N, 1]`.
    public func forward(_ x: Tensor) -> Tensor { unconditionalHead(main(x)) }

    /// Image features `[N, F, B, B]` (shared by every head, so one pass serves matching and mismatched conditions).
    public func features(_ x: Tensor) -> Tensor { main(x) }

    /// The matching-aware logit `[N, 1]`: does this image fit this condition?
    public func conditionalLogits(features: Tensor, condition: Tensor) -> Tensor {
        let n = features.shape[0], b = features.shape[2]
        let e = conditionEmbedding(condition)
        return head(Tensor.concatenate([features, e.reshaped([n, e.shape[1], 1, 1]) * Tensor.ones([1, 1, b, b])], axis: 1))
    }

    /// The unconditional logit `[N, 1]`.
    public func unconditionalLogits(features: Tensor) -> Tensor { unconditionalHead(features) }
}

/// Stage-I's generator (frozen) and Stage-II's two players in one module: model.safetensors holds
/// `stage1.*` (a copy of the cGAN run's `generator.*`), `generator.*` and `discriminator.*`.
public final class StackGAN: Layer {
    public let stage1Config: GANModelConfig
    public let config: StackGANModelConfig
    public let stage1: DCGANGenerator
    public let generator: StackGANGenerator
    public let discriminator: StackGANDiscriminator
    public var isTraining = true

    public init(stage1 stage1Config: GANModelConfig, config: StackGANModelConfig, rng: inout RandomGenerator) {
        self.stage1Config = stage1Config; self.config = config
        var stage1RNG = RandomGenerator(seed: 0)   // overwritten by the Stage-I run's weights
        stage1 = DCGANGenerator(config: stage1Config, rng: &stage1RNG)
        for p in stage1.parameters { p.requiresGrad = false }
        generator = StackGANGenerator(config: config, rng: &rng)
        discriminator = StackGANDiscriminator(config: config, rng: &rng)
    }

    public var children: [(name: String, layer: Layer)] { [("stage1", stage1), ("generator", generator), ("discriminator", discriminator)] }

    public var summaryName: String { "StackGAN(Stage-I \(stage1Config.imageSize)² frozen → Stage-II \(config.imageSize)²)" }

    public func forward(_ x: Tensor) -> Tensor { stage1(x) }

    /// Stage-I images s₀ = G₀(z, ĉ₀) `[N, C, S₁, S₁]`: evaluation mode (BatchNorm running statistics), no
    /// tape — Stage-I is frozen and its output detached. ε₀ from `rng`.
    public func lowResolution(noise: Tensor, condition: Tensor, rng: inout RandomGenerator) -> Tensor {
        stage1.setTraining(false)
        return noGrad { stage1.generate(noise: noise, condition: condition, rng: &rng).images }
    }
}
