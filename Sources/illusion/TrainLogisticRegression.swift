import ArgumentParser
import Foundation
import IllusionModels

struct TrainLogisticRegression: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logistic-regression",
        abstract: "Logistic (2 classes) or softmax (more) regression by full-batch GD, mini-batch SGD and Adam.")

    @OptionGroup var options: RegressionArguments

    func run() throws {
        try runReportingErrors {
            let config = LogisticRegressionRunConfig(data: options.dataSource(noise: 0), training: try options.trainingOptions())
            try options.logging.start()
            let summary = try LogisticRegressionWorkflow.run(config, folder: RunFolder(path: options.out), quiet: options.quiet)
            try TrainingLog.replayFinishedRun(RunFolder(path: options.out), series: "optimizer")
            if options.json { printJSON(summary) }
        }
    }
}
