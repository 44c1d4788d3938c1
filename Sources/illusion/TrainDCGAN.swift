import ArgumentParser
import Foundation
import IllusionModels

/// Flags shared by `illusion train dcgan` and `illusion train cgan`.
struct GANTrainingArguments: ParsableArguments, RunOutputCommand {
    @Option(help: "Dataset.") var dataset: DatasetName = .fashionMNIST
    @Option(help: "Data directory (mnist, celeba, folder; fashion-mnist defaults to /usr/share/datasets/fashion-mnist).") var data: String?
    @Option(parsing: .unconditional, help: "Epochs to train (with --resume: the new total).") var epochs: Int = 5
    @Option(name: .customLong("batch-size"), parsing: .unconditional) var batchSize: Int = 64
    @Option(name: .customLong("noise-dim"), parsing: .unconditional, help: "Length of the noise vector z.") var noiseDim: Int = 100
    @Option(name: .customLong("image-size"), parsing: .unconditional, help: "Square image side B·2^k, B in 4…7 (default 28 for fashion-mnist/mnist, 64 otherwise).") var imageSize: Int?
    @Option(parsing: .unconditional, help: "Channel width of G's last and D's first block (default 64 up to 32 px, 32 above).") var width: Int?
    @Option(parsing: .unconditional, help: "Adam learning rate of both players.") var lr: Float = 2e-4
    @Option(name: .customLong("g-lr"), parsing: .unconditional, help: "The generator's own learning rate (default: --lr). Faster than D's = TTUR, e.g. --g-lr 8e-4 on faces-synthetic.")
    var generatorLR: Float?
    @Option(name: .customLong("d-lr"), parsing: .unconditional, help: "The discriminator's own learning rate (default: --lr).") var discriminatorLR: Float?
    @Option(parsing: .unconditional, help: "Adam β₁.") var beta1: Float = 0.5
    @Option(name: .customLong("real-label"), parsing: .unconditional, help: "Target of real images in D's loss; < 1 is one-sided label smoothing (e.g. 0.9). Default 1: the original GAN loss.")
    var realLabel: Float = 1
    @Option(name: .customLong("instance-noise"), parsing: .unconditional, help: "σ of Gaussian noise added to every image D sees, annealed to 0 over the epochs (e.g. 0.1; default 0: none).")
    var instanceNoise: Float = 0
    @Option(name: .customLong("generator-loss"), help: "non-saturating (−E[log D(G(z))]) or minimax (E[log(1 − D(G(z)))]).")
    var generatorLoss: GeneratorLossKind = .nonSaturating
    @Option(parsing: .unconditional) var seed: UInt64 = 0
    @OptionGroup var limits: DataLimitArguments
    @OptionGroup var imageData: ImageDataArguments
    @Option(name: .customLong("max-steps"), parsing: .unconditional, help: "At most this many steps per epoch (0 = full epochs).") var maxSteps: Int = 0
    @Option(name: .customLong("fd-classifier"), help: "CNN run folder (illusion train cnn) for FD-FMNIST at the end (Fashion-MNIST runs).")
    var fdClassifier: String?
    @OptionGroup var output: RunOutputArguments
    @OptionGroup var checkpoints: CheckpointArguments
    @OptionGroup var optimization: OptimizationArguments
    @OptionGroup var compute: ComputeArguments
    @OptionGroup var logging: TensorBoardArguments
    @OptionGroup var configFile: ConfigFileArguments

    var isGrey: Bool { dataset.isGrey }

    func modelConfig() -> GANModelConfig {
        let size = imageSize ?? (isGrey ? 28 : 64)
        return GANModelConfig(imageSize: size, channels: isGrey ? 1 : 3, noiseDim: noiseDim,
                              generatorWidth: width ?? (size <= 32 ? 64 : 32), discriminatorWidth: width ?? (size <= 32 ? 64 : 32))
    }

    func trainingOptions() throws -> GANTrainingOptions {
        let kind = generatorLoss
        var t = GANTrainingOptions()
        t.epochs = epochs; t.batchSize = batchSize; t.learningRate = lr; t.beta1 = beta1; t.seed = seed
        t.generatorLearningRate = generatorLR; t.discriminatorLearningRate = discriminatorLR
        t.generatorLoss = kind; t.maxStepsPerEpoch = maxSteps; t.logEvery = optimization.logEvery ?? 50   // the loss-curve points of report.html
        t.realLabel = realLabel == 1 ? nil : realLabel
        t.instanceNoise = instanceNoise == 0 ? nil : instanceNoise
        var loop = try optimization.loopOptions(checkpoints)
        loop.logEvery = 0   // training.logEvery above holds it
        t.loop = loop == TrainingLoopOptions() ? nil : loop
        return t
    }

    func datasetSpec(imageSize: Int) -> DatasetSpec {
        DatasetSpec(name: dataset.rawValue, directory: data, imageSize: imageSize, padTo32: isGrey && imageSize == 32,
                    limit: limits.limit, evalLimit: limits.evalLimit)
    }

    /// Starts a new run (refusing a folder that already holds one) or resumes; trains, reports, prints.
    func run(conditionKind: String?, configure: (inout GANModelConfig, inout GANTrainingOptions) -> Void = { _, _ in }) throws {
        let folder = RunFolder(path: out)
        let trainer: GANTrainer
        var loaded: (train: ImageDataset, test: ImageDataset)?
        try compute.apply()
        try imageData.apply()
        try logging.start()
        if checkpoints.isResuming {
            try checkpoints.checkResumeFlags()
            trainer = try GANTrainer.resume(run: folder, overridingEpochs: CheckpointArguments.typedEpochs(epochs), from: checkpoints.resumeFrom,
                                            checkpointing: (checkpoints.checkpointEvery, checkpoints.keepCheckpoints))
        } else {
            if FileManager.default.fileExists(atPath: folder.modelPath) {
                throw ModelError.invalidArgument("--out \(out): already holds a trained model (use --resume to continue it, or another folder)")
            }
            var model = modelConfig()
            var training = try trainingOptions()
            var spec = datasetSpec(imageSize: model.imageSize)
            spec.skipUndecodable = imageData.skipBadImages ? true : nil
            if let conditionKind {
                let d = try spec.load()
                loaded = d
                try GANWorkflow.configureCondition(&model, kind: conditionKind, data: d.train)
            }
            configure(&model, &training)
            trainer = try GANTrainer(run: folder, config: GANRunConfig(model: model, training: training, dataset: spec))
        }
        trainer.quiet = quiet
        let summary = try GANWorkflow.trainAndReport(trainer, data: loaded, fdClassifier: fdClassifier)
        if json { printJSON(summary) }
    }
}

struct TrainDCGAN: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dcgan",
        abstract: "Train a DCGAN (Adam 2e-4, β₁ 0.5, N(0, 0.02) init; fixed-noise samples, loss curves, checkpoint each epoch).")

    @OptionGroup var options: GANTrainingArguments

    func run() throws {
        try runReportingErrors { try options.run(conditionKind: nil) }
    }
}
