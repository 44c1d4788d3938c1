import ArgumentParser
import Foundation
import IllusionModels

struct TrainStackGAN: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stackgan",
        abstract: "Train StackGAN Stage-II: refine a cGAN run's (Stage-I, frozen) images to 2× or 4× the side, conditioned again through its own conditioning augmentation.",
        discussion: "Stage-I is an existing cGAN run (--stage1-run R) or is trained first by this command (--stage1-epochs N) into OUT/stage1 with the cGAN trainer; --resume continues whichever stage was interrupted.")

    @Option(name: .customLong("stage1-run"), help: "The Stage-I run folder (illusion train cgan, conditional).") var stage1Run: String?
    @Option(name: .customLong("stage1-epochs"), parsing: .unconditional, help: "Instead of --stage1-run: train Stage-I (a cGAN) for N epochs first, into OUT/stage1.")
    var stage1Epochs: Int?
    @Option(name: .customLong("stage1-image-size"), parsing: .unconditional, help: "With --stage1-epochs: Stage-I's side (default: half of --image-size).") var stage1ImageSize: Int?
    @Option(name: .customLong("stage1-width"), parsing: .unconditional, help: "With --stage1-epochs: Stage-I's G and D width (default: --width).") var stage1Width: Int?
    @Option(name: .customLong("noise-dim"), parsing: .unconditional, help: "With --stage1-epochs: length of Stage-I's noise z.") var noiseDim: Int = 100
    @Option(name: .customLong("condition-kind"), help: "With --stage1-epochs: class or attributes (default: attributes for faces-synthetic/celeba, class otherwise).")
    var conditionKind: String?
    @Option(name: .customLong("stage1-aux-weight"), parsing: .unconditional, help: "With --stage1-epochs: Stage-I's auxiliary-classifier weight (AC-GAN; default none).")
    var stage1AuxiliaryWeight: Float?
    @Option(help: "Dataset (with --stage1-run: the run's, the only choice; with --stage1-epochs: default faces-synthetic).") var dataset: DatasetName?
    @Option(help: "Data directory (celeba, folder; default: the Stage-I run's).") var data: String?
    @Option(name: .customLong("image-size"), parsing: .unconditional, help: "Stage-II's side: 2 or 4 times Stage-I's (default 2×; with --stage1-epochs 64, or 56 for fashion-mnist/mnist).") var imageSize: Int?
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
    @OptionGroup var logging: TensorBoardArguments
    @OptionGroup var configFile: ConfigFileArguments

    func run() throws {
        try runReportingErrors {
            try compute.apply()
            try logging.start()
            let folder = RunFolder(path: output.out)
            let trainer: StackGANTrainer
            var loaded: (train: ImageDataset, test: ImageDataset)?
            if checkpoints.isResuming {
                try checkpoints.checkResumeFlags()
                trainer = try StackGANWorkflow.resumeTrainer(out: folder, overridingEpochs: CheckpointArguments.typedEpochs(epochs), from: checkpoints.resumeFrom,
                                                             checkpointing: (checkpoints.checkpointEvery, checkpoints.keepCheckpoints), quiet: output.quiet)
            } else {
                if stage1Epochs == nil {
                    for (flag, given) in [("--stage1-image-size", stage1ImageSize != nil), ("--stage1-width", stage1Width != nil),
                                          ("--condition-kind", conditionKind != nil), ("--stage1-aux-weight", stage1AuxiliaryWeight != nil)] where given {
                        throw ModelError.invalidArgument("\(flag) applies to a Stage-I trained here (--stage1-epochs N); --stage1-run takes the run's own")
                    }
                }
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
                var request: StackGANWorkflow.Request
                if let stage1Epochs {
                    guard stage1Run == nil else {
                        throw ModelError.invalidArgument("--stage1-run and --stage1-epochs: give one (an existing Stage-I run, or Stage-I trained here)")
                    }
                    var plan = StackGANStageIPlan(epochs: stage1Epochs)
                    plan.imageSize = stage1ImageSize; plan.width = stage1Width ?? width; plan.noiseDim = noiseDim
                    plan.conditionKind = conditionKind; plan.auxiliaryWeight = stage1AuxiliaryWeight
                    request = StackGANWorkflow.Request(stage1Plan: plan, dataset: dataset?.rawValue, training: t)
                } else {
                    guard let stage1Run else {
                        throw ModelError.invalidArgument("--stage1-run is required (the cGAN run folder whose generator is Stage-I), or --stage1-epochs N to train Stage-I first")
                    }
                    request = StackGANWorkflow.Request(stage1Run: stage1Run, training: t)
                    request.dataset = dataset?.rawValue
                }
                request.quiet = output.quiet
                request.imageSize = imageSize; request.directory = data
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
