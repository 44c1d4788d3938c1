import Foundation

/// Sequential Fashion-MNIST (`illusion train seq-classifier`): an LSTM reads each 28×28 image row by
/// row (28 steps of 28 pixels in [0, 1]) and a Linear layer classifies its last hidden state, as the
/// PyTorch peer `seq_fmnist_lstm.py` (LSTM(28, 128) → Linear(128, 10), Adam 1e-3, batch 128, the last
/// partial batch kept, no clipping). State-dict names `lstm.*`, `fc.*` as the peer's `SeqLSTM`.
public final class SequenceClassifier: Layer {
    public let lstm: LSTM
    public let fc: Dense
    public var isTraining = true

    public init(inputSize: Int = 28, hidden: Int = 128, classes: Int = 10, rng: inout RandomGenerator) {
        lstm = LSTM(inputSize, hidden, rng: &rng)
        fc = Dense(hidden, classes, rng: &rng)
    }

    public var children: [(name: String, layer: Layer)] { [("lstm", lstm), ("fc", fc)] }

    /// x `[N, T, I]` → logits `[N, classes]` from h_T.
    public func forward(_ x: Tensor) -> Tensor {
        let h = lstm.forward(x, state: nil).state.hidden  // [1, N, H]
        return fc(h.reshaped([x.shape[0], lstm.hiddenSize]))
    }
}

/// `config.json` of a seq-classifier run.
public struct SequenceClassifierConfig: Codable {
    public var kind = "seq-classifier"
    public var hidden = 128
    public var epochs = 2
    public var batchSize = 128
    public var learningRate: Float = 1e-3
    public var seed: UInt64 = 0
    /// Use at most this many training images (0 = all).
    public var limit = 0
    public var dataDirectory = FashionMNIST.defaultDirectory
    public init() {}
}

public enum SequenceClassifierTraining {
    /// Images `[N, 1, 28, 28]` in [0, 1] as sequences `[N, 28 rows, 28 pixels]`.
    static func sequences(_ data: ImageDataset, _ indices: [Int]) -> Tensor {
        data.floatImages(at: indices, encoding: .unitRange).reshaped([indices.count, data.height, data.width])
    }

    /// Accuracy and the confusion matrix (rows: true class, columns: predicted) over `data`.
    public static func evaluate(_ model: SequenceClassifier, _ data: ImageDataset, batch: Int = 500) -> (accuracy: Double, confusion: [[Int]]) {
        let k = data.classNames.count
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: k), count: k)
        model.setTraining(false)
        defer { model.setTraining(true) }
        noGrad {
            for start in stride(from: 0, to: data.count, by: batch) {
                let idx = Array(start..<min(start + batch, data.count))
                let predictions = model(sequences(data, idx)).argmaxLastAxis()
                for (i, p) in zip(idx, predictions) { confusion[data.labels[i]][p] += 1 }
            }
        }
        let correct = (0..<k).reduce(0) { $0 + confusion[$1][$1] }
        return (Double(correct) / Double(max(data.count, 1)), confusion)
    }

    public static func run(config: SequenceClassifierConfig, folder: RunFolder, quiet: Bool) throws -> [String: Any] {
        guard config.epochs >= 1 else { throw ModelError.invalidArgument("--epochs must be ≥ 1, got \(config.epochs)") }
        guard config.batchSize >= 1 else { throw ModelError.invalidArgument("--batch-size must be ≥ 1, got \(config.batchSize)") }
        guard config.hidden >= 1 else { throw ModelError.invalidArgument("--hidden must be ≥ 1, got \(config.hidden)") }
        guard config.limit >= 0 else { throw ModelError.invalidArgument("--limit must be ≥ 0, got \(config.limit)") }
        var train = try FashionMNIST.load(.train, directory: config.dataDirectory)
        let test = try FashionMNIST.load(.test, directory: config.dataDirectory)
        if config.limit > 0 && config.limit < train.count {
            train.images = Array(train.images[..<(config.limit * train.imageSize)]); train.labels = Array(train.labels[..<config.limit])
        }
        try folder.create()
        try folder.writeJSON(config, to: "config.json")
        try? FileManager.default.removeItem(atPath: folder.metricsPath)
        var rng = RandomGenerator(seed: config.seed)
        let model = SequenceClassifier(hidden: config.hidden, rng: &rng)
        let optimizer = Adam(parameters: model.parameters, learningRate: config.learningRate)
        var accuracies: [Double] = [], trainLosses: [Double] = []
        var summary: [String: Any] = [:]
        var confusion: [[Int]] = []
        for epoch in 1...config.epochs {
            let order = rng.permutation(train.count)
            let batches = (train.count + config.batchSize - 1) / config.batchSize
            let progress = ProgressReporter(label: "epoch \(epoch)/\(config.epochs)", total: batches, quiet: quiet)
            var lossSum: Double = 0, stepTimes: [Double] = []
            let start = Date()
            for b in 0..<batches {
                let t0 = Date()
                let idx = Array(order[(b * config.batchSize)..<min((b + 1) * config.batchSize, train.count)])
                let loss = crossEntropy(logits: model(sequences(train, idx)), labels: idx.map { train.labels[$0] })
                optimizer.zeroGrad()
                loss.backward()
                optimizer.step()
                lossSum += Double(loss.scalar)
                stepTimes.append(Date().timeIntervalSince(t0) / Double(idx.count))
                progress.update(done: b + 1, images: min((b + 1) * config.batchSize, train.count), figures: [("loss", lossSum / Double(b + 1))])
            }
            let seconds = Date().timeIntervalSince(start)
            let (accuracy, matrix) = evaluate(model, test)
            confusion = matrix
            accuracies.append(accuracy); trainLosses.append(lossSum / Double(batches))
            let steady = stepTimes.count > 1 ? Array(stepTimes.dropFirst()).sorted() : stepTimes
            let line: [String: Any] = ["epoch": epoch, "step": epoch * batches, "train_loss": lossSum / Double(batches), "test_accuracy": accuracy,
                                       "epoch_s": seconds, "images_per_s_mean": Double(train.count) / seconds,
                                       "images_per_s_median": 1 / steady[steady.count / 2]]
            try folder.appendMetrics(line)
            try TrainingLog.record(line)   // --tensorboard
            try TrainingLog.flush()
            summary = line
            try Checkpoint.save(model, to: folder.modelPath)
            if !quiet { logLine(String(format: "epoch %d: train loss %.4f, test accuracy %.4f, %.0f images/s", epoch, lossSum / Double(batches), accuracy, Double(train.count) / seconds)) }
            try writeReport(folder: folder, config: config, accuracies: accuracies, losses: trainLosses, confusion: confusion)
        }
        summary["run"] = folder.path
        summary["confusion_matrix"] = confusion
        return summary
    }

    static func writeReport(folder: RunFolder, config: SequenceClassifierConfig, accuracies: [Double], losses: [Double],
                            confusion: [[Int]]) throws {
        let curves = LineChart(title: "Sequential Fashion-MNIST (LSTM, row by row)", xLabel: "epoch", yLabel: "",
                               series: [LineChart.Series(name: "test accuracy", values: accuracies, xs: (1...accuracies.count).map(Double.init)),
                                        LineChart.Series(name: "train loss", values: losses, xs: (1...losses.count).map(Double.init))])
        try curves.figure().writePNG(to: folder.file("curves.png"))
        let matrix = ConfusionMatrixChart(counts: confusion, classNames: FashionMNIST.classNames)
        try matrix.figure().writePNG(to: folder.file("confusion_matrix.png"))
        var report = HTMLReport(title: "IllusionCraft — sequential Fashion-MNIST LSTM", subtitle: "run folder \(folder.path)")
        report.addKeyValueTable([("model", "LSTM(28 → \(config.hidden)) over 28 rows, last hidden state → Linear(\(config.hidden), 10)"),
                                 ("training", "Adam \(config.learningRate), batch \(config.batchSize), \(accuracies.count) epochs"),
                                 ("test accuracy", String(format: "%.4f", accuracies.last ?? 0))])
        try report.addChart(curves, caption: "test accuracy and training loss per epoch")
        try report.addChart(matrix, caption: "confusion matrix on the test set (rows: true class)")
        try report.write(to: folder.file("report.html"))
    }
}
