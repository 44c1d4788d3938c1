import Foundation

/// What the GAN's and StackGAN Stage-II's parts of the shared loop have in common: two Adam
/// optimizers checkpointed under `optimizer.generator.` / `optimizer.discriminator.`, a fresh
/// shuffle of the training images each epoch, `batchSize` images a step (the last partial batch
/// dropped), the fixed-noise grid's picture each epoch, and the ``Trainer`` built from the run config.
protocol AdversarialTrainingTask: TrainingTask {
    var training: GANTrainingOptions { get }
    var generatorOptimizer: Adam { get }
    var discriminatorOptimizer: Adam { get }
    var train: ImageDataset? { get }
    var order: [Int] { get set }
}

extension AdversarialTrainingTask {
    var optimizers: [(prefix: String, optimizer: Optimizer)] {
        [("optimizer.generator.", generatorOptimizer), ("optimizer.discriminator.", discriminatorOptimizer)]
    }
    var batchSize: Int { training.batchSize }
    var stepsPerEpoch: Int { (train?.count ?? 0) / training.batchSize }

    func beginEpoch(_ epoch: Int, rng: inout RandomGenerator) throws { order = rng.permutation(train!.count) }

    /// The training-set indices of batch `b` of this epoch.
    func batchIndices(_ b: Int) -> [Int] { Array(order[(b * training.batchSize)..<((b + 1) * training.batchSize)]) }

    /// The epoch's two collapse alarms (``ModeCollapse``): the discriminator's (its mean loss per
    /// term, `meanLossD`) and the generator's (fixed-noise diversity against the data's), the latter
    /// only after `collapseCheckAfterSteps` steps (default 500: an untrained generator's samples are
    /// alike without having collapsed).
    func collapseWarnings(epoch: Int, meanLossD: Double, meanFakeProbability: Double,
                          diversity: ModeCollapse.DiversityCheck) -> [String] {
        var warnings: [String] = []
        if let w = ModeCollapse.discriminatorCollapseWarning(meanLoss: meanLossD, meanFakeProbability: meanFakeProbability,
                                                             epoch: epoch + 1, generatorLoss: training.generatorLoss) { warnings.append(w) }
        let perEpoch = min(training.maxStepsPerEpoch > 0 ? training.maxStepsPerEpoch : stepsPerEpoch, stepsPerEpoch)
        if (epoch + 1) * perEpoch >= training.collapseCheckAfterSteps ?? 500,
           let w = ModeCollapse.modeCollapseWarning(diversity, epoch: epoch + 1) { warnings.append(w) }
        return warnings
    }

    /// The fixed-noise grid written each epoch (progress/samples_epochNNN.png).
    func epochPictureFiles(epoch: Int) -> [(tag: String, file: String)] {
        training.writePictures ? [("samples", String(format: "progress/samples_epoch%03d.png", epoch))] : []
    }

    /// The shared loop over this task, writing `config` as the run's config.json; loss-curve points
    /// every `training.logEvery` steps, no `train_` prefix on the figures.
    func makeLoop<Config: Encodable>(run: RunFolder, config: Config, rng: RandomGenerator, quiet: Bool) throws -> Trainer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        var loop = training.loop ?? .init()
        loop.logEvery = training.logEvery
        let trainer = try Trainer(task: self, run: run, epochs: training.epochs, maxStepsPerEpoch: training.maxStepsPerEpoch,
                                  loop: loop, rng: rng, configJSON: [UInt8](try encoder.encode(config)) + [10])
        trainer.trainingFigurePrefix = ""
        trainer.quiet = quiet
        return trainer
    }
}

extension GANRunConfig: ResumableRunConfig {
    var resumableEpochs: Int { get { training.epochs } set { training.epochs = newValue } }
    var resumableLoop: TrainingLoopOptions? { get { training.loop } set { training.loop = newValue } }
}

extension StackGANRunConfig: ResumableRunConfig {
    var resumableEpochs: Int { get { training.epochs } set { training.epochs = newValue } }
    var resumableLoop: TrainingLoopOptions? { get { training.loop } set { training.loop = newValue } }
}
