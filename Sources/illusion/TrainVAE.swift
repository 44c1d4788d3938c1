import ArgumentParser
import Foundation
import IllusionModels

struct TrainVAE: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vae", abstract: "Train a Variational Autoencoder (Adam; checkpoint, pictures and metrics each epoch).")

    @Option(help: "Architecture: fashion, faces, linear or mlp.") var arch: String = "fashion"
    @Option(help: "Dataset: fashion-mnist, mnist, celeba, faces-synthetic or folder.") var dataset: String = "fashion-mnist"
    @Option(help: "Data directory (mnist, celeba, folder; fashion-mnist defaults to /usr/share/datasets/fashion-mnist).") var data: String?
    @Option var epochs: Int = 5
    @Option(name: .customLong("batch-size")) var batchSize: Int = 100
    @Option(name: .customLong("latent-dim"), help: "Latent dimension (default: 2 fashion, 200 faces, 20 linear/mlp).") var latentDim: Int?
    @Option(help: "Adam learning rate.") var lr: Float = 5e-4
    @Option var seed: UInt64 = 0
    @Option(help: "Weight of the KL term (1 = the ELBO).") var beta: Float = 1
    @Option(name: .customLong("kl-warmup"), help: "KL warm-up length in epochs (0 = off).") var klWarmup: Double = 0
    @Option(name: .customLong("kl-schedule"), help: "linear or cyclical warm-up.") var klSchedule: String = "linear"
    @Option(name: .customLong("image-size"), help: "Square image size (faces: 64, 128 or 256).") var imageSize: Int?
    @Option(name: .customLong("gaussian-sigma"), help: "σ of the faces VAE's Gaussian likelihood (default √½: the data term is the sum of squared errors; smaller σ weighs reconstruction more).")
    var gaussianSigma: Float?
    @Option(name: .customLong("validation-fraction"), help: "Fraction of training images held out for validation (0 = validate on the test split).")
    var validationFraction: Double = 0
    @Option(help: "Use at most this many training images.") var limit: Int?
    @Option(name: .customLong("max-steps"), help: "At most this many steps per epoch (0 = full epochs).") var maxSteps: Int = 0
    @Option(name: .customLong("iwae-samples"), help: "K for the final test IWAE bound (0 = skip).") var iwaeSamples: Int = 0
    @Option(help: "Run folder.") var out: String
    @Flag(help: "Continue the run in --out from its last checkpoint (optimizer, step, epoch and RNG state).") var resume = false
    @Flag(help: "Print the final test figures as one JSON object on stdout.") var json = false
    @Flag(help: "No progress output.") var quiet = false

    func run() throws {
        try runReportingErrors {
            let run = RunFolder(path: out)
            let trainer: VAETrainer
            if resume {
                trainer = try VAETrainer.resume(run: run, overridingEpochs: epochs)
            } else {
                guard let architecture = VAEArchitecture(rawValue: arch) else {
                    throw ModelError.invalidArgument("--arch: unknown architecture '\(arch)' (expected fashion, faces, linear or mlp)")
                }
                if FileManager.default.fileExists(atPath: run.modelPath) {
                    throw ModelError.invalidArgument("--out \(out): already holds a trained model (use --resume to continue it, or another folder)")
                }
                var model = VAEConfig(architecture: architecture, latentDim: latentDim, imageSize: imageSize,
                                      channels: ["fashion-mnist", "mnist"].contains(dataset) ? 1 : 3)
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
                training.beta = beta; training.klWarmupEpochs = klWarmup; training.klSchedule = klSchedule
                training.validationFraction = validationFraction; training.maxStepsPerEpoch = maxSteps
                let spec = DatasetSpec(name: dataset, directory: data, imageSize: model.imageSize,
                                       padTo32: model.architecture == .fashion, limit: limit)
                trainer = try VAETrainer(run: run, config: VAERunConfig(model: model, training: training, dataset: spec))
            }
            trainer.quiet = quiet
            let summary = try VAEWorkflow.trainAndReport(trainer, iwaeSamples: iwaeSamples)
            if json { printJSON(summary) }
        }
    }
}
