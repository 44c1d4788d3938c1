import Foundation

/// config.json of a linear-regression run. The checkpoint holds one `torch.nn.Linear(d, 1)`
/// (`weight [1, d]`, `bias [1]`) in the original feature and target units.
public struct LinearRegressionRunConfig: Codable, Equatable {
    public var kind = "linear-regression"
    public var data: RegressionDataSource
    public var training: RegressionTrainingOptions
    /// Filled in by training.
    public var featureNames: [String] = []
    public var targetName = "y"
    /// The optimizer whose model was saved (lowest test loss).
    public var savedOptimizer: RegressionOptimizer?

    public init(data: RegressionDataSource, training: RegressionTrainingOptions) {
        self.data = data; self.training = training
    }
}

/// `illusion train linear-regression`: least squares by GD, SGD and Adam, checked against the closed form.
public enum LinearRegressionWorkflow {
    /// Trains every requested optimizer, writes the run folder and returns the `--json` summary
    /// (`test_loss` is the mean squared error on the test split of the saved model).
    public static func run(_ config: LinearRegressionRunConfig, folder: RunFolder, quiet: Bool = false) throws -> [String: Any] {
        var config = config
        try config.training.validate()
        let started = Date()
        let loaded = try config.data.load(logistic: false)
        let (train, test) = try loaded.data.split(testFraction: config.training.testFraction, seed: config.training.seed)
        config.featureNames = loaded.data.featureNames
        config.targetName = loaded.data.targetName
        try folder.create()

        let scaling = FeatureScaling(fitting: train)
        let x = scaling.standardized(train)
        let yMean = train.targets.reduce(0, +) / Double(train.count)
        let yStd = max((train.targets.map { ($0 - yMean) * ($0 - yMean) }.reduce(0, +) / Double(train.count)).squareRoot(), 1e-12)
        let y = Tensor(shape: [train.count, 1], storage: train.targets.map { Float(($0 - yMean) / yStd) })
        let closed = try LeastSquares.solve(train)
        if !quiet {
            logLine("linear regression on \(config.data.description): \(train.count) training, \(test.count) test samples, \(train.featureCount) features; run folder \(folder.path)")
        }

        var fits: [LinearModelFit] = []
        var results: [[String: Any]] = []
        var best: (index: Int, loss: Double)?
        for kind in config.training.optimizers {
            let fit = try LinearModelFitter.fit(x: x, outputs: 1, optimizer: kind, options: config.training, quiet: quiet) { p, rows in
                IllusionNeuralNetworks.meanSquaredError(p, rows.count == train.count ? y : y.gatherRows(rows))
            }
            // Back to original units: ŷ = ȳ + s_y·(Σ w_j (x_j − m_j)/s_j + b).
            let ws = fit.layer.weight.storage.map(Double.init), bs = Double(fit.layer.bias!.storage[0])
            let weights = (0..<train.featureCount).map { yStd * ws[$0] / scaling.std[$0] }
            var bias = yMean + yStd * bs
            for j in 0..<train.featureCount { bias -= weights[j] * scaling.mean[j] }
            let testLoss = testMeanSquaredError(test, weights: weights, bias: bias)
            let curve = fit.trainLoss.map { $0 * yStd * yStd }
            let difference = zip(weights + [bias], closed.weights + [closed.bias]).map { abs($0 - $1) }.max() ?? 0
            results.append(["optimizer": kind.rawValue, "test_loss": testLoss, "train_loss": curve.last!,
                            "weights": weights, "bias": bias, "max_difference_from_closed_form": difference])
            fits.append(LinearModelFit(optimizer: kind, layer: fit.layer, trainLoss: curve))
            if best == nil || testLoss < best!.loss { best = (results.count - 1, testLoss) }
            if !quiet {
                logLine(String(format: "%@: test MSE %.5g, max |coefficient − closed form| %.3g", kind.displayName, testLoss, difference))
            }
        }
        let chosen = results[best!.index]
        config.savedOptimizer = config.training.optimizers[best!.index]
        try saveLinear(weights: [chosen["weights"] as! [Double]], bias: [chosen["bias"] as! Double], to: folder.modelPath)
        try folder.writeJSON(config, to: "config.json")
        try LinearModelFitter.writeMetrics(fits, to: folder)

        let closedTestLoss = testMeanSquaredError(test, weights: closed.weights, bias: closed.bias)
        let chart = LinearModelFitter.lossChart(fits, title: "Linear regression: training MSE per optimizer", yLabel: "mean squared error")
        try chart.writePNG(to: folder.file("loss_curves.png"))
        let chosenWeights = chosen["weights"] as! [Double], chosenBias = chosen["bias"] as! Double, d = test.featureCount
        let predictions = (0..<test.count).map { i in
            zip(chosenWeights, test.features[(i * d)..<((i + 1) * d)]).reduce(chosenBias) { $0 + $1.0 * $1.1 }
        }
        let scatter = ScatterPlot(title: "Test set: prediction against target", xLabel: "target \(config.targetName)", yLabel: "prediction",
                                  points: LabeledPoints(xs: test.targets, ys: predictions))
        try scatter.writePNG(to: folder.file("predictions.png"))

        var report = HTMLReport(title: "IllusionCraft — linear regression", subtitle: "run folder \(folder.path)")
        report.addSection("Coefficients")
        var header = ["", "bias"] + config.featureNames + ["test MSE"]
        var rows: [[String]] = [["closed-form least squares", fmt(closed.bias)] + closed.weights.map(fmt) + [fmt(closedTestLoss)]]
        for r in results {
            rows.append([RegressionOptimizer(rawValue: r["optimizer"] as! String)!.displayName, fmt(r["bias"] as! Double)]
                        + (r["weights"] as! [Double]).map(fmt) + [fmt(r["test_loss"] as! Double)])
        }
        if let w = loaded.trueWeights, let b = loaded.trueBias {
            rows.insert(["true (generator)", fmt(b)] + w.map(fmt) + ["—"], at: 0)
        }
        if header.count > 40 { header = Array(header.prefix(40)); rows = rows.map { Array($0.prefix(40)) } }
        report.addTable(header: header, rows: rows, caption: "in original units; saved model: \(config.savedOptimizer!.displayName)")
        report.addKeyValueTable([("data", config.data.description), ("target", config.targetName),
                                 ("training / test samples", "\(train.count) / \(test.count)"),
                                 ("epochs", "\(config.training.epochs)"), ("batch size (SGD, Adam)", "\(config.training.batchSize)"),
                                 ("learning rates", config.training.optimizers.map { "\($0.rawValue) \(config.training.learningRate(for: $0))" }.joined(separator: ", "))])
        report.addSection("Loss curves")
        try report.addChart(chart)
        try report.addChart(scatter)
        try report.write(to: folder.file("report.html"))

        return ["run": folder.path, "kind": config.kind, "test_loss": chosen["test_loss"]!, "saved_optimizer": config.savedOptimizer!.rawValue,
                "optimizers": results, "closed_form": ["weights": closed.weights, "bias": closed.bias, "test_loss": closedTestLoss],
                "train_samples": train.count, "test_samples": test.count, "wall_seconds": Date().timeIntervalSince(started)]
    }

    /// Mean of (x·w + b − y)² over the samples.
    public static func testMeanSquaredError(_ data: RegressionData, weights: [Double], bias: Double) -> Double {
        let d = data.featureCount
        var s = 0.0
        for i in 0..<data.count {
            var p = bias
            for j in 0..<d { p += weights[j] * data.features[i * d + j] }
            s += (p - data.targets[i]) * (p - data.targets[i])
        }
        return s / Double(max(data.count, 1))
    }

    /// Writes `weight [outputs, d]` and `bias [outputs]` as safetensors (torch.nn.Linear names).
    static func saveLinear(weights: [[Double]], bias: [Double], to path: String) throws {
        var file = SafeTensors()
        file.set("weight", Tensor(shape: [weights.count, weights[0].count], storage: weights.flatMap { $0.map(Float.init) }))
        file.set("bias", Tensor(shape: [bias.count], storage: bias.map(Float.init)))
        try file.write(to: path)
    }

    static func fmt(_ v: Double) -> String { String(format: "%.5g", v) }
}
