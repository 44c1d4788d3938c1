import ArgumentParser
import Foundation
import IllusionModels

struct TrainStackGAN: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stackgan",
        abstract: "Train StackGAN Stage-II: refine a cGAN run's (Stage-I, frozen) images to 2× or 4× the side, conditioned again through its own conditioning augmentation.")

    @Option(name: .customLong("stage1-run"), help: "The Stage-I run folder (illusion train cgan, conditional).") var stage1Run: String?
    @Option(help: "Dataset (default and only choice: the Stage-I run's).") var dataset: DatasetName?
    @Option(help: "Data directory (celeba, folder; default: the Stage-I run's).") var data: String?
    @Option(name: .customLong("image-size"), parsing: .unconditional, help: "Stage-II's side: 2 or 4 times Stage-I's (default 2×).") var imageSize: Int?
    @Option(parsing: .unconditional, help: "Epochs to train (with --resume: the new total).") var epochs: Int = 5
    @Option(name: .customLong("batch-size"), parsing: .unconditional) var batchSize: Int = 32
    @Option(parsing: .unconditional, help: "Channel width of G's first encoder block and D's first block (StackGAN: 128/64; small here).") var width: Int = 16
    @Option(name: .customLong("residual-blocks"), parsing: .unconditional, help: "Residual blocks in the generator (StackGAN: 4).") var residualBlocks: Int = 2
    @Option(name: .customLong("augmented-dim"), parsing: .unconditional, help: "Length of Stage-II's ĉ (default: Stage-I's).") var augmentedDim: Int?
    @Option(parsing: .unconditional, help: "Adam learning rate of both players.") var lr: Float = 2e-4
    @Option(name: .customLong("g-lr"), parsing: .unconditional, help: "The generator's own learning rate (default: --lr).") var generatorLR: Float?
    @Option(name: .customLong("d-lr"), parsing: .unconditional, help: "The discriminator's own learning rate (default: --lr).") var discriminatorLR: Float?
    @Option(parsing: .unconditional, help: "Adam β₁.") var beta1: Float = 0.5
    @Option(name: .customLong("kl-weight"), parsing: .unconditional, help: "λ of the KL term of Stage-II's conditioning augmentation (paper: 1).") var klWeight: Float = 1
    @Option(name: .customLong("aux-weight"), parsing: .unconditional, help: "Add an auxiliary classifier to D (AC-GAN) with this weight (default: none).") var auxiliaryWeight: Float?
    @Option(name: .customLong("generator-loss"), help: "non-saturating or minimax.") var generatorLoss: GeneratorLossKind = .nonSaturating
    @Option(parsing: .unconditional) var seed: UInt64 = 0
    @OptionGroup var limits: DataLimitArguments
    @Option(name: .customLong("max-steps"), parsing: .unconditional, help: "At most this many steps per epoch (0 = full epochs).") var maxSteps: Int = 0
    @OptionGroup var output: RunOutputArguments
    @OptionGroup var checkpoints: CheckpointArguments
    @OptionGroup var optimization: OptimizationArguments
    @OptionGroup var compute: ComputeArguments

    func run() throws {
        try runReportingErrors {
            try compute.apply()
            let folder = RunFolder(path: output.out)
            let trainer: StackGANTrainer
            var loaded: (train: ImageDataset, test: ImageDataset)?
            if checkpoints.isResuming {
                try checkpoints.checkResumeFlags()
                trainer = try StackGANTrainer.resume(run: folder, overridingEpochs: CheckpointArguments.typedEpochs(epochs), from: checkpoints.resumeFrom,
                                                     checkpointing: (checkpoints.checkpointEvery, checkpoints.keepCheckpoints))
            } else {
                guard let stage1Run else { throw ModelError.invalidArgument("--stage1-run is required: the cGAN run folder whose generator is Stage-I") }
                if FileManager.default.fileExists(atPath: folder.modelPath) {
                    throw ModelError.invalidArgument("--out \(output.out): already holds a trained model (use --resume to continue it, or another folder)")
                }
                var t = GANTrainingOptions()
                t.epochs = epochs; t.batchSize = batchSize; t.learningRate = lr; t.beta1 = beta1; t.seed = seed
                t.generatorLearningRate = generatorLR; t.discriminatorLearningRate = discriminatorLR
                t.generatorLoss = generatorLoss; t.maxStepsPerEpoch = maxSteps; t.klWeight = klWeight; t.auxiliaryWeight = auxiliaryWeight
                t.logEvery = optimization.logEvery ?? 50
                var loop = try optimization.loopOptions(checkpoints)
                loop.logEvery = 0
                t.loop = loop == TrainingLoopOptions() ? nil : loop
                var request = StackGANWorkflow.Request(stage1Run: stage1Run, training: t)
                request.imageSize = imageSize; request.dataset = dataset?.rawValue; request.directory = data
                request.generatorWidth = width; request.discriminatorWidth = width; request.residualBlocks = residualBlocks
                request.augmentedDim = augmentedDim; request.limit = limits.limit; request.evalLimit = limits.evalLimit
                let made = try StackGANWorkflow.makeTrainer(request, out: folder)
                trainer = made.0
                loaded = made.1
            }
            trainer.quiet = output.quiet
            let summary = try StackGANWorkflow.trainAndReport(trainer, data: loaded)
            if output.json { printJSON(summary) }
        }
    }
}
