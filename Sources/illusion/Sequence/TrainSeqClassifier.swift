import ArgumentParser
import Foundation
import IllusionModels

struct TrainSeqClassifier: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seq-classifier",
        abstract: "Sequential Fashion-MNIST: an LSTM reads each image row by row (28 steps of 28 pixels) and classifies its last state.")

    @Option(help: "Fashion-MNIST directory.") var data: String = FashionMNIST.defaultDirectory
    @Option(parsing: .unconditional, help: "LSTM hidden size.") var hidden: Int = 128
    @Option(parsing: .unconditional) var epochs: Int = 2
    @Option(name: .customLong("batch-size"), parsing: .unconditional) var batchSize: Int = 128
    @Option(parsing: .unconditional, help: "Adam learning rate.") var lr: Float = 1e-3
    @Option(parsing: .unconditional, help: "Use at most this many training images (0 = all).") var limit: Int = 0
    @Option(parsing: .unconditional) var seed: UInt64 = 0
    @Option(help: "Run folder.") var out: String
    @Flag(help: "Print the final figures as one JSON object on stdout.") var json = false
    @Flag(help: "No progress output.") var quiet = false
    @OptionGroup var logging: TensorBoardArguments

    func run() throws {
        try runReportingErrors {
            useBLASThreadsForRecurrentWork()
            try logging.start()
            var config = SequenceClassifierConfig()
            config.hidden = hidden; config.epochs = epochs; config.batchSize = batchSize; config.learningRate = lr
            config.limit = limit; config.seed = seed; config.dataDirectory = data
            let summary = try SequenceClassifierTraining.run(config: config, folder: RunFolder(path: out), quiet: quiet)
            if json { printJSON(summary) }
        }
    }
}
