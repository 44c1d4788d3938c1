import ArgumentParser
import Foundation
import IllusionModels

/// Options shared by `train linear-regression` and `train logistic-regression`.
struct RegressionArguments: ParsableArguments, RunOutputCommand {
    @Option(help: "CSV file with a header row (default: generated data).") var csv: String?
    @Option(help: "Target column of the CSV.") var target: String?
    @Option(help: "Comma-separated feature columns of the CSV (default: every other numeric column).") var features: String?
    @Flag(name: .customLong("drop-invalid-rows"), help: "CSV: leave out rows with an empty, NaN/inf or non-numeric cell in a used column (counted on stderr) instead of failing.")
    var dropInvalidRows = false
    @Option(parsing: .unconditional, help: "Generated data: number of samples.") var samples: Int = 1000
    @Option(name: .customLong("feature-count"), parsing: .unconditional, help: "Generated data: number of features.") var featureCount: Int = 3
    @Option(parsing: .unconditional, help: "Generated data: seed of the generator.") var dataSeed: UInt64 = 0
    @Option(help: "Comma-separated optimizers to compare: gd (full batch), sgd (mini-batch), adam.") var optimizers: String = "gd,sgd,adam"
    @Option(parsing: .unconditional) var epochs: Int = 200
    @Option(name: .customLong("batch-size"), parsing: .unconditional, help: "Mini-batch size of sgd and adam.") var batchSize: Int = 32
    @Option(parsing: .unconditional, help: "Learning rate for every optimizer (default: gd 0.1, sgd 0.02, adam 0.005).") var lr: Float?
    @Option(name: .customLong("test-fraction"), parsing: .unconditional, help: "Fraction of the samples held out for testing.") var testFraction: Double = 0.2
    @Option(parsing: .unconditional) var seed: UInt64 = 0
    @OptionGroup var output: RunOutputArguments
    @OptionGroup var logging: TensorBoardArguments

    func dataSource(noise: Double) -> RegressionDataSource {
        var source = RegressionDataSource(csvPath: csv, target: target,
                                          features: features.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } })
        if dropInvalidRows { source.dropInvalidRows = true }
        source.samples = samples; source.featureCount = featureCount; source.seed = dataSeed; source.noise = noise
        return source
    }

    func trainingOptions() throws -> RegressionTrainingOptions {
        var t = RegressionTrainingOptions()
        t.epochs = epochs; t.batchSize = batchSize; t.learningRate = lr; t.testFraction = testFraction; t.seed = seed
        t.optimizers = try RegressionOptimizer.parseList(optimizers)
        return t
    }
}

struct TrainLinearRegression: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "linear-regression",
        abstract: "Least squares by full-batch GD, mini-batch SGD and Adam, checked against the closed-form solution.")

    @OptionGroup var options: RegressionArguments
    @Option(parsing: .unconditional, help: "Generated data: standard deviation of the noise added to y.") var noise: Double = 0.5

    func run() throws {
        try runReportingErrors {
            let config = LinearRegressionRunConfig(data: options.dataSource(noise: noise), training: try options.trainingOptions())
            try options.logging.start()
            let summary = try LinearRegressionWorkflow.run(config, folder: RunFolder(path: options.out), quiet: options.quiet)
            try TrainingLog.replayFinishedRun(RunFolder(path: options.out), series: "optimizer")
            if options.json { printJSON(summary) }
        }
    }
}
