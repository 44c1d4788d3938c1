import ArgumentParser
import Foundation
import IllusionModels

struct TrainVAE: ParsableCommand, RunOutputCommand {
    static let configuration = CommandConfiguration(
        commandName: "vae", abstract: "Train a Variational Autoencoder (Adam; checkpoint, pictures and metrics each epoch).")

    @Option(help: "Architecture.") var arch: VAEArchitecture = .fashion
    @Option(help: "Dataset.") var dataset: DatasetName = .fashionMNIST
    @Option(help: "Data directory (mnist, celeba, folder; fashion-mnist defaults to /usr/share/datasets/fashion-mnist).") var data: String?
    @Option(parsing: .unconditional, help: "Epochs to train (with --resume: the new total).") var epochs: Int = 5
    @Option(name: .customLong("batch-size"), parsing: .unconditional) var batchSize: Int = 100
    @Option(name: .customLong("latent-dim"), parsing: .unconditional, help: "Latent dimension (default: 2 fashion, 200 faces, 20 linear/mlp).") var latentDim: Int?
    @Option(parsing: .unconditional, help: "Adam learning rate.") var lr: Float = 5e-4
    @Option(parsing: .unconditional) var seed: UInt64 = 0
    @Option(parsing: .unconditional, help: "Weight of the KL term (1 = the ELBO).") var beta: Float = 1
    @Option(name: .customLong("kl-warmup"), parsing: .unconditional, help: "KL warm-up length in epochs (0 = off).") var klWarmup: Double = 0
    @Option(name: .customLong("kl-schedule"), help: "linear or cyclical warm-up.") var klSchedule: KLScheduleName = .linear
    @Option(name: .customLong("image-size"), parsing: .unconditional, help: "Square image size (faces: 64, 128 or 256).") var imageSize: Int?
    @Option(name: .customLong("gaussian-sigma"), parsing: .unconditional, help: "σ of the faces VAE's Gaussian likelihood (default √½: the data term is the sum of squared errors; smaller σ weighs reconstruction more).")
    var gaussianSigma: Float?
    @Option(name: .customLong("validation-fraction"), parsing: .unconditional, help: "Fraction of training images held out for validation (0 = validate on the test split).")
    var validationFraction: Double = 0
    @OptionGroup var limits: DataLimitArguments
    @OptionGroup var imageData: ImageDataArguments
    @Option(name: .customLong("max-steps"), parsing: .unconditional, help: "At most this many steps per epoch (0 = full epochs).") var maxSteps: Int = 0
    @Option(name: .customLong("iwae-samples"), parsing: .unconditional, help: "K for the final test IWAE bound (0 = skip).") var iwaeSamples: Int = 0
    @OptionGroup var output: RunOutputArguments
    @OptionGroup var checkpoints: CheckpointArguments
    @OptionGroup var optimization: OptimizationArguments
    @OptionGroup var compute: ComputeArguments
    @OptionGroup var logging: TensorBoardArguments
    @OptionGroup var configFile: ConfigFileArguments

    enum KLScheduleName: String, CaseIterable, ExpressibleByArgument { case linear, cyclical }

    func run() throws {
        try runReportingErrors {
            try compute.apply()
            try imageData.apply()
            try logging.start()
            let run = RunFolder(path: out)
            let trainer: VAETrainer
            if checkpoints.isResuming {
                try checkpoints.checkResumeFlags()
                trainer = try VAETrainer.resume(run: run, overridingEpochs: CheckpointArguments.typedEpochs(epochs),
                                                from: checkpoints.resumeFrom,
                                                checkpointing: (checkpoints.checkpointEvery, checkpoints.keepCheckpoints))
            } else {
                if FileManager.default.fileExists(atPath: run.modelPath) {
                    throw ModelError.invalidArgument("--out \(out): already holds a trained model (use --resume to continue it, or another folder)")
                }
                var model = VAEConfig(architecture: arch, latentDim: latentDim, imageSize: imageSize, channels: dataset.isGrey ? 1 : 3)
                if let gaussianSigma {
                    guard gaussianSigma > 0 && gaussianSigma.isFinite else {
                        throw ModelError.invalidArgument("--gaussian-sigma must be a positive number, got \(gaussianSigma)")
                    }
                    guard model.likelihood == .gaussianFixed else {
                        throw ModelError.invalidArgument("--gaussian-sigma applies to the faces VAE's fixed Gaussian likelihood only")
                    }
                    model.gaussianSigma = gaussianSigma
                }
                var training = VAETrainingOptions()
                training.epochs = epochs; training.batchSize = batchSize; training.learningRate = lr; training.seed = seed
                training.beta = beta; training.klWarmupEpochs = klWarmup; training.klSchedule = klSchedule.rawValue
                training.validationFraction = validationFraction; training.maxStepsPerEpoch = maxSteps
                let loop = try optimization.loopOptions(checkpoints)
                training.loop = loop == TrainingLoopOptions() ? nil : loop
                var spec = DatasetSpec(name: dataset.rawValue, directory: data, imageSize: model.imageSize,
                                       padTo32: model.architecture == .fashion, limit: limits.limit, evalLimit: limits.evalLimit)
                spec.skipUndecodable = imageData.skipBadImages ? true : nil
                trainer = try VAETrainer(run: run, config: VAERunConfig(model: model, training: training, dataset: spec))
            }
            trainer.quiet = quiet
            let summary = try VAEWorkflow.trainAndReport(trainer, iwaeSamples: iwaeSamples)
            if json { printJSON(summary) }
        }
    }
}
