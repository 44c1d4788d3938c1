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
        let h = lstm.finalState(x).hidden  // [1, N, H]
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
    /// At most this many steps per epoch (0 = full epochs).
    public var maxStepsPerEpoch = 0
    /// Use at most this many test images (0 = all 10,000).
    public var evalLimit = 0
    /// The shared loop's flags (schedule, clipping, checkpoints); nil in configs written before the port.
    public var loop: TrainingLoopOptions?
    public init() {}

    enum CodingKeys: String, CodingKey { case kind, hidden, epochs, batchSize, learningRate, seed, limit, dataDirectory, maxStepsPerEpoch, evalLimit, loop }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decode(String.self, forKey: .kind)
        hidden = try c.decode(Int.self, forKey: .hidden)
        epochs = try c.decode(Int.self, forKey: .epochs)
        batchSize = try c.decode(Int.self, forKey: .batchSize)
        learningRate = try c.decode(Float.self, forKey: .learningRate)
        seed = try c.decode(UInt64.self, forKey: .seed)
        limit = try c.decode(Int.self, forKey: .limit)
        dataDirectory = try c.decode(String.self, forKey: .dataDirectory)
        maxStepsPerEpoch = try c.decodeIfPresent(Int.self, forKey: .maxStepsPerEpoch) ?? 0
        evalLimit = try c.decodeIfPresent(Int.self, forKey: .evalLimit) ?? 0
        loop = try c.decodeIfPresent(TrainingLoopOptions.self, forKey: .loop)
    }

    public func validate() throws {
        guard epochs >= 1 else { throw ModelError.invalidArgument("--epochs must be ≥ 1, got \(epochs)") }
        guard batchSize >= 1 else { throw ModelError.invalidArgument("--batch-size must be ≥ 1, got \(batchSize)") }
        guard hidden >= 1 else { throw ModelError.invalidArgument("--hidden must be ≥ 1, got \(hidden)") }
        guard limit >= 0 else { throw ModelError.invalidArgument("--limit must be ≥ 0, got \(limit)") }
        guard evalLimit >= 0 else { throw ModelError.invalidArgument("--eval-limit must be ≥ 0, got \(evalLimit)") }
        guard maxStepsPerEpoch >= 0 else { throw ModelError.invalidArgument("--max-steps must be ≥ 0, got \(maxStepsPerEpoch)") }
        guard learningRate > 0 && learningRate.isFinite else { throw ModelError.invalidArgument("--lr must be a positive number, got \(learningRate)") }
        try loop?.validate()
    }
}

/// The sequence classifier's part of the shared loop: Adam on the cross-entropy of one shuffled
/// batch (the last partial batch kept, as the peer); test accuracy after each epoch.
final class SequenceClassifierTask: TrainingTask {
    let classifier: SequenceClassifier
    let optimizer: Adam
    let train: ImageDataset
    let test: ImageDataset
    let size: Int
    var batches: ShuffledBatches
    var lastConfusion: [[Int]] = []

    init(model: SequenceClassifier, config: SequenceClassifierConfig, train: ImageDataset, test: ImageDataset) {
        classifier = model
        optimizer = Adam(parameters: model.parameters, learningRate: config.learningRate)
        self.train = train; self.test = test
        size = config.batchSize
        batches = ShuffledBatches(count: train.count, batchSize: config.batchSize)
    }

    var model: Layer { classifier }
    var checkpointFormat: String { "illusioncraft-seq-classifier" }
    var optimizers: [(prefix: String, optimizer: Optimizer)] { [("optimizer.", optimizer)] }
    var batchSize: Int { size }
    var stepsPerEpoch: Int { batches.steps }

    func beginEpoch(_ epoch: Int, rng: inout RandomGenerator) throws { batches.shuffle(&rng) }

    func step(_ index: Int, epoch: Int, rng: inout RandomGenerator, context: StepContext) throws -> StepOutcome {
        let idx = batches.indices(step: index)
        let logits = classifier(SequenceClassifierTraining.sequences(train, idx))
        let labels = idx.map { train.labels[$0] }
        let value = try context.minimize(crossEntropy(logits: logits, labels: labels), with: optimizer)
        let right = zip(logits.argmaxLastAxis(), labels).filter { $0.0 == $0.1 }.count
        return StepOutcome(figures: [("loss", Double(value)), ("accuracy", Double(right) / Double(idx.count))], examples: idx.count)
    }

    func endEpoch(_ epoch: Int, training: EpochTrainingFigures) throws -> EpochOutcome {
        let (accuracy, confusion) = SequenceClassifierTraining.evaluate(classifier, test)
        lastConfusion = confusion
        return EpochOutcome(figures: [("test_accuracy", accuracy)], monitored: accuracy)
    }
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

    /// Continues a seq-classifier run from its newest verified checkpoint (or `from`).
    public static func resume(folder: RunFolder, overridingEpochs epochs: Int?, from path: String? = nil,
                              checkpointing: (every: Int, keep: Int)? = nil, quiet: Bool = false) throws -> [String: Any] {
        try folder.requireExisting()
        var config = try folder.readJSON(SequenceClassifierConfig.self, from: "config.json")
        guard config.kind == "seq-classifier" else { throw ModelError.invalidRun("--out \(folder.path): this is a \(config.kind) run, not a seq-classifier run") }
        if let epochs { config.epochs = epochs }
        config.loop = TrainingLoopOptions.resumed(config.loop, checkpointing: checkpointing)
        let checkpoint = try CheckpointStore(run: folder).checkpointToResume(from: path)
        return try run(config: config, folder: folder, quiet: quiet, resumeFrom: checkpoint)
    }

    /// Trains on the shared ``Trainer``; the run's model is the last epoch's (the test split is only
    /// reported, never used to pick an epoch), its test accuracy the reported figure.
    public static func run(config: SequenceClassifierConfig, folder: RunFolder, quiet: Bool,
                           resumeFrom: CommittedCheckpoint? = nil) throws -> [String: Any] {
        try config.validate()
        var train = try FashionMNIST.load(.train, directory: config.dataDirectory)
        var test = try FashionMNIST.load(.test, directory: config.dataDirectory)
        if config.limit > 0 && config.limit < train.count {
            train.images = Array(train.images[..<(config.limit * train.imageSize)]); train.labels = Array(train.labels[..<config.limit])
        }
        if config.evalLimit > 0 && config.evalLimit < test.count {
            test.images = Array(test.images[..<(config.evalLimit * test.imageSize)]); test.labels = Array(test.labels[..<config.evalLimit])
        }
        var rng = RandomGenerator(seed: config.seed)
        let model = SequenceClassifier(hidden: config.hidden, rng: &rng)
        let task = SequenceClassifierTask(model: model, config: config, train: train, test: test)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        // The training stream continues the initialisation stream, as before the port (same order for the same seed).
        let trainer = try Trainer(task: task, run: folder, epochs: config.epochs, maxStepsPerEpoch: config.maxStepsPerEpoch,
                                  loop: config.loop ?? .init(), rng: rng, configJSON: [UInt8](try encoder.encode(config)) + [10],
                                  monitorMode: .maximum, modelIsBest: false)
        trainer.quiet = quiet
        if let resumeFrom { try trainer.restore(from: resumeFrom) }
        try trainer.fit()
        let history = trainer.history
        // Curves over every epoch of the run (a resumed run's earlier epochs come from metrics.jsonl).
        let lines = folder.readMetrics().filter { ($0["kind"] as? String) == "epoch" }
        let accuracies = lines.map { ($0["test_accuracy"] as? Double) ?? .nan }
        let losses = lines.map { ($0["train_loss"] as? Double) ?? .nan }
        let (accuracy, confusion) = evaluate(model, test)
        try writeReport(folder: folder, config: config, accuracies: accuracies, losses: losses, confusion: confusion)
        let speeds = history.map(\.training.examplesPerSecond).sorted()
        return ["run": folder.path, "kind": config.kind, "epochs": history.count, "test_accuracy": accuracy,
                "train_loss": losses.last ?? .nan, "test_accuracies": accuracies, "confusion_matrix": confusion,
                "images_per_s_median": speeds.isEmpty ? 0 : speeds[speeds.count / 2],
                "epoch_seconds": history.map(\.training.seconds)]
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
                                 ("training", "Adam \(config.learningRate), batch \(config.batchSize), \(accuracies.count) epochs, schedule \((config.loop?.schedule ?? .constant).rawValue)"),
                                 ("test accuracy", String(format: "%.4f", accuracies.last ?? 0))])
        try report.addChart(curves, caption: "test accuracy and training loss per epoch")
        try report.addChart(matrix, caption: "confusion matrix on the test set (rows: true class)")
        try report.write(to: folder.file("report.html"))
    }
}
