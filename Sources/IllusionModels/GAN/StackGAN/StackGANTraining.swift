import Foundation

/// The Stage-II losses, batch means in nats, on logits (D = σ(a)):
///
/// - D: the conditional head's matching-aware loss exactly as Stage-I's (the seed's (8) with the
///   wrong-condition pairs: −E log D(x, c) − ½ E log(1 − D(G(s₀, ĉ), c)) − ½ E log(1 − D(x, c̃))), plus the
///   unconditional head's −E log D_u(x) − E log(1 − D_u(G(s₀, ĉ))).
/// - G: the generator terms of both heads (non-saturating or minimax) + λ·KL(N(μ, σ²) ‖ N(0, I)) of
///   Stage-II's own conditioning augmentation (the seed's (9); λ = 1 in the paper) [+ W·AC loss].
public enum StackGANLosses {
    public static func discriminator(real: Tensor, fake: Tensor, mismatched: Tensor, realUnconditional: Tensor,
                                     fakeUnconditional: Tensor, realLabel: Float = 1) -> Tensor {
        GANLosses.matchingAwareDiscriminator(realLogits: real, fakeLogits: fake, mismatchedLogits: mismatched, realLabel: realLabel)
            + GANLosses.discriminator(realLogits: realUnconditional, fakeLogits: fakeUnconditional, realLabel: realLabel)
    }

    public static func generatorAdversarial(fake: Tensor, fakeUnconditional: Tensor, kind: GeneratorLossKind) -> Tensor {
        GANLosses.generator(fakeLogits: fake, kind: kind) + GANLosses.generator(fakeLogits: fakeUnconditional, kind: kind)
    }
}

/// Stage-II's part of the shared loop: per batch, Stage-I draws s₀ from fresh noise and the batch's
/// conditions (frozen, no tape), then one discriminator update and one generator update.
final class StackGANTrainingTask: AdversarialTrainingTask {
    let config: StackGANRunConfig
    let gan: StackGAN
    let generatorOptimizer: Adam
    let discriminatorOptimizer: Adam
    let run: RunFolder
    var train: ImageDataset?
    var order: [Int] = []
    var grid: GANGrid?
    var samples: (low: Tensor, high: Tensor)?
    var realDiversity = 0.0
    var committed: ((EpochRecord) throws -> Void)?

    init(config: StackGANRunConfig, gan: StackGAN, generatorOptimizer: Adam, discriminatorOptimizer: Adam, run: RunFolder) {
        self.config = config; self.gan = gan; self.run = run
        self.generatorOptimizer = generatorOptimizer; self.discriminatorOptimizer = discriminatorOptimizer
    }

    var model: Layer { gan }
    var training: GANTrainingOptions { config.training }
    var checkpointFormat: String { "illusioncraft-stackgan" }
    var progressFigures: [String]? { ["loss_d", "loss_g", "d_real", "d_fake", "d_wrong"] }

    func step(_ b: Int, epoch: Int, rng: inout RandomGenerator, context: StepContext) throws -> StepOutcome {
        let t = config.training, train = train!
        let indices = batchIndices(b)
        let x = train.floatImages(at: indices, encoding: .symmetricRange, generator: &rng)
        let c = GANConditions.conditions(train, indices: indices, config: config.stage1)
        let f = try trainStep(real: x, condition: c, rng: &rng, context: context)
        return StepOutcome(figures: f, examples: t.batchSize)
    }

    /// One discriminator update then one generator update on real Stage-II images `x` `[N, C, S₂, S₂]`
    /// in [−1, 1] with their conditions `c` `[N, conditionDim]`.
    func trainStep(real x: Tensor, condition c: Tensor, rng: inout RandomGenerator, context: StepContext) throws -> [(name: String, value: Double)] {
        let m = config.model, t = config.training
        let g = gan.generator, d = gan.discriminator
        let z = Tensor.normal([x.shape[0], config.stage1.noiseDim], rng: &rng)
        let low = gan.lowResolution(noise: z, condition: c, rng: &rng)   // frozen Stage-I, detached
        let generated = g.refine(low, condition: c, rng: &rng)

        // Discriminator: (x, c) → 1; (G(s₀, ĉ), c) → 0 and (x, c̃) → 0 on the conditional head; x → 1, G → 0 unconditionally.
        discriminatorOptimizer.zeroGrad()
        let realFeatures = d.features(x)
        let fakeFeatures = d.features(generated.images.detached())
        let wrong = GANConditions.mismatched(c, kind: m.conditionKind, rng: &rng)
        let realLogits = d.conditionalLogits(features: realFeatures, condition: c)
        let fakeLogits = d.conditionalLogits(features: fakeFeatures, condition: c)
        let wrongLogits = d.conditionalLogits(features: realFeatures, condition: wrong)
        let realUncond = d.unconditionalLogits(features: realFeatures), fakeUncond = d.unconditionalLogits(features: fakeFeatures)
        var lossD = StackGANLosses.discriminator(real: realLogits, fake: fakeLogits, mismatched: wrongLogits, realUnconditional: realUncond,
                                                 fakeUnconditional: fakeUncond, realLabel: t.realLabel ?? 1)
        let valueD = lossD.scalar
        if let w = t.auxiliaryWeight, let aux = d.auxiliary {
            lossD = lossD + GANLosses.auxiliary(logits: aux(realFeatures), conditions: c, kind: m.conditionKind) * w
        }
        try lossD.backwardChecked()
        if let clip = context.clipGradNorm { clipGradientNorm(parameters: discriminatorOptimizer.parameters, maxNorm: clip) }
        discriminatorOptimizer.step()

        // Generator: through the updated D, whose weights are frozen for this pass.
        generatorOptimizer.zeroGrad()
        let frozen = d.parameters
        for p in frozen { p.requiresGrad = false }
        defer { for p in frozen { p.requiresGrad = true } }
        let features = d.features(generated.images)
        let adversarial = StackGANLosses.generatorAdversarial(fake: d.conditionalLogits(features: features, condition: c),
                                                              fakeUnconditional: d.unconditionalLogits(features: features), kind: t.generatorLoss)
        let kl = ConditioningAugmentation.klDivergence(mean: generated.mean!, logVariance: generated.logVariance!)
        let auxiliary = t.auxiliaryWeight != nil ? d.auxiliary.map { GANLosses.auxiliary(logits: $0(features), conditions: c, kind: m.conditionKind) } : nil
        let lossG = GANLosses.generatorObjective(adversarial: adversarial, kl: kl, klWeight: t.klWeight,
                                                 auxiliary: auxiliary, auxiliaryWeight: t.auxiliaryWeight ?? 0)
        let valueG = adversarial.scalar, klValue = kl.scalar
        guard valueD.isFinite, valueG.isFinite, klValue.isFinite else {
            throw context.divergence("discriminator loss \(valueD), generator loss \(valueG), KL \(klValue)")
        }
        try lossG.backwardChecked()
        if let clip = context.clipGradNorm { clipGradientNorm(parameters: generatorOptimizer.parameters, maxNorm: clip) }
        generatorOptimizer.step()
        return [("loss_d", Double(valueD)), ("loss_g", Double(valueG)), ("kl", Double(klValue)),
                ("d_real", GANLosses.meanProbability(realLogits)), ("d_fake", GANLosses.meanProbability(fakeLogits)),
                ("d_wrong", GANLosses.meanProbability(wrongLogits)),
                ("d_accuracy", GANLosses.accuracy(realLogits: realLogits, fakeLogits: Tensor.concatenate([fakeLogits, wrongLogits], axis: 0)))]
    }

    func endEpoch(_ epoch: Int, training: EpochTrainingFigures) throws -> EpochOutcome {
        let grid = grid!
        let drawn = StackGANSampling.generate(gan, noise: grid.noise, conditions: grid.conditions!, seed: GANSampling.fixedNoiseSeed)
        samples = drawn
        let diversity = ModeCollapse.DiversityCheck(generated: GANSampling.diversity(of: drawn.high, groupSize: grid.groupSize), real: realDiversity)
        // loss_d sums the real/matching term and the mean of the two fake terms (loss (8)): /2 per term.
        let warnings = collapseWarnings(epoch: epoch, meanLossD: training["loss_d"] / 2, meanFakeProbability: training["d_fake"],
                                        diversity: diversity)
        return EpochOutcome(figures: [("diversity_generated", diversity.generated), ("diversity_real", diversity.real),
                                      ("diversity_ratio", diversity.ratio)], warnings: warnings)
    }

    func epochCommitted(_ record: EpochRecord) throws {
        if config.training.writePictures, let samples, let grid {
            let picture = try StackGANSampling.pairGrid(low: samples.low, high: samples.high, columns: grid.columns)
            try picture.writePNG(to: run.file("samples.png"))
            try FileManager.default.createDirectory(atPath: run.file("progress"), withIntermediateDirectories: true)
            try picture.writePNG(to: run.file(String(format: "progress/samples_epoch%03d.png", record.epoch)))
        }
        try committed?(record)
    }
}

/// Trains StackGAN Stage-II on the shared ``Trainer`` with two Adam optimizers (Stage-I frozen),
/// checkpointing each epoch (and every `--checkpoint-every` steps) so `--resume` continues exactly.
public final class StackGANTrainer: ResumableTrainer {
    public let run: RunFolder
    public let config: StackGANRunConfig
    public let gan: StackGAN
    public let generatorOptimizer: Adam
    public let discriminatorOptimizer: Adam
    /// Training stream: shuffles, Stage-I's noise z and ε₀, Stage-II's ε, mismatched conditions.
    public var rng: RandomGenerator
    public var quiet = false
    let task: StackGANTrainingTask
    var restored: CommittedCheckpoint?
    var progress = TrainingProgress()
    public var epoch: Int { progress.epoch }
    public var step: Int { progress.globalStep }

    /// A new Stage-II on top of `stage1Generator`'s weights (a cGAN run's `generator.*`, copied into `stage1.*`).
    public init(run: RunFolder, config: StackGANRunConfig, stage1Weights: DCGANGenerator? = nil) throws {
        try config.model.validate()
        try config.training.validate()
        guard (config.training.auxiliaryWeight != nil) == config.model.auxiliaryClassifier else {
            throw ModelError.invalidArgument("--aux-weight and the discriminator's auxiliary classifier go together")
        }
        self.run = run
        self.config = config
        var initRNG = RandomGenerator(seed: config.training.seed)
        gan = StackGAN(stage1: config.stage1, config: config.model, rng: &initRNG)
        if let stage1Weights {
            try gan.stage1.loadStateDict(Dictionary(uniqueKeysWithValues: stage1Weights.stateDict().map { ($0.name, $0.tensor) }),
                                         source: "--stage1-run \(config.stage1Run)")
        }
        let t = config.training
        generatorOptimizer = Adam(parameters: gan.generator.parameters, learningRate: t.effectiveGeneratorLearningRate, beta1: t.beta1, beta2: t.beta2)
        discriminatorOptimizer = Adam(parameters: gan.discriminator.parameters, learningRate: t.effectiveDiscriminatorLearningRate,
                                      beta1: t.beta1, beta2: t.beta2)
        rng = RandomGenerator(seed: config.training.seed, stream: 0x5374_6B32)
        task = StackGANTrainingTask(config: config, gan: gan, generatorOptimizer: generatorOptimizer,
                                    discriminatorOptimizer: discriminatorOptimizer, run: run)
    }

    /// Reopens a Stage-II run for `--resume` from its newest verified checkpoint (or `from`).
    public static func resume(run: RunFolder, overridingEpochs epochs: Int? = nil, from path: String? = nil,
                              checkpointing: (every: Int, keep: Int)? = nil) throws -> StackGANTrainer {
        try run.requireExisting()
        let kind = try run.readJSON(RunKind.self, from: "config.json").kind
        guard kind == "stackgan" else { throw ModelError.invalidRun("--run \(run.path): this is a \(kind) run, not a StackGAN run") }
        let config = try RunResumption.config(StackGANRunConfig.self, run: run, overridingEpochs: epochs, checkpointing: checkpointing)
        let trainer = try StackGANTrainer(run: run, config: config)
        try RunResumption.restore(trainer, run: run, from: path)
        return trainer
    }

    func makeLoop() throws -> Trainer { try task.makeLoop(run: run, config: config, rng: rng, quiet: quiet) }

    /// Writes config.json now (before any training), as the loop writes it when it starts.
    func writeConfig() throws {
        try run.create()
        try writeFileAtomically(run.configPath, bytes: try makeLoop().configJSON)
    }

    /// One Stage-II update pair on real images `[N, C, S₂, S₂]` in [−1, 1] and conditions (for tests).
    public func trainStep(real x: Tensor, condition c: Tensor) throws -> [String: Double] {
        let context = StepContext(clipGradNorm: config.training.loop?.clipGradNorm, epoch: epoch, globalStep: step, runPath: run.path)
        let figures = try task.trainStep(real: x, condition: c, rng: &rng, context: context)
        progress.globalStep += 1
        return Dictionary(uniqueKeysWithValues: figures.map { ($0.name, $0.value) })
    }

    /// Runs the remaining epochs on `train` (real images at Stage-II's side, with the Stage-I run's conditions).
    @discardableResult
    public func train(on train: ImageDataset) throws -> [EpochRecord] {
        let m = config.model, opts = config.training
        guard train.count >= opts.batchSize else {
            throw ModelError.invalidArgument("the training set has \(train.count) images, fewer than one batch of \(opts.batchSize)")
        }
        guard train.channels == m.channels, train.height == m.imageSize, train.width == m.imageSize else {
            throw ModelError.invalidArgument("dataset images are \(train.channels)×\(train.height)×\(train.width), Stage-II expects \(m.imageShape.map(String.init).joined(separator: "×"))")
        }
        task.train = train
        let grid = StackGANSampling.fixedGrid(stage1: config.stage1, data: train)
        task.grid = grid
        task.realDiversity = GANSampling.diversity(of: grid.referenceImages, groupSize: grid.groupSize)
        let loop = try makeLoop()
        if let restored { try loop.restore(from: restored) } else { loop.rng = rng }
        var all: [EpochRecord] = []
        task.committed = { [unowned self] record in
            self.progress = loop.progress
            all.append(record)
        }
        defer { progress = loop.progress; rng = loop.rng; restored = nil }
        try loop.fit()
        return all
    }
}
