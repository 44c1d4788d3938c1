import Foundation

/// Which 2-D toy set an MLP run trains on (config.json "data").
public struct ToyDataSpec: Codable, Equatable, Sendable {
    /// `moons`, `circles`, `spirals` or `blobs`.
    public var name: String
    public var samples: Int
    /// Standard deviation of the Gaussian jitter (nil: the set's default).
    public var noise: Double?
    /// Spirals and blobs: number of classes.
    public var classes: Int
    public var seed: UInt64

    public static let names = ["moons", "circles", "spirals", "blobs"]

    public init(name: String, samples: Int = 1000, noise: Double? = nil, classes: Int = 3, seed: UInt64 = 0) {
        self.name = name; self.samples = samples; self.noise = noise; self.classes = classes; self.seed = seed
    }

    public func load() throws -> PointDataset {
        guard samples >= 20 else { throw ModelError.invalidArgument("--samples must be ≥ 20, got \(samples)") }
        guard classes >= 2 && classes <= 10 else { throw ModelError.invalidArgument("--classes must be in 2…10, got \(classes)") }
        switch name {
        case "moons": return ToyDatasets.moons(count: samples, noise: noise ?? 0.2, seed: seed)
        case "circles": return ToyDatasets.circles(count: samples, noise: noise ?? 0.1, factor: 0.5, seed: seed)
        case "spirals": return ToyDatasets.spirals(count: samples, classes: classes, noise: noise ?? 0.05, seed: seed)
        case "blobs": return ToyDatasets.gaussianBlobs(count: samples, classes: classes, standardDeviation: noise ?? 1.0, range: 4, seed: seed)
        default:
            throw ModelError.invalidArgument("--dataset: unknown toy set '\(name)' (expected \(ToyDataSpec.names.joined(separator: ", ")))")
        }
    }
}

/// config.json of an MLP run: the toy set, the depths compared, and the saved model's architecture.
public struct MLPRunConfig: Codable, Equatable {
    public var kind = "mlp"
    public var data: ToyDataSpec
    /// Hidden-layer counts trained and compared, e.g. [0, 1, 2, 4, 8].
    public var hiddenLayerCounts: [Int]
    public var width: Int
    public var activation: String
    public var training: PointClassifierTrainingOptions
    public var testFraction: Double
    /// The architecture in model.safetensors (the most accurate on the test split; fewer layers on ties).
    public var model: MLPConfig?

    public init(data: ToyDataSpec, hiddenLayerCounts: [Int], width: Int = 16, activation: String = "relu",
                training: PointClassifierTrainingOptions = PointClassifierTrainingOptions(), testFraction: Double = 0.25) {
        self.data = data; self.hiddenLayerCounts = hiddenLayerCounts; self.width = width
        self.activation = activation; self.training = training; self.testFraction = testFraction
    }
}

/// `illusion train mlp`: one MLP per depth on a toy set, one figure of their decision boundaries.
public enum DecisionBoundariesWorkflow {
    public static func run(_ config: MLPRunConfig, folder: RunFolder, quiet: Bool = false) throws -> [String: Any] {
        var config = config
        try config.training.validate()
        guard !config.hiddenLayerCounts.isEmpty else { throw ModelError.invalidArgument("--hidden-layers: give at least one count, e.g. 0,1,2,4") }
        guard config.testFraction > 0 && config.testFraction < 1 else {
            throw ModelError.invalidArgument("--test-fraction must be in (0, 1), got \(config.testFraction)")
        }
        let started = Date()
        let points = try config.data.load()
        // Points come shuffled, so a prefix is a fair test sample.
        let testCount = max(1, Int(Double(points.count) * config.testFraction))
        let test = (points.points.batch(0..<testCount), Array(points.labels[..<testCount]))
        let train = (points.points.batch(testCount..<points.count), Array(points.labels[testCount...]))
        let classNames = (0..<points.classCount).map { "class \($0)" }
        try folder.create()
        try? FileManager.default.removeItem(atPath: folder.metricsPath)
        if !quiet {
            logLine("MLPs on \(config.data.name) (\(train.1.count) training, \(testCount) test points), hidden layers \(config.hiddenLayerCounts.map(String.init).joined(separator: ", ")); run folder \(folder.path)")
        }
        var maps: [Chart] = [], results: [[String: Any]] = []
        var best: (model: Sequential, config: MLPConfig, accuracy: Double)?
        for depth in config.hiddenLayerCounts {
            let mlp = MLPConfig(inputSize: 2, classCount: points.classCount, hiddenLayers: depth, width: config.width, activation: config.activation)
            try mlp.validate()
            var rng = RandomGenerator(seed: config.training.seed &+ UInt64(depth))
            let model = MLPClassifier.make(mlp, rng: &rng)
            let curve = try PointClassifierTrainer.train(model, features: train.0, labels: train.1, options: config.training,
                                                         label: "\(depth) hidden", quiet: quiet)
            let trainAccuracy = PointClassifierTrainer.accuracy(model, features: train.0, labels: train.1)
            let testAccuracy = PointClassifierTrainer.accuracy(model, features: test.0, labels: test.1)
            for (e, loss) in curve.enumerated() where (e + 1) % 10 == 0 || e + 1 == curve.count {
                try folder.appendMetrics(["hidden_layers": depth, "epoch": e + 1, "train_loss": loss])
            }
            results.append(["hidden_layers": depth, "train_accuracy": trainAccuracy, "test_accuracy": testAccuracy,
                            "parameters": model.parameterCounts.trainable, "train_loss": curve.last!])
            maps.append(DecisionBoundaryPicture.map(points: test.0.storage, labels: test.1, classNames: classNames,
                                                    title: "\(depth) hidden: test acc \(String(format: "%.1f", 100 * testAccuracy))%") { model($0) })
            if best == nil || testAccuracy > best!.accuracy { best = (model, mlp, testAccuracy) }
            if !quiet { logLine(String(format: "%@: train accuracy %.1f%%, test accuracy %.1f%%", mlp.summary, 100 * trainAccuracy, 100 * testAccuracy)) }
        }
        config.model = best!.config
        try Checkpoint.save(best!.model, to: folder.modelPath, metadata: ["format": "illusioncraft-mlp"])
        try folder.writeJSON(config, to: "config.json")
        let figure = DecisionBoundaryPicture.sideBySide(maps, columns: min(maps.count, 3),
                                                        title: "Decision boundaries on \(config.data.name): \(config.width)-unit \(config.activation) layers")
        try figure.writePNG(to: folder.file("decision_boundaries.png"))

        var report = HTMLReport(title: "IllusionCraft — MLP decision boundaries on \(config.data.name)", subtitle: "run folder \(folder.path)")
        report.addSection("Accuracy by depth")
        report.addTable(header: ["hidden layers", "parameters", "train accuracy", "test accuracy"],
                        rows: results.map { ["\($0["hidden_layers"]!)", "\($0["parameters"]!)",
                                             String(format: "%.1f%%", 100 * ($0["train_accuracy"] as! Double)),
                                             String(format: "%.1f%%", 100 * ($0["test_accuracy"] as! Double))] },
                        caption: "saved model: \(best!.config.summary)")
        report.addSection("Decision boundaries (test points on top)")
        report.addPNG(try figure.pngData(), caption: "shade = predicted class, stronger where the softmax is more confident")
        report.addKeyValueTable([("data", "\(config.data.name), \(config.data.samples) points, seed \(config.data.seed)"),
                                 ("epochs", "\(config.training.epochs)"), ("batch size", "\(config.training.batchSize)"),
                                 ("Adam learning rate", "\(config.training.learningRate)")])
        try report.write(to: folder.file("report.html"))
        return ["run": folder.path, "kind": config.kind, "test_accuracy": best!.accuracy, "saved_hidden_layers": best!.config.hiddenLayers,
                "models": results, "dataset": config.data.name, "wall_seconds": Date().timeIntervalSince(started)]
    }
}
