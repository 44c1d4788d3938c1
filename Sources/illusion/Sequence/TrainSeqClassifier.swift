import ArgumentParser
import Foundation
import IllusionModels

struct TrainSeqClassifier: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seq-classifier",
        abstract: "Sequential Fashion-MNIST: an LSTM reads each image row by row (28 steps of 28 pixels) and classifies its last state.")

    @Option(help: "Fashion-MNIST directory.") var data: String = FashionMNIST.defaultDirectory
    @Option(parsing: .unconditional, help: "LSTM hidden size.") var hidden: Int = 128
    @Option(parsing: .unconditional, help: "Epochs to train (with --resume: the new total).") var epochs: Int = 2
    @Option(name: .customLong("batch-size"), parsing: .unconditional) var batchSize: Int = 128
    @Option(parsing: .unconditional, help: "Adam learning rate.") var lr: Float = 1e-3
    @Option(parsing: .unconditional, help: "Use at most this many training images (0 = all).") var limit: Int = 0
    @Option(name: .customLong("eval-limit"), parsing: .unconditional, help: "Use at most this many test images (0 = all).") var evalLimit: Int = 0
    @Option(name: .customLong("max-steps"), parsing: .unconditional, help: "At most this many steps per epoch (0 = full epochs).") var maxSteps: Int = 0
    @Option(parsing: .unconditional) var seed: UInt64 = 0
    @OptionGroup var output: RunOutputArguments
    @OptionGroup var checkpoints: CheckpointArguments
    @OptionGroup var optimization: OptimizationArguments
    @OptionGroup var compute: ComputeArguments
    @OptionGroup var logging: TensorBoardArguments
    @OptionGroup var configFile: ConfigFileArguments

    func run() throws {
        try runReportingErrors {
            try compute.apply()
            recurrentTrainingContext().apply()
            try logging.start()
            let folder = RunFolder(path: output.out)
            if checkpoints.isResuming {
                try checkpoints.checkResumeFlags()
                let summary = try SequenceClassifierTraining.resume(folder: folder, overridingEpochs: CheckpointArguments.typedEpochs(epochs),
                                                                    from: checkpoints.resumeFrom,
                                                                    checkpointing: (checkpoints.checkpointEvery, checkpoints.keepCheckpoints),
                                                                    quiet: output.quiet)
                if output.json { printJSON(summary) }
                return
            }
            if FileManager.default.fileExists(atPath: folder.modelPath) {
                throw ModelError.invalidArgument("--out \(output.out): already holds a trained model (use --resume to continue it, or another folder)")
            }
            var config = SequenceClassifierConfig()
            config.hidden = hidden; config.epochs = epochs; config.batchSize = batchSize; config.learningRate = lr
            config.limit = limit; config.seed = seed; config.dataDirectory = data; config.maxStepsPerEpoch = maxSteps; config.evalLimit = evalLimit
            let loop = try optimization.loopOptions(checkpoints)
            config.loop = loop == TrainingLoopOptions() ? nil : loop
            let summary = try SequenceClassifierTraining.run(config: config, folder: folder, quiet: output.quiet)
            if output.json { printJSON(summary) }
        }
    }
}
