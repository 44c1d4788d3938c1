import ArgumentParser
import Foundation
import IllusionModels

struct TrainMLP: ParsableCommand, RunOutputCommand {
    static let configuration = CommandConfiguration(
        commandName: "mlp",
        abstract: "MLPs with 0, 1, 2, 4, … hidden layers on a 2-D toy set; one figure of their decision boundaries.")

    @Option(help: "Toy set: moons, circles, spirals or blobs.") var dataset: String = "moons"
    @Option(parsing: .unconditional, help: "Number of points.") var samples: Int = 1000
    @Option(parsing: .unconditional, help: "Standard deviation of the jitter (default: the set's own).") var noise: Double?
    @Option(parsing: .unconditional, help: "Spirals and blobs: number of classes.") var classes: Int = 3
    @Option(name: .customLong("data-seed"), parsing: .unconditional) var dataSeed: UInt64 = 0
    @Option(name: .customLong("hidden-layers"), help: "Comma-separated hidden-layer counts to compare.") var hiddenLayers: String = "0,1,2,4,8"
    @Option(parsing: .unconditional, help: "Units per hidden layer.") var width: Int = 16
    @Option(help: "relu or tanh.") var activation: String = "relu"
    @Option(parsing: .unconditional) var epochs: Int = 300
    @Option(name: .customLong("batch-size"), parsing: .unconditional) var batchSize: Int = 64
    @Option(parsing: .unconditional, help: "Adam learning rate.") var lr: Float = 0.01
    @Option(name: .customLong("test-fraction"), parsing: .unconditional) var testFraction: Double = 0.25
    @Option(parsing: .unconditional) var seed: UInt64 = 0
    @OptionGroup var output: RunOutputArguments
    @OptionGroup var logging: TensorBoardArguments

    func run() throws {
        try runReportingErrors {
            let counts = try hiddenLayers.split(separator: ",").map { part -> Int in
                guard let v = Int(part.trimmingCharacters(in: .whitespaces)) else {
                    throw ModelError.invalidArgument("--hidden-layers: '\(part)' is not a whole number (expected e.g. 0,1,2,4)")
                }
                return v
            }
            let data = ToyDataSpec(name: dataset, samples: samples, noise: noise, classes: classes, seed: dataSeed)
            let config = MLPRunConfig(data: data, hiddenLayerCounts: counts, width: width, activation: activation,
                                      training: PointClassifierTrainingOptions(epochs: epochs, batchSize: batchSize, learningRate: lr, seed: seed),
                                      testFraction: testFraction)
            try logging.start()
            let summary = try DecisionBoundariesWorkflow.run(config, folder: RunFolder(path: out), quiet: quiet)
            try TrainingLog.replayFinishedRun(RunFolder(path: out), series: "hidden_layers")
            if json { printJSON(summary) }
        }
    }
}
