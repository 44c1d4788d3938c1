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

/// Trains a DCGAN or conditional GAN with two Adam optimizers (alternating one discriminator and one
/// generator step per batch, as the DCGAN paper), checkpointing each epoch so `--resume` continues exactly.
public final class GANTrainer {
    public let run: RunFolder
    public let config: GANRunConfig
    public let gan: GenerativeAdversarialNetwork
    public let generatorOptimizer: Adam
    public let discriminatorOptimizer: Adam
    /// Training stream: shuffles, noise z, ε of conditioning augmentation, mismatched conditions.
    public var rng: RandomGenerator
    public private(set) var epoch = 0
    public private(set) var step = 0
    public var quiet = false
    /// Every collapse warning issued (also written to stderr and metrics.jsonl).
    public private(set) var warnings: [String] = []
    /// Called after each epoch's checkpoint (pictures). Errors stop training.
    public var onEpochEnd: ((GANTrainer, GANEpochMetrics) throws -> Void)?

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
    }

    /// Reopens a run for `--resume`: weights of both players, both optimizers, step, epoch and RNG state.
    public static func resume(run: RunFolder, overridingEpochs epochs: Int? = nil) throws -> GANTrainer {
        try run.requireExisting()
        let kind = try run.readJSON(RunKind.self, from: "config.json").kind
        guard kind == "dcgan" || kind == "cgan" else {
            throw ModelError.invalidRun("--run \(run.path): this is a \(kind) run, not a GAN run")
        }
        var config = try run.readJSON(GANRunConfig.self, from: "config.json")
        if let epochs { config.training.epochs = epochs }
        let trainer = try GANTrainer(run: run, config: config)
        try Checkpoint.load(trainer.gan, from: run.modelPath)
        let state = try TrainingState.load(from: run, optimizers: trainer.optimizers)
        trainer.rng = state.rng
        trainer.epoch = state.epoch
        trainer.step = state.step
        try run.truncateMetrics(afterEpoch: trainer.epoch)
        return trainer
    }

    /// The two optimizers under their checkpoint prefixes.
    var optimizers: [(prefix: String, optimizer: Optimizer)] {
        [("optimizer.generator.", generatorOptimizer), ("optimizer.discriminator.", discriminatorOptimizer)]
    }

    /// model.safetensors (`generator.*`, `discriminator.*`), then training_state.safetensors, then config.json.
    public func saveCheckpoint() throws {
        try Checkpoint.save(gan, to: run.modelPath, metadata: ["format": "illusioncraft-\(config.kind)", "epoch": String(epoch)])
        try TrainingState(rng: rng, epoch: epoch, step: step).save(to: run, optimizers: optimizers)
        try run.writeJSON(config, to: "config.json")
    }

    /// One discriminator update then one generator update on real images `x` `[N, C, S, S]` in [−1, 1]
    /// (and their conditions `[N, conditionDim]` for a conditional GAN).
    public func trainStep(real x: Tensor, condition c: Tensor?) throws -> GANStepFigures {
        let m = config.model, t = config.training
        let generator = gan.generator, discriminator = gan.discriminator
        let z = Tensor.normal([x.shape[0], m.noiseDim], rng: &rng)
        let generated = generator.generate(noise: z, condition: c, rng: &rng)

        // Instance noise: every image D sees gets fresh N(0, σ²) noise (σ annealed over the epochs).
        let sigma = t.instanceNoise(epoch: epoch)
        func noisy(_ images: Tensor) -> Tensor {
            sigma > 0 ? images + Tensor.normal(images.shape, mean: 0, std: sigma, rng: &rng) : images
        }
        let realInput = noisy(x)

        // Discriminator: real → 1, generated (detached: no gradient into G) → 0, real + wrong condition → 0.
        discriminatorOptimizer.zeroGrad()
        let realOutputs = discriminator.outputs(realInput, condition: c)
        let realLogits = realOutputs.logits
        let fakeLogits = discriminator.logits(noisy(generated.images.detached()), condition: c)
        var lossD: Tensor
        if let c {
            let wrong = GANConditions.mismatched(c, kind: m.conditionKind, rng: &rng)
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
        lossD.backward()
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
            throw ModelError.trainingDiverged(
                "training diverged at epoch \(epoch + 1), step \(step + 1): discriminator loss \(valueD), generator loss \(valueG), KL \(klValue) (likely cause: learning rates G \(t.effectiveGeneratorLearningRate) / D \(t.effectiveDiscriminatorLearningRate) too high); the last good checkpoint in \(run.path) is intact")
        }
        lossG.backward()
        generatorOptimizer.step()
        step += 1
        return GANStepFigures(discriminatorLoss: Double(valueD), generatorLoss: Double(valueG), kl: Double(klValue),
                              realProbability: GANLosses.meanProbability(realLogits),
                              fakeProbability: GANLosses.meanProbability(fakeLogits),
                              accuracy: GANLosses.accuracy(realLogits: realLogits, fakeLogits: fakeLogits))
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
        try run.create()
        if epoch == 0 { try run.writeJSON(config, to: "config.json") }
        let full = train.count / opts.batchSize
        let batchesPerEpoch = opts.maxStepsPerEpoch > 0 ? min(opts.maxStepsPerEpoch, full) : full
        let grid = GANSampling.fixedGrid(config: m, data: train)
        let realDiversity = GANSampling.diversity(of: grid.referenceImages, groupSize: grid.groupSize)
        var all: [GANEpochMetrics] = []
        while epoch < opts.epochs {
            let epochNumber = epoch + 1
            gan.setTraining(true)
            let order = rng.permutation(train.count)
            let progress = ProgressReporter(label: "epoch \(epochNumber)/\(opts.epochs)", total: batchesPerEpoch, quiet: quiet)
            var sums = [Double](repeating: 0, count: 6), window = [Double](repeating: 0, count: 6), windowCount = 0
            let start = Date()
            var stepTimes: [Double] = []
            for b in 0..<batchesPerEpoch {
                let t0 = Date()
                let indices = Array(order[(b * opts.batchSize)..<((b + 1) * opts.batchSize)])
                let x = train.floatImages(at: indices, encoding: .symmetricRange, generator: &rng)
                let c = m.isConditional ? GANConditions.conditions(train, indices: indices, config: m) : nil
                let f = try trainStep(real: x, condition: c)
                let values = [f.discriminatorLoss, f.generatorLoss, f.kl, f.realProbability, f.fakeProbability, f.accuracy]
                for i in 0..<6 { sums[i] += values[i]; window[i] += values[i] }
                windowCount += 1
                if windowCount == opts.logEvery || b == batchesPerEpoch - 1 {
                    try run.appendMetrics(Self.figures(window.map { $0 / Double(windowCount) }).merging(
                        ["kind": "step", "epoch": epochNumber, "step": step]) { a, _ in a })
                    window = [Double](repeating: 0, count: 6); windowCount = 0
                }
                stepTimes.append(Date().timeIntervalSince(t0))
                progress.update(done: b + 1, images: (b + 1) * opts.batchSize,
                                figures: [("loss_d", sums[0] / Double(b + 1)), ("loss_g", sums[1] / Double(b + 1)),
                                          ("D(x)", sums[3] / Double(b + 1)), ("D(G(z))", sums[4] / Double(b + 1))])
            }
            let seconds = Date().timeIntervalSince(start)
            epoch = epochNumber
            let means = sums.map { $0 / Double(batchesPerEpoch) }
            let samples = GANSampling.generate(gan.generator, noise: grid.noise, conditions: grid.conditions, seed: GANSampling.fixedNoiseSeed)
            let diversity = ModeCollapse.DiversityCheck(generated: GANSampling.diversity(of: samples, groupSize: grid.groupSize), real: realDiversity)
            var epochWarnings: [String] = []
            if let w = ModeCollapse.discriminatorCollapseWarning(meanLoss: means[0], meanFakeProbability: means[4], epoch: epoch,
                                                                 generatorLoss: opts.generatorLoss) { epochWarnings.append(w) }
            if step >= opts.collapseCheckAfterSteps ?? 500, let w = ModeCollapse.modeCollapseWarning(diversity, epoch: epoch) {
                epochWarnings.append(w)
            }
            for w in epochWarnings { logLine(w) }  // warnings are printed even with --quiet
            warnings += epochWarnings
            let steady = stepTimes.count > 1 ? Array(stepTimes.dropFirst()) : stepTimes
            let median = steady.sorted()[steady.count / 2]
            let metrics = GANEpochMetrics(epoch: epoch, step: step, discriminatorLoss: means[0], generatorLoss: means[1], kl: means[2],
                                          realProbability: means[3], fakeProbability: means[4], accuracy: means[5],
                                          diversity: diversity, imagesPerSecond: Double(opts.batchSize) / median, seconds: seconds,
                                          warnings: epochWarnings)
            all.append(metrics)
            try run.appendMetrics(Self.figures(means).merging([
                "kind": "epoch", "epoch": epoch, "step": step, "diversity_generated": diversity.generated,
                "diversity_real": diversity.real, "diversity_ratio": diversity.ratio, "images_per_s": metrics.imagesPerSecond,
                "epoch_seconds": seconds, "warnings": epochWarnings,
            ]) { a, _ in a })
            try saveCheckpoint()
            if !quiet {
                let klText = m.isConditional ? String(format: "  KL %.3f", means[2]) : ""
                logLine(String(format: "epoch %d: D loss %.3f  G loss %.3f", epoch, means[0], means[1]) + klText
                        + String(format: "  D(x) %.3f  D(G(z)) %.3f  D accuracy %.2f  diversity %.2f of data  %.0f img/s  %.1f s",
                                 means[3], means[4], means[5], diversity.ratio, metrics.imagesPerSecond, seconds))
            }
            if opts.writePictures { try GANReport.writeEpochPictures(samples, grid: grid, run: run, epoch: epoch) }
            try onEpochEnd?(self, metrics)
        }
        return all
    }

    static func figures(_ v: [Double]) -> [String: Any] {
        ["loss_d": v[0], "loss_g": v[1], "kl": v[2], "d_real": v[3], "d_fake": v[4], "d_accuracy": v[5]]
    }
}
