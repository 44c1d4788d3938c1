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
