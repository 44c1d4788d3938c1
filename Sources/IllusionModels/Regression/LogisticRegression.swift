import Foundation

/// config.json of a logistic-regression run. Two classes: one logit, p = σ(x·w + b), checkpoint
/// `weight [1, d]`, `bias [1]`; K > 2 classes: multinomial (softmax) with `weight [K, d]`, `bias [K]`.
/// Weights are in original feature units (`torch.nn.Linear` names).
public struct LogisticRegressionRunConfig: Codable, Equatable {
    public var kind = "logistic-regression"
    public var data: RegressionDataSource
    public var training: RegressionTrainingOptions
    public var featureNames: [String] = []
    public var targetName = "y"
    /// The target values of each class, in label order (class k ↔ `classValues[k]`).
    public var classValues: [Double] = []
    public var savedOptimizer: RegressionOptimizer?

    public init(data: RegressionDataSource, training: RegressionTrainingOptions) {
        self.data = data; self.training = training
    }
}

/// `illusion train logistic-regression`: cross-entropy minimised by GD, SGD and Adam.
public enum LogisticRegressionWorkflow {
    /// Returns the `--json` summary (`test_accuracy`, `test_loss` = mean cross-entropy in nats).
    public static func run(_ config: LogisticRegressionRunConfig, folder: RunFolder, quiet: Bool = false) throws -> [String: Any] {
        var config = config
        try config.training.validate()
        let started = Date()
        let loaded = try config.data.load(logistic: true)
        let classValues = Array(Set(loaded.data.targets)).sorted()
        guard classValues.count >= 2 else {
            throw ModelError.invalidArgument("--target \(loaded.data.targetName): needs at least two distinct values, found \(classValues.count)")
        }
        guard classValues.count <= 100 else {
            throw ModelError.invalidArgument("--target \(loaded.data.targetName): \(classValues.count) distinct values — logistic regression needs a class column (use linear-regression for a real-valued target)")
        }
        let (train, test) = try loaded.data.split(testFraction: config.training.testFraction, seed: config.training.seed)
        config.featureNames = loaded.data.featureNames
        config.targetName = loaded.data.targetName
        config.classValues = classValues
        let k = classValues.count, binary = k == 2, outputs = binary ? 1 : k
        let classIndex = Dictionary(uniqueKeysWithValues: classValues.enumerated().map { ($1, $0) })
        let trainLabels = train.targets.map { classIndex[$0]! }, testLabels = test.targets.map { classIndex[$0]! }
        try folder.create()
        if !quiet {
            logLine("logistic regression (\(binary ? "binary" : "\(k)-class softmax")) on \(config.data.description): \(train.count) training, \(test.count) test samples; run folder \(folder.path)")
        }

        let scaling = FeatureScaling(fitting: train)
        let x = scaling.standardized(train), xTest = scaling.standardized(test)
        let targets01 = Tensor(shape: [train.count, 1], storage: trainLabels.map(Float.init))
        func loss(_ logits: Tensor, _ rows: [Int]) -> Tensor {
            if binary { return binaryCrossEntropyWithLogits(logits, rows.count == train.count ? targets01 : targets01.gatherRows(rows)) }
            return crossEntropy(logits: logits, labels: rows.map { trainLabels[$0] })
        }
        var fits: [LinearModelFit] = [], results: [[String: Any]] = []
        var best: (index: Int, loss: Double)?
        for kind in config.training.optimizers {
            let fit = try LinearModelFitter.fit(x: x, outputs: outputs, optimizer: kind, options: config.training, quiet: quiet, loss: loss)
            let evaluation = evaluate(fit.layer, xTest, testLabels, binary: binary)
            results.append(["optimizer": kind.rawValue, "test_loss": evaluation.loss, "test_accuracy": evaluation.accuracy,
                            "train_loss": fit.trainLoss.last!])
            fits.append(fit)
            if best == nil || evaluation.loss < best!.loss { best = (results.count - 1, evaluation.loss) }
            if !quiet { logLine(String(format: "%@: test accuracy %.2f%%, cross-entropy %.4f", kind.displayName, 100 * evaluation.accuracy, evaluation.loss)) }
        }
        let chosenFit = fits[best!.index]
        config.savedOptimizer = chosenFit.optimizer
        // Original units: z = Σ_j w_j (x_j − m_j)/s_j + b.
        let d = train.featureCount
        let ws = chosenFit.layer.weight.storage.map(Double.init), bs = chosenFit.layer.bias!.storage.map(Double.init)
        let weights = (0..<outputs).map { o in (0..<d).map { ws[o * d + $0] / scaling.std[$0] } }
        let bias = (0..<outputs).map { o in bs[o] - zip(weights[o], scaling.mean).map { $0 * $1 }.reduce(0, +) }
        try LinearRegressionWorkflow.saveLinear(weights: weights, bias: bias, to: folder.modelPath)
        try folder.writeJSON(config, to: "config.json")
        try LinearModelFitter.writeMetrics(fits, to: folder)

        let chart = LinearModelFitter.lossChart(fits, title: "Logistic regression: training cross-entropy per optimizer", yLabel: "cross-entropy (nats)")
        try chart.writePNG(to: folder.file("loss_curves.png"))
        var report = HTMLReport(title: "IllusionCraft — logistic regression", subtitle: "run folder \(folder.path)")
        report.addSection("Test figures")
        report.addTable(header: ["optimizer", "test accuracy", "test cross-entropy (nats)"],
                        rows: results.map { [RegressionOptimizer(rawValue: $0["optimizer"] as! String)!.displayName,
                                             String(format: "%.2f%%", 100 * ($0["test_accuracy"] as! Double)),
                                             String(format: "%.4f", $0["test_loss"] as! Double)] },
                        caption: "saved model: \(chosenFit.optimizer.displayName)")
        report.addKeyValueTable([("data", config.data.description), ("target", config.targetName),
                                 ("classes", classValues.map { String(format: "%g", $0) }.joined(separator: ", ")),
                                 ("training / test samples", "\(train.count) / \(test.count)"), ("epochs", "\(config.training.epochs)")])
        report.addSection("Loss curves")
        try report.addChart(chart)
        if d == 2 {
            let map = DecisionBoundaryPicture.map(points: test.features.map(Float.init), labels: testLabels,
                                                  classNames: classValues.map { String(format: "%g", $0) },
                                                  title: "Decision regions (test points)") { grid in
                let z = scaling.standardized(RegressionData(features: grid.storage.map(Double.init), targets: [Double](repeating: 0, count: grid.shape[0]), featureCount: 2))
                let logits = chosenFit.layer(z)
                return binary ? Tensor.concatenate([Tensor.zeros([grid.shape[0], 1]), logits], axis: 1) : logits
            }
            try map.writePNG(to: folder.file("decision_regions.png"))
            try report.addChart(map)
        }
        try report.write(to: folder.file("report.html"))
        let chosen = results[best!.index]
        return ["run": folder.path, "kind": config.kind, "test_accuracy": chosen["test_accuracy"]!, "test_loss": chosen["test_loss"]!,
                "saved_optimizer": chosenFit.optimizer.rawValue, "optimizers": results, "classes": k,
                "train_samples": train.count, "test_samples": test.count, "wall_seconds": Date().timeIntervalSince(started)]
    }

    /// Accuracy and mean cross-entropy (nats) of a fitted layer on standardised features.
    static func evaluate(_ layer: Dense, _ x: Tensor, _ labels: [Int], binary: Bool) -> (accuracy: Double, loss: Double) {
        noGrad {
            let logits = layer(x)
            if binary {
                let t = Tensor(shape: [labels.count, 1], storage: labels.map(Float.init))
                let correct = zip(logits.storage, labels).filter { ($0.0 >= 0 ? 1 : 0) == $0.1 }.count
                return (Double(correct) / Double(max(labels.count, 1)), Double(binaryCrossEntropyWithLogits(logits, t).scalar))
            }
            let predicted = logits.argmaxLastAxis()
            let correct = zip(predicted, labels).filter { $0.0 == $0.1 }.count
            return (Double(correct) / Double(max(labels.count, 1)), Double(crossEntropy(logits: logits, labels: labels).scalar))
        }
    }
}
