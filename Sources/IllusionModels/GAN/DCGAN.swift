import Foundation

/// DCGAN generator (Radford, Metz & Chintala 2016), optionally conditioned (StackGAN Stage-I).
///
/// z `[N, noiseDim]` (concatenated with ĉ `[N, augmentedDim]` when conditional) →
/// `main`: Dense → 2^(k−1)·w × B × B → BatchNorm → ReLU → (k−1) × [ConvTranspose 4×4 s2 p1 → BatchNorm → ReLU]
/// (channels halve, side doubles) → ConvTranspose 4×4 s2 p1 → C channels → tanh, images in [−1, 1] `[N, C, S, S]`.
/// No bias before BatchNorm (it would be cancelled); no BatchNorm on the output layer (as in the paper).
///
/// State dict: `main.*` (a `torch.nn.Sequential` with `nn.Unflatten` at index 1) and, when conditional, `ca.fc.*`.
public final class DCGANGenerator: Layer {
    public let config: GANModelConfig
    public let conditioning: ConditioningAugmentation?
    public let main: Sequential
    public var isTraining = true

    public init(config: GANModelConfig, rng: inout RandomGenerator) {
        self.config = config
        let (base, k) = config.geometry!
        let w = config.generatorWidth
        var c = w << (k - 1)
        conditioning = config.isConditional
            ? ConditioningAugmentation(conditionDim: config.conditionDim, augmentedDim: config.augmentedDim, rng: &rng) : nil
        let inputDim = config.noiseDim + (config.isConditional ? config.augmentedDim : 0)
        var layers: [Layer] = [Dense(inputDim, c * base * base, bias: false, rng: &rng), Reshape([c, base, base]),
                               BatchNorm2D(c), ReLU()]
        for _ in 0..<(k - 1) {
            layers += [Conv2DTranspose(c, c / 2, kernelSize: 4, stride: 2, padding: 1, bias: false, rng: &rng),
                       BatchNorm2D(c / 2), ReLU()]
            c /= 2
        }
        layers += [Conv2DTranspose(c, config.channels, kernelSize: 4, stride: 2, padding: 1, rng: &rng), Tanh()]
        main = Sequential(layers)
        DCGANInitialization.apply(to: self, rng: &rng)
    }

    public var children: [(name: String, layer: Layer)] {
        (conditioning.map { [("ca", $0 as Layer)] } ?? []) + [("main", main)]
    }

    public var summaryName: String { "DCGANGenerator(z \(config.noiseDim) → \(config.imageShape.map(String.init).joined(separator: "×")))" }

    /// The network after conditioning: `[N, noiseDim (+ augmentedDim)]` → images `[N, C, S, S]`.
    public func forward(_ x: Tensor) -> Tensor { main(x) }

    /// Images from noise and (for a conditional generator) conditions `[N, conditionDim]`; ĉ's ε comes from `rng`.
    public func generate(noise: Tensor, condition: Tensor?, rng: inout RandomGenerator) -> GeneratorOutput {
        guard let conditioning else { return GeneratorOutput(images: main(noise), mean: nil, logVariance: nil) }
        guard let condition else { fatalError("DCGANGenerator: a conditional generator needs a condition") }
        let ca = conditioning.augment(condition, rng: &rng)
        let images = main(Tensor.concatenate([noise, ca.sample], axis: 1))
        return GeneratorOutput(images: images, mean: ca.mean, logVariance: ca.logVariance)
    }
}

/// What the generator produced: images and, when conditional, the conditioning Gaussian N(μ, σ²).
public struct GeneratorOutput {
    public let images: Tensor
    public let mean: Tensor?
    public let logVariance: Tensor?
}

/// DCGAN discriminator: `main` = Conv 4×4 s2 p1 → LeakyReLU, then (k−1) × [Conv 4×4 s2 p1 → BatchNorm →
/// LeakyReLU] (channels double, side halves) → features `[N, F, B, B]`; no BatchNorm on the input layer
/// (as in the paper). Unconditional `head`: Flatten → Dense(F·B² → 1), one logit per image.
///
/// Conditional (matching-aware, StackGAN Stage-I): `condition` = Dense(c → e) → LeakyReLU, replicated over
/// the B×B map and concatenated with the features; `head` = Conv 1×1 (F + e → F) → BatchNorm → LeakyReLU →
/// Flatten → Dense(F·B² → 1), so image and condition interact before the logit.
///
/// With an auxiliary classifier (AC-GAN): `aux` = Flatten → Dense(F·B² → conditionDim) on the image
/// features alone, logits of the condition (class scores, or one logit per attribute).
public final class DCGANDiscriminator: Layer {
    public let config: GANModelConfig
    public let main: Sequential
    public let conditionEmbedding: Sequential?
    public let head: Sequential
    public let auxiliary: Sequential?
    public var isTraining = true

    public init(config: GANModelConfig, rng: inout RandomGenerator) {
        self.config = config
        let (base, k) = config.geometry!
        let slope = config.leakySlope
        var c = config.discriminatorWidth
        var layers: [Layer] = [Conv2D(config.channels, c, kernelSize: 4, stride: 2, padding: 1, rng: &rng), LeakyReLU(slope: slope)]
        for _ in 0..<(k - 1) {
            layers += [Conv2D(c, 2 * c, kernelSize: 4, stride: 2, padding: 1, bias: false, rng: &rng), BatchNorm2D(2 * c),
                       LeakyReLU(slope: slope)]
            c *= 2
        }
        main = Sequential(layers)
        if config.isConditional {
            let e = config.discriminatorConditionDim
            conditionEmbedding = Sequential([Dense(config.conditionDim, e, rng: &rng), LeakyReLU(slope: slope)])
            head = Sequential([Conv2D(c + e, c, kernelSize: 1, bias: false, rng: &rng), BatchNorm2D(c), LeakyReLU(slope: slope),
                               Flatten(), Dense(c * base * base, 1, rng: &rng)])
        } else {
            conditionEmbedding = nil
            head = Sequential([Flatten(), Dense(c * base * base, 1, rng: &rng)])
        }
        auxiliary = config.hasAuxiliaryClassifier ? Sequential([Flatten(), Dense(c * base * base, config.conditionDim, rng: &rng)]) : nil
        DCGANInitialization.apply(to: self, rng: &rng)
    }

    public var children: [(name: String, layer: Layer)] {
        [("main", main)] + (conditionEmbedding.map { [("condition", $0 as Layer)] } ?? []) + [("head", head)]
            + (auxiliary.map { [("aux", $0 as Layer)] } ?? [])
    }

    public var summaryName: String { "DCGANDiscriminator(\(config.imageShape.map(String.init).joined(separator: "×")) → 1 logit)" }

    /// Unconditional logits `[N, 1]`.
    public func forward(_ x: Tensor) -> Tensor { logits(x, condition: nil) }

    /// Logits `[N, 1]` for images `[N, C, S, S]` and (conditional) conditions `[N, conditionDim]`.
    public func logits(_ x: Tensor, condition: Tensor?) -> Tensor {
        outputs(x, condition: condition, withAuxiliary: false).logits
    }

    /// The real/fake logits `[N, 1]` and, with an auxiliary classifier (unless `withAuxiliary` is false),
    /// its condition logits `[N, conditionDim]` — from one pass through `main`.
    public func outputs(_ x: Tensor, condition: Tensor?, withAuxiliary: Bool = true) -> (logits: Tensor, auxiliary: Tensor?) {
        let features = main(x)
        let aux = withAuxiliary ? auxiliary.map { $0(features) } : nil
        guard let conditionEmbedding else { return (head(features), aux) }
        guard let condition else { fatalError("DCGANDiscriminator: a conditional discriminator needs a condition") }
        let n = x.shape[0], b = features.shape[2]
        let e = conditionEmbedding(condition)
        let replicated = e.reshaped([n, e.shape[1], 1, 1]) * Tensor.ones([1, 1, b, b])
        return (head(Tensor.concatenate([features, replicated], axis: 1)), aux)
    }
}

/// The two players in one module, so one safetensors file holds `generator.*` and `discriminator.*`.
public final class GenerativeAdversarialNetwork: Layer {
    public let config: GANModelConfig
    public let generator: DCGANGenerator
    public let discriminator: DCGANDiscriminator
    public var isTraining = true

    public init(config: GANModelConfig, rng: inout RandomGenerator) {
        self.config = config
        generator = DCGANGenerator(config: config, rng: &rng)
        discriminator = DCGANDiscriminator(config: config, rng: &rng)
    }

    public var children: [(name: String, layer: Layer)] { [("generator", generator), ("discriminator", discriminator)] }

    public var summaryName: String { config.isConditional ? "ConditionalGAN" : "DCGAN" }

    public func forward(_ x: Tensor) -> Tensor { generator(x) }
}

/// The DCGAN paper's initialisation: every Conv/ConvTranspose/Dense weight ~ N(0, 0.02²), biases 0;
/// BatchNorm γ ~ N(1, 0.02²), β = 0 (as PyTorch's DCGAN example `weights_init`).
public enum DCGANInitialization {
    public static let standardDeviation: Float = 0.02

    public static func apply(to layer: Layer, rng: inout RandomGenerator) {
        let std = standardDeviation
        func redraw(_ t: Tensor, mean: Float) {
            t.storage = Tensor.normal(t.shape, mean: mean, std: std, rng: &rng).storage
        }
        switch layer {
        case let l as Conv2D: redraw(l.weight, mean: 0); l.bias?.storage = [Float](repeating: 0, count: l.bias!.count)
        case let l as Conv2DTranspose: redraw(l.weight, mean: 0); l.bias?.storage = [Float](repeating: 0, count: l.bias!.count)
        case let l as Dense: redraw(l.weight, mean: 0); l.bias?.storage = [Float](repeating: 0, count: l.bias!.count)
        case let l as BatchNormalization:
            if let w = l.weight { redraw(w, mean: 1) }
            if let b = l.bias { b.storage = [Float](repeating: 0, count: b.count) }
        default: break
        }
        for child in layer.children { apply(to: child.layer, rng: &rng) }
    }
}
