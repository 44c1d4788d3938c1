import Foundation

/// Figures of one alternating update (both players), batch means.
public struct GANStepFigures {
    /// −E[log D(x)] − E[log(1 − D(G(z)))] (matching-aware: with the ½-weighted wrong-condition term).
    public var discriminatorLoss: Double
    /// The generator's adversarial loss (non-saturating or minimax), without the KL term.
    public var generatorLoss: Double
    /// KL(N(μ, σ²) ‖ N(0, I)) of conditioning augmentation (0 for DCGAN).
    public var kl: Double
    /// Mean D(x) and D(G(z)) during the discriminator's update.
    public var realProbability: Double, fakeProbability: Double
    /// Fraction of real and generated images D classified correctly (before its update).
    public var accuracy: Double
}

/// Per-epoch figures (means over the epoch's steps) and the collapse checks.
public struct GANEpochMetrics {
    public var epoch: Int, step: Int
    public var discriminatorLoss: Double, generatorLoss: Double, kl: Double
    public var realProbability: Double, fakeProbability: Double, accuracy: Double
    public var diversity: ModeCollapse.DiversityCheck
    public var imagesPerSecond: Double, seconds: Double
    public var warnings: [String]
}

/// The GAN's part of the shared loop: per batch one discriminator update, then one generator update
/// (as the DCGAN paper); at each epoch's end the fixed-noise grid, the collapse checks and pictures.
final class GANTrainingTask: AdversarialTrainingTask {
    let config: GANRunConfig
    let gan: GenerativeAdversarialNetwork
    let generatorOptimizer: Adam
    let discriminatorOptimizer: Adam
    let run: RunFolder
    var train: ImageDataset?
    var order: [Int] = []
    var grid: GANGrid?
    var realDiversity = 0.0
    var samples: Tensor?
    var lastDiversity: ModeCollapse.DiversityCheck?
    var committed: ((EpochRecord) throws -> Void)?

    init(config: GANRunConfig, gan: GenerativeAdversarialNetwork, generatorOptimizer: Adam, discriminatorOptimizer: Adam, run: RunFolder) {
        self.config = config; self.gan = gan; self.run = run
        self.generatorOptimizer = generatorOptimizer; self.discriminatorOptimizer = discriminatorOptimizer
    }

    var model: Layer { gan }
    var training: GANTrainingOptions { config.training }
    var checkpointFormat: String { "illusioncraft-\(config.kind)" }
    var progressFigures: [String]? { ["loss_d", "loss_g", "d_real", "d_fake"] }

    func step(_ b: Int, epoch: Int, rng: inout RandomGenerator, context: StepContext) throws -> StepOutcome {
        let m = config.model, opts = config.training, train = train!
        let indices = batchIndices(b)
        // Data-parallel: this rank's rows of the global batch; every per-image draw is of the global batch.
        let shard = try context.shard(rows: indices.count)
        let x = train.floatImages(at: indices, encoding: .symmetricRange, generator: &rng)
        let next = (b + 1) * opts.batchSize   // a mapped dataset pages in batch b + 1 while b trains
        if next < order.count { train.prefetchImages(at: Array(order[next..<min(order.count, next + opts.batchSize)])) }
        let c = m.isConditional ? GANConditions.conditions(train, indices: indices, config: m) : nil
        let f = try trainStep(real: x, condition: c, epoch: epoch, rng: &rng, context: context, shard: shard)
        return StepOutcome(figures: GANTrainer.figures([f.discriminatorLoss, f.generatorLoss, f.kl, f.realProbability,
                                                        f.fakeProbability, f.accuracy]), examples: shard.localCount)
    }

    func endEpoch(_ epoch: Int, training: EpochTrainingFigures) throws -> EpochOutcome {
        let grid = grid!
        let samples = GANSampling.generate(gan.generator, noise: grid.noise, conditions: grid.conditions, seed: GANSampling.fixedNoiseSeed)
        self.samples = samples
        let diversity = ModeCollapse.DiversityCheck(generated: GANSampling.diversity(of: samples, groupSize: grid.groupSize), real: realDiversity)
        lastDiversity = diversity
        let warnings = collapseWarnings(epoch: epoch, meanLossD: training["loss_d"], meanFakeProbability: training["d_fake"],
                                        diversity: diversity)
        return EpochOutcome(figures: [("diversity_generated", diversity.generated), ("diversity_real", diversity.real),
                                      ("diversity_ratio", diversity.ratio)], warnings: warnings)
    }

    func epochCommitted(_ record: EpochRecord) throws {
        if config.training.writePictures, let samples, let grid { try GANReport.writeEpochPictures(samples, grid: grid, run: run, epoch: record.epoch) }
        try committed?(record)
    }


        /// One discriminator update then one generator update on real images `x` `[N, C, S, S]` in [−1, 1]
        /// (and their conditions `[N, conditionDim]` for a conditional GAN) of the global batch.
        ///
        /// Data-parallel (`shard` of W > 1 ranks): the rank trains on its rows of `x` and `c`; z, the
        /// instance noise, conditioning augmentation's ε and the mismatched conditions are drawn for
        /// the whole global batch from `rng` (which every rank holds identically) in the order one
        /// process draws them, and the rank keeps its rows — so W ranks compute what one process
        /// computes, and one process draws exactly as before. Both players' gradients are averaged
        /// over the ranks before their clipping and steps.
        func trainStep(real globalX: Tensor, condition globalC: Tensor?, epoch: Int, rng: inout RandomGenerator, context: StepContext,
                       shard given: BatchShard? = nil) throws -> GANStepFigures {
            let m = config.model, t = config.training
            let generator = gan.generator, discriminator = gan.discriminator
            let shard = given ?? BatchShard(rank: 0, worldSize: 1, globalCount: globalX.shape[0])
            let x = shard.rows(globalX), c = globalC.map { shard.rows($0) }
            // z: [n, noiseDim] (n = this rank's images)
            let z = shard.draw([x.shape[0], m.noiseDim]) { Tensor.normal($0, rng: &rng) }
            let generated = generator.generate(noise: z, condition: c, rng: &rng)

            // Instance noise: every image D sees gets fresh N(0, σ²) noise (σ annealed over the epochs).
            let sigma = t.instanceNoise(epoch: epoch)
            func noisy(_ images: Tensor) -> Tensor {
                sigma > 0 ? images + shard.draw(images.shape) { Tensor.normal($0, mean: 0, std: sigma, rng: &rng) } : images
            }
            let realInput = noisy(x)

            // Discriminator: real → 1, generated (detached: no gradient into G) → 0, real + wrong condition → 0.
            discriminatorOptimizer.zeroGrad()
            let realOutputs = discriminator.outputs(realInput, condition: c)
            let realLogits = realOutputs.logits
            let fakeLogits = discriminator.logits(noisy(generated.images.detached()), condition: c)
            var lossD: Tensor
            if c != nil, let globalC {
                let wrong = shard.rows(GANConditions.mismatched(globalC, kind: m.conditionKind, rng: &rng))
                let mismatchedLogits = discriminator.logits(realInput, condition: wrong)
                lossD = GANLosses.matchingAwareDiscriminator(realLogits: realLogits, fakeLogits: fakeLogits, mismatchedLogits: mismatchedLogits,
                                                             realLabel: t.realLabel ?? 1)
            } else {
                lossD = GANLosses.discriminator(realLogits: realLogits, fakeLogits: fakeLogits, realLabel: t.realLabel ?? 1)
            }
            let valueD = lossD.scalar   // the adversarial part, reported and watched by the collapse alarm
            // AC-GAN: D learns to name the condition of real images (only real ones: classifying its own
            // fakes would reward D for whatever G draws), G to make its images name theirs.
            var auxiliaryValue: Float = 0
            if let w = t.auxiliaryWeight, let c, let aux = realOutputs.auxiliary {
                let auxiliaryLoss = GANLosses.auxiliary(logits: aux, conditions: c, kind: m.conditionKind)
                auxiliaryValue = auxiliaryLoss.scalar
                lossD = lossD + auxiliaryLoss * w
            }
            try lossD.backwardChecked()
            try context.averageGradients(of: discriminatorOptimizer)
            if let clip = context.clipGradNorm { clipGradientNorm(parameters: discriminatorOptimizer.parameters, maxNorm: clip) }
            discriminatorOptimizer.step()

            // Generator: through the updated D; D's weights are frozen so no gradient is computed for them.
            generatorOptimizer.zeroGrad()
            let frozen = discriminator.parameters
            for p in frozen { p.requiresGrad = false }
            defer { for p in frozen { p.requiresGrad = true } }
            let outputsForG = discriminator.outputs(noisy(generated.images), condition: c)
            let adversarial = GANLosses.generator(fakeLogits: outputsForG.logits, kind: t.generatorLoss)
            let auxiliaryForG = c.flatMap { c in
                outputsForG.auxiliary.map { GANLosses.auxiliary(logits: $0, conditions: c, kind: m.conditionKind) }
            }
            var kl: Tensor?
            if let mu = generated.mean, let logVar = generated.logVariance {
                kl = ConditioningAugmentation.klDivergence(mean: mu, logVariance: logVar)
            }
            let klValue = kl?.scalar ?? 0
            let lossG = GANLosses.generatorObjective(adversarial: adversarial, kl: kl, klWeight: t.klWeight,
                                                     auxiliary: auxiliaryForG, auxiliaryWeight: t.auxiliaryWeight ?? 0)
            let valueG = adversarial.scalar
            guard valueD.isFinite, valueG.isFinite, klValue.isFinite, auxiliaryValue.isFinite else {
                throw context.divergence("discriminator loss \(valueD), generator loss \(valueG), KL \(klValue) (learning rates G \(t.effectiveGeneratorLearningRate) / D \(t.effectiveDiscriminatorLearningRate))")
            }
            try lossG.backwardChecked()
            try context.averageGradients(of: generatorOptimizer)
            if let clip = context.clipGradNorm { clipGradientNorm(parameters: generatorOptimizer.parameters, maxNorm: clip) }
            generatorOptimizer.step()
            return GANStepFigures(discriminatorLoss: Double(valueD), generatorLoss: Double(valueG), kl: Double(klValue),
                                  realProbability: GANLosses.meanProbability(realLogits),
                                  fakeProbability: GANLosses.meanProbability(fakeLogits),
                                  accuracy: GANLosses.accuracy(realLogits: realLogits, fakeLogits: fakeLogits))
        }

}

/// Trains a DCGAN or conditional GAN with two Adam optimizers on the shared ``Trainer``,
/// checkpointing each epoch (and every `--checkpoint-every` steps) so `--resume` continues exactly.
public final class GANTrainer: ResumableTrainer {
    public let run: RunFolder
    public let config: GANRunConfig
    public let gan: GenerativeAdversarialNetwork
    public let generatorOptimizer: Adam
    public let discriminatorOptimizer: Adam
    /// Training stream: shuffles, noise z, ε of conditioning augmentation, mismatched conditions.
    public var rng: RandomGenerator
    public var quiet = false
    /// Every collapse warning issued (also written to stderr and metrics.jsonl).
    public private(set) var warnings: [String] = []
    /// Called after each epoch's checkpoint (pictures). Errors stop training.
    public var onEpochEnd: ((GANTrainer, GANEpochMetrics) throws -> Void)?
    let task: GANTrainingTask
    var restored: CommittedCheckpoint?
    var progress = TrainingProgress()
    public var epoch: Int { progress.epoch }
    public var step: Int { progress.globalStep }

    public init(run: RunFolder, config: GANRunConfig) throws {
        try config.model.validate()
        try config.training.validate()
        guard (config.training.auxiliaryWeight != nil) == config.model.hasAuxiliaryClassifier else {
            throw ModelError.invalidArgument(config.model.isConditional
                ? "--aux-weight and the discriminator's auxiliary classifier go together (the run's config has one without the other)"
                : "--aux-weight needs a conditional GAN (illusion train cgan)")
        }
        self.run = run
        self.config = config
        var initRNG = RandomGenerator(seed: config.training.seed)
        gan = GenerativeAdversarialNetwork(config: config.model, rng: &initRNG)
        let t = config.training
        generatorOptimizer = Adam(parameters: gan.generator.parameters, learningRate: t.effectiveGeneratorLearningRate,
                                  beta1: t.beta1, beta2: t.beta2)
        discriminatorOptimizer = Adam(parameters: gan.discriminator.parameters, learningRate: t.effectiveDiscriminatorLearningRate,
                                      beta1: t.beta1, beta2: t.beta2)
        rng = RandomGenerator(seed: config.training.seed, stream: 0x6761_6E21)
        task = GANTrainingTask(config: config, gan: gan, generatorOptimizer: generatorOptimizer,
                               discriminatorOptimizer: discriminatorOptimizer, run: run)
    }

    /// Reopens a run for `--resume` from its newest verified checkpoint (or `from`): both players,
    /// both optimizers, random streams and the position inside the epoch.
    public static func resume(run: RunFolder, overridingEpochs epochs: Int? = nil, from path: String? = nil,
                              checkpointing: (every: Int, keep: Int)? = nil) throws -> GANTrainer {
        try run.requireExisting()
        let kind = try run.readJSON(RunKind.self, from: "config.json").kind
        guard kind == "dcgan" || kind == "cgan" else {
            throw ModelError.invalidRun("--run \(run.path): this is a \(kind) run, not a GAN run")
        }
        let config = try RunResumption.config(GANRunConfig.self, run: run, overridingEpochs: epochs, checkpointing: checkpointing)
        let trainer = try GANTrainer(run: run, config: config)
        try RunResumption.restore(trainer, run: run, from: path)
        return trainer
    }

    /// The two optimizers under their checkpoint prefixes.
    var optimizers: [(prefix: String, optimizer: Optimizer)] { task.optimizers }

    func makeLoop() throws -> Trainer { try task.makeLoop(run: run, config: config, rng: rng, quiet: quiet) }

    /// Commits the current state as a checkpoint (model.safetensors `generator.*`, `discriminator.*`).
    public func saveCheckpoint() throws {
        let loop = try makeLoop()
        if let restored { try loop.restore(from: restored) }
        try loop.commit(asBest: false)
    }

    /// One discriminator update then one generator update on real images `x` `[N, C, S, S]` in [−1, 1]
    /// (and their conditions `[N, conditionDim]`), drawing from this trainer's stream (for tests and tools).
    public func trainStep(real x: Tensor, condition c: Tensor?) throws -> GANStepFigures {
        let context = StepContext(clipGradNorm: config.training.loop?.clipGradNorm, epoch: epoch, globalStep: step, runPath: run.path)
        let figures = try task.trainStep(real: x, condition: c, epoch: epoch, rng: &rng, context: context)
        progress.globalStep += 1
        return figures
    }

    /// Runs the remaining epochs on `train` (images encoded to [−1, 1] for the tanh generator).
    @discardableResult
    public func train(on train: ImageDataset) throws -> [GANEpochMetrics] {
        let m = config.model, opts = config.training
        guard train.count >= opts.batchSize else {
            throw ModelError.invalidArgument("the training set has \(train.count) images, fewer than one batch of \(opts.batchSize)")
        }
        guard train.channels == m.channels, train.height == m.imageSize, train.width == m.imageSize else {
            throw ModelError.invalidArgument("dataset images are \(train.channels)×\(train.height)×\(train.width), the GAN expects \(m.imageShape.map(String.init).joined(separator: "×"))")
        }
        task.train = train
        let grid = GANSampling.fixedGrid(config: m, data: train)
        task.grid = grid
        task.realDiversity = GANSampling.diversity(of: grid.referenceImages, groupSize: grid.groupSize)
        let loop = try makeLoop()
        if let restored { try loop.restore(from: restored) } else { loop.rng = rng }
        var all: [GANEpochMetrics] = []
        task.committed = { [unowned self] record in
            self.progress = loop.progress
            let t = record.training
            let metrics = GANEpochMetrics(epoch: record.epoch, step: record.step, discriminatorLoss: t["loss_d"], generatorLoss: t["loss_g"],
                                          kl: t["kl"], realProbability: t["d_real"], fakeProbability: t["d_fake"], accuracy: t["d_accuracy"],
                                          diversity: self.task.lastDiversity!, imagesPerSecond: t.examplesPerSecond, seconds: t.seconds,
                                          warnings: record.outcome.warnings)
            self.warnings += record.outcome.warnings
            all.append(metrics)
            try self.onEpochEnd?(self, metrics)
        }
        defer { progress = loop.progress; rng = loop.rng; restored = nil }
        try loop.fit()
        return all
    }

    static func figures(_ v: [Double]) -> [(name: String, value: Double)] {
        [("loss_d", v[0]), ("loss_g", v[1]), ("kl", v[2]), ("d_real", v[3]), ("d_fake", v[4]), ("d_accuracy", v[5])]
    }
}
