import ArgumentParser
import Foundation
import IllusionModels

struct TrainAutoencoder: ParsableCommand, RunOutputCommand {
    static let configuration = CommandConfiguration(
        commandName: "autoencoder",
        abstract: "Convolutional autoencoder with a 2-D code, then a classifier on the codes (latent plots, report).")

    @Option(help: "fashion-mnist or mnist.") var dataset: DatasetName = .fashionMNIST
    @Option(help: "Data directory (mnist; fashion-mnist defaults to /usr/share/datasets/fashion-mnist).") var data: String?
    @Option(name: .customLong("latent-dim"), parsing: .unconditional, help: "Code size (latent plots need 2).") var latentDim: Int = 2
    @Option(parsing: .unconditional) var epochs: Int = 10
    @Option(name: .customLong("batch-size"), parsing: .unconditional) var batchSize: Int = 128
    @Option(parsing: .unconditional, help: "Adam learning rate of the autoencoder.") var lr: Float = 1e-3
    @Option(name: .customLong("classifier-epochs"), parsing: .unconditional, help: "Epochs of the latent classifier.") var classifierEpochs: Int = 20
    @Option(name: .customLong("classifier-lr"), parsing: .unconditional, help: "Adam learning rate of the latent classifier.") var classifierLr: Float = 3e-3
    @Option(name: .customLong("classifier-hidden"), help: "Comma-separated hidden widths of the latent classifier.") var classifierHidden: String = "64,64"
    @OptionGroup var limits: DataLimitArguments
    @Option(name: .customLong("max-steps"), parsing: .unconditional, help: "At most this many steps per epoch (0 = full epochs).") var maxSteps: Int = 0
    @Option(parsing: .unconditional) var seed: UInt64 = 0
    @OptionGroup var output: RunOutputArguments
    @OptionGroup var optimization: OptimizationArguments
    @OptionGroup var compute: ComputeArguments
    @OptionGroup var logging: TensorBoardArguments
    @OptionGroup var configFile: ConfigFileArguments
    @Option(name: .customLong("checkpoint-every"), parsing: .unconditional, help: "Also commit a checkpoint every N optimisation steps (default 0: at epoch ends only).")
    var checkpointEvery: Int = 0

    func run() throws {
        try runReportingErrors {
            try compute.apply()
            try logging.start()
            guard dataset.isGrey else {
                throw ModelError.invalidArgument("--dataset: the autoencoder trains on fashion-mnist or mnist, got '\(dataset.rawValue)'")
            }
            var model = AutoencoderConfig(classNames: dataset == .mnist ? MNIST.classNames : FashionMNIST.classNames, latentDim: latentDim)
            model.classifierHiddenUnits = try classifierHidden.split(separator: ",").map { part in
                guard let v = Int(part.trimmingCharacters(in: .whitespaces)) else {
                    throw ModelError.invalidArgument("--classifier-hidden: '\(part)' is not a whole number (expected e.g. 64,64)")
                }
                return v
            }
            var training = AutoencoderTrainingOptions()
            training.epochs = epochs; training.batchSize = batchSize; training.learningRate = lr
            training.classifierEpochs = classifierEpochs; training.classifierLearningRate = classifierLr
            training.maxStepsPerEpoch = maxSteps; training.seed = seed
            let loop = try optimization.loopOptions(checkpointEvery: checkpointEvery)
            training.loop = loop == TrainingLoopOptions() ? nil : loop
            let spec = DatasetSpec(name: dataset.rawValue, directory: data, imageSize: 28, padTo32: false, limit: limits.limit,
                                   evalLimit: limits.evalLimit)
            let summary = try AutoencoderWorkflow.run(AutoencoderRunConfig(model: model, training: training, dataset: spec),
                                                      folder: RunFolder(path: out), quiet: quiet)
            if json { printJSON(summary) }
        }
    }
}
