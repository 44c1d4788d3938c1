import Foundation

/// Architecture of a DCGAN or conditional GAN (config.json "model").
///
/// The image side S must be B·2ᵏ with a base side B in 4…7 and k ≥ 1 doublings (28 = 7·2²,
/// 32 = 4·2³, 64 = 4·2⁴). The generator starts from B×B with `generatorWidth`·2ᵏ⁻¹ channels and
/// halves the channels at each doubling; the discriminator mirrors it.
public struct GANModelConfig: Codable, Equatable, Sendable {
    /// Length of the noise vector z ~ N(0, I).
    public var noiseDim: Int = 100
    public var imageSize: Int
    public var channels: Int
    /// Channels of the generator's last hidden block (PyTorch DCGAN's `ngf`).
    public var generatorWidth: Int = 64
    /// Channels of the discriminator's first block (`ndf`).
    public var discriminatorWidth: Int = 64
    /// Negative slope of the discriminator's LeakyReLU.
    public var leakySlope: Float = 0.2
    /// Length of the condition vector (0 = unconditional DCGAN).
    public var conditionDim: Int = 0
    /// `class` (one-hot labels) or `attributes` (0/1 attribute vectors); nil for DCGAN.
    public var conditionKind: String?
    /// Class names (one-hot index order) or attribute names, for `--condition` and grid labels.
    public var conditionNames: [String] = []
    /// Length of ĉ = μ + σ·ε produced by conditioning augmentation.
    public var augmentedDim: Int = 16
    /// Length of the condition embedding the discriminator replicates over its last feature map.
    public var discriminatorConditionDim: Int = 16
    /// Conditional runs: D also predicts the condition from the image alone (AC-GAN, Odena et al. 2017),
    /// head `discriminator.aux`. nil (configs written before it existed) = false.
    public var auxiliaryClassifier: Bool?

    public var hasAuxiliaryClassifier: Bool { isConditional && auxiliaryClassifier == true }

    public init(imageSize: Int, channels: Int, noiseDim: Int = 100, generatorWidth: Int = 64, discriminatorWidth: Int = 64) {
        self.imageSize = imageSize; self.channels = channels; self.noiseDim = noiseDim
        self.generatorWidth = generatorWidth; self.discriminatorWidth = discriminatorWidth
    }

    public var isConditional: Bool { conditionDim > 0 }

    /// (base side B, doublings k) with S = B·2ᵏ, B in 4…7, k ≥ 1; nil when S has no such form.
    public var geometry: (base: Int, doublings: Int)? {
        var s = imageSize, k = 0
        while s > 7 && s % 2 == 0 { s /= 2; k += 1 }
        return (4...7).contains(s) && k >= 1 ? (s, k) : nil
    }

    public var imageShape: [Int] { [channels, imageSize, imageSize] }

    public func validate() throws {
        guard noiseDim >= 1 else { throw ModelError.invalidArgument("--noise-dim must be ≥ 1, got \(noiseDim)") }
        guard channels == 1 || channels == 3 else { throw ModelError.invalidArgument("images must have 1 or 3 channels, got \(channels)") }
        guard geometry != nil else {
            throw ModelError.invalidArgument("--image-size \(imageSize): must be B·2^k with B in 4…7 and k ≥ 1 (e.g. 28, 32, 64, 128)")
        }
        guard generatorWidth >= 1, discriminatorWidth >= 1 else {
            throw ModelError.invalidArgument("--width must be ≥ 1, got \(generatorWidth)/\(discriminatorWidth)")
        }
        if isConditional {
            guard ["class", "attributes"].contains(conditionKind ?? "") else {
                throw ModelError.invalidArgument("condition kind must be class or attributes, got \(conditionKind ?? "none")")
            }
            guard augmentedDim >= 1, discriminatorConditionDim >= 1 else {
                throw ModelError.invalidArgument("--augmented-dim must be ≥ 1, got \(augmentedDim)")
            }
        }
    }
}

/// Hyper-parameters of `illusion train dcgan|cgan` (config.json "training").
public struct GANTrainingOptions: Codable, Equatable, Sendable {
    public var epochs: Int = 5
    public var batchSize: Int = 64
    /// Adam step size for both players (DCGAN paper: 2e-4), unless one is given its own below.
    public var learningRate: Float = 2e-4
    /// The generator's own Adam step size (nil = `learningRate`). A faster generator than discriminator
    /// is the two time-scale update rule (TTUR, Heusel et al. 2017).
    public var generatorLearningRate: Float?
    /// The discriminator's own Adam step size (nil = `learningRate`).
    public var discriminatorLearningRate: Float?
    /// Adam β₁ (DCGAN paper: 0.5, not the usual 0.9).
    public var beta1: Float = 0.5
    public var beta2: Float = 0.999
    public var seed: UInt64 = 0
    public var generatorLoss: GeneratorLossKind = .nonSaturating
    /// λ of the conditioning-augmentation KL term (StackGAN: 1).
    public var klWeight: Float = 1
    /// Weight of the auxiliary-classifier losses (AC-GAN) in both players' losses; nil = none. Needs
    /// a model with ``GANModelConfig/auxiliaryClassifier``.
    public var auxiliaryWeight: Float?
    /// Target for real images in D's loss (one-sided label smoothing); nil = 1, the seed's loss.
    public var realLabel: Float?
    /// Instance noise (Sønderby et al. 2016): σ of Gaussian noise added to every image D sees, real
    /// and generated, annealed linearly from σ in the first epoch to 0 after the last; nil = none.
    /// It blurs the two distributions into overlap when the data are too clean for G to match early.
    public var instanceNoise: Float?
    /// Cap on steps per epoch (0 = whole epochs); for tests and quick looks.
    public var maxStepsPerEpoch: Int = 0
    /// Steps per loss-curve point in metrics.jsonl.
    public var logEvery: Int = 50
    public var writePictures: Bool = true
    /// The mode-collapse alarm stays silent before this many steps (nil = 500): an untrained generator's
    /// samples are all alike without having collapsed onto one mode.
    public var collapseCheckAfterSteps: Int?
    /// The shared loop's flags (checkpoint cadence, schedule, clipping, early stopping); nil in
    /// configs written before they existed. Its `logEvery` is this struct's ``logEvery``.
    public var loop: TrainingLoopOptions?

    public init() {}

    /// The generator's Adam step size: its own if set, otherwise the shared one.
    public var effectiveGeneratorLearningRate: Float { generatorLearningRate ?? learningRate }
    /// The discriminator's Adam step size: its own if set, otherwise the shared one.
    public var effectiveDiscriminatorLearningRate: Float { discriminatorLearningRate ?? learningRate }

    /// σ of the instance noise during epoch `epoch` (0-based): σ·(1 − epoch/epochs); 0 without it.
    public func instanceNoise(epoch: Int) -> Float {
        guard let sigma = instanceNoise, sigma > 0 else { return 0 }
        return sigma * Swift.max(0, 1 - Float(epoch) / Float(epochs))
    }

    public func validate() throws {
        guard epochs >= 1 else { throw ModelError.invalidArgument("--epochs must be ≥ 1, got \(epochs)") }
        guard batchSize >= 2 else { throw ModelError.invalidArgument("--batch-size must be ≥ 2 (BatchNorm needs it), got \(batchSize)") }
        for (flag, rate) in [("--lr", learningRate), ("--g-lr", effectiveGeneratorLearningRate), ("--d-lr", effectiveDiscriminatorLearningRate)] {
            guard rate > 0, rate.isFinite else { throw ModelError.invalidArgument("\(flag) must be a positive number, got \(rate)") }
        }
        guard beta1 >= 0, beta1 < 1, beta2 >= 0, beta2 < 1 else { throw ModelError.invalidArgument("--beta1/--beta2 must be in [0, 1)") }
        guard klWeight >= 0, klWeight.isFinite else { throw ModelError.invalidArgument("--kl-weight must be ≥ 0, got \(klWeight)") }
        if let auxiliaryWeight, !(auxiliaryWeight > 0 && auxiliaryWeight.isFinite) {
            throw ModelError.invalidArgument("--aux-weight must be a positive number, got \(auxiliaryWeight)")
        }
        if let instanceNoise, !(instanceNoise >= 0 && instanceNoise <= 2) {
            throw ModelError.invalidArgument("--instance-noise must be in [0, 2] (images are in [−1, 1]), got \(instanceNoise)")
        }
        if let realLabel, !(realLabel > 0.5 && realLabel <= 1) {
            throw ModelError.invalidArgument("--real-label must be in (0.5, 1], got \(realLabel)")
        }
        guard logEvery >= 1 else { throw ModelError.invalidArgument("--log-every must be ≥ 1, got \(logEvery)") }
        guard maxStepsPerEpoch >= 0 else { throw ModelError.invalidArgument("--max-steps must be ≥ 0, got \(maxStepsPerEpoch)") }
        try loop?.validate()
    }
}

/// What a GAN run folder's config.json holds; `kind` is `dcgan` or `cgan`.
public struct GANRunConfig: Codable, Equatable {
    public var kind: String
    public var model: GANModelConfig
    public var training: GANTrainingOptions
    public var dataset: DatasetSpec
    public init(model: GANModelConfig, training: GANTrainingOptions, dataset: DatasetSpec) {
        self.kind = model.isConditional ? "cgan" : "dcgan"
        self.model = model; self.training = training; self.dataset = dataset
    }
}
