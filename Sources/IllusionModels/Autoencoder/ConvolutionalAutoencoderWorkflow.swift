import Foundation

/// Hyper-parameters of `illusion train autoencoder` (config.json "training").
public struct AutoencoderTrainingOptions: Codable, Equatable, Sendable {
    public var epochs = 10
    public var batchSize = 128
    public var learningRate: Float = 1e-3
    /// At most this many steps per epoch (0 = full epochs).
    public var maxStepsPerEpoch = 0
    /// The latent classifier: Adam epochs, batch size and learning rate on the codes.
    public var classifierEpochs = 20
    public var classifierBatchSize = 256
    public var classifierLearningRate: Float = 3e-3
    public var seed: UInt64 = 0
    /// The shared loop's flags; nil in configs written before they existed.
    public var loop: TrainingLoopOptions?

    public init() {}

    public func validate() throws {
        guard epochs >= 1 else { throw ModelError.invalidArgument("--epochs must be ≥ 1, got \(epochs)") }
        guard batchSize >= 1 else { throw ModelError.invalidArgument("--batch-size must be ≥ 1, got \(batchSize)") }
        guard learningRate > 0 && learningRate.isFinite else { throw ModelError.invalidArgument("--lr must be a positive number, got \(learningRate)") }
        guard maxStepsPerEpoch >= 0 else { throw ModelError.invalidArgument("--max-steps must be ≥ 0, got \(maxStepsPerEpoch)") }
        try classifierOptions.validate()
    }

    var classifierOptions: PointClassifierTrainingOptions {
        PointClassifierTrainingOptions(epochs: classifierEpochs, batchSize: classifierBatchSize,
                                       learningRate: classifierLearningRate, seed: seed)
    }
}

/// config.json of an autoencoder run.
public struct AutoencoderRunConfig: Codable, Equatable {
    public var kind = "autoencoder"
    public var model: AutoencoderConfig
    public var training: AutoencoderTrainingOptions
    public var dataset: DatasetSpec

    public init(model: AutoencoderConfig, training: AutoencoderTrainingOptions, dataset: DatasetSpec) {
        self.model = model; self.training = training; self.dataset = dataset
    }
}

/// `illusion train autoencoder`: the autoencoder (pixel-wise Bernoulli cross-entropy), then the
/// classifier on its codes; pictures, latent plots and report.html.
public enum AutoencoderWorkflow {
    public static func run(_ config: AutoencoderRunConfig, folder: RunFolder, quiet: Bool = false,
                           data: (train: ImageDataset, test: ImageDataset)? = nil) throws -> [String: Any] {
        var config = config
        try config.model.validate()
        try config.training.validate()
        let started = Date()
        let (train, test) = try data ?? config.dataset.load()
        guard train.channels == config.model.channels, train.height == config.model.imageSize, train.width == config.model.imageSize else {
            throw ModelError.invalidArgument("dataset images are \(train.channels)×\(train.height)×\(train.width), the autoencoder expects \(config.model.channels)×\(config.model.imageSize)×\(config.model.imageSize)")
        }
        try folder.create()
        try? FileManager.default.removeItem(atPath: folder.metricsPath)
        try folder.writeJSON(config, to: "config.json")
        var rng = RandomGenerator(seed: config.training.seed)
        let model = ConvolutionalAutoencoder(config: config.model, rng: &rng)
        if !quiet {
            logLine("training convolutional autoencoder (latent \(config.model.latentDim), \(model.encoder.parameterCounts.trainable + model.decoder.parameterCounts.trainable) parameters) on \(train.count) \(train.name) images; run folder \(folder.path)")
        }
        let history = try trainAutoencoder(model, config: config, train: train, test: test, folder: folder, quiet: quiet)

        // The classifier on the codes.
        let codes = model.codes(of: train)
        let (mean, std) = columnStatistics(codes)
        model.config.codeMean = mean
        model.config.codeStd = std
        config.model = model.config
        let classifierStart = Date()
        try PointClassifierTrainer.train(model.classifier, features: model.standardizedCodes(codes), labels: train.labels,
                                         options: config.training.classifierOptions, label: "latent classifier", quiet: quiet)
        let classifierSeconds = Date().timeIntervalSince(classifierStart)
        model.setTraining(false)
        let evaluation = ClassifierEvaluator.evaluate(on: test, classCount: config.model.classNames.count) { model.classify($0) }
        try Checkpoint.save(model, to: folder.modelPath, metadata: ["format": "illusioncraft-autoencoder"])
        try folder.writeJSON(config, to: "config.json")
        try folder.writeJSON(evaluation, to: "test_metrics.json")
        try folder.appendMetrics(["phase": "latent_classifier", "test_accuracy": evaluation.accuracy, "test_loss": evaluation.loss,
                                  "seconds": classifierSeconds])

        // Pictures and report.
        let reconstructionLoss = history.last?.testReconstruction ?? .nan
        try AutoencoderPictures.writeReconstructions(model, test: test, to: folder.file("reconstructions.png"))
        try LineChart(title: "Autoencoder reconstruction loss", yLabel: "nats per image", series: [
            .init(name: "train", values: history.map(\.trainReconstruction)),
            .init(name: "test", values: history.map(\.testReconstruction)),
        ]).writePNG(to: folder.file("loss_curves.png"))
        try ConfusionMatrixChart(title: "Latent classifier: confusion matrix (test set)", counts: evaluation.confusion,
                                 classNames: config.model.classNames).writePNG(to: folder.file("confusion_matrix.png"))
        let latentFiles = config.model.latentDim == 2
            ? try AutoencoderPlots.writeLatentPlots(model, test: test, out: folder.path, limit: 5000) : []
        let summary: [String: Any] = [
            "run": folder.path, "kind": config.kind, "dataset": config.dataset.name, "latent_dim": config.model.latentDim,
            "test_accuracy": evaluation.accuracy, "test_loss": evaluation.loss, "test_reconstruction_loss": reconstructionLoss,
            "epochs": history.count, "wall_seconds": Date().timeIntervalSince(started),
            "images_per_s": history.isEmpty ? 0 : history.map(\.imagesPerSecond).sorted()[history.count / 2],
            "latent_plots": latentFiles,
        ]
        try AutoencoderPictures.writeReport(run: folder, config: config, summary: summary, evaluation: evaluation)
        if !quiet {
            logLine(String(format: "test reconstruction %.2f nats per image; latent classifier test accuracy %.2f%%",
                           reconstructionLoss, 100 * evaluation.accuracy))
            logLine("wrote \(folder.file("report.html"))")
        }
        return summary
    }

    struct EpochFigures {
        var trainReconstruction: Double
        var testReconstruction: Double
        var imagesPerSecond: Double
    }

    /// Adam on the mean pixel-wise binary cross-entropy on the shared ``Trainer``; the figures are nats per image.
    static func trainAutoencoder(_ model: ConvolutionalAutoencoder, config: AutoencoderRunConfig, train: ImageDataset,
                                 test: ImageDataset, folder: RunFolder, quiet: Bool) throws -> [EpochFigures] {
        let task = try AutoencoderTask(model: model, config: config, train: train, test: test)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let loop = try Trainer(task: task, run: folder, epochs: config.training.epochs, maxStepsPerEpoch: config.training.maxStepsPerEpoch,
                               loop: config.training.loop ?? .init(), rng: RandomGenerator(seed: config.training.seed, stream: 0x6165),
                               configJSON: [UInt8](try encoder.encode(config)) + [10])
        loop.quiet = quiet
        var history: [EpochFigures] = []
        task.committed = { record in
            history.append(EpochFigures(trainReconstruction: record.training["reconstruction"],
                                        testReconstruction: record.outcome.figures.first { $0.name == "test_reconstruction" }?.value ?? .nan,
                                        imagesPerSecond: record.training.examplesPerSecond))
        }
        try loop.fit()
        return history
    }

    /// Mean Σ_pixels BCE(x, σ(logits)) per image over the first `limit` images (nats).
    public static func reconstructionLoss(_ model: ConvolutionalAutoencoder, on dataset: ImageDataset, limit: Int) -> Double {
        let n = min(limit, dataset.count)
        var sum = 0.0
        noGrad {
            var start = 0
            while start < n {
                let indices = Array(start..<min(start + 500, n))
                let x = dataset.floatImages(at: indices, encoding: .unitRange)
                sum += Double(binaryCrossEntropyWithLogits(model(x), x, reduction: .sum).scalar)
                start += 500
            }
        }
        return sum / Double(max(n, 1))
    }

    /// Per-column mean and standard deviation of `[n, d]` (std at least 1e-6).
    static func columnStatistics(_ x: Tensor) -> ([Float], [Float]) {
        let n = x.shape[0], d = x.shape[1]
        var mean = [Double](repeating: 0, count: d), sq = [Double](repeating: 0, count: d)
        for i in 0..<n { for j in 0..<d { mean[j] += Double(x.storage[i * d + j]) } }
        mean = mean.map { $0 / Double(max(n, 1)) }
        for i in 0..<n { for j in 0..<d { let e = Double(x.storage[i * d + j]) - mean[j]; sq[j] += e * e } }
        return (mean.map(Float.init), sq.map { Float(max(($0 / Double(max(n, 1))).squareRoot(), 1e-6)) })
    }
}

/// The autoencoder's part of the shared loop: Adam on the pixel-wise Bernoulli cross-entropy of one
/// ``DataLoader`` batch; the test reconstruction (first 2,000 test images) after each epoch.
final class AutoencoderTask: TrainingTask {
    let autoencoder: ConvolutionalAutoencoder
    let optimizer: Adam
    let loader: DataLoader
    let test: ImageDataset
    let pixels: Double
    let size: Int
    var batches: EpochBatches?
    var iterator: BatchIterator?
    var committed: ((EpochRecord) throws -> Void)?

    init(model: ConvolutionalAutoencoder, config: AutoencoderRunConfig, train: ImageDataset, test: ImageDataset) throws {
        autoencoder = model
        optimizer = Adam(parameters: model.encoder.parameters + model.decoder.parameters, learningRate: config.training.learningRate)
        loader = try DataLoader(dataset: train, batchSize: config.training.batchSize, shuffle: true, seed: config.training.seed, encoding: .unitRange)
        self.test = test
        pixels = Double(config.model.channels * config.model.imageSize * config.model.imageSize)
        size = config.training.batchSize
    }

    var model: Layer { autoencoder }
    var checkpointFormat: String { "illusioncraft-autoencoder" }
    var optimizers: [(prefix: String, optimizer: Optimizer)] { [("optimizer.", optimizer)] }
    var batchSize: Int { size }
    var stepsPerEpoch: Int { loader.batchCount }

    func beginEpoch(_ epoch: Int, rng: inout RandomGenerator) throws { batches = loader.batches(epoch: epoch); iterator = nil }

    func step(_ index: Int, epoch: Int, rng: inout RandomGenerator, context: StepContext) throws -> StepOutcome {
        if iterator == nil { iterator = batches!.makeIterator(from: index) }
        guard let batch = iterator!.next() else { throw ModelError.invalidArgument("the data loader ran out of batches at step \(index + 1)") }
        let shard = try context.shard(rows: batch.labels.count)  // data-parallel: this rank's rows of the global batch
        let images = shard.rows(batch.images)
        let loss = binaryCrossEntropyWithLogits(autoencoder(images), images)
        let value = try context.minimize(loss, with: optimizer, parameters: optimizer.parameters)
        return StepOutcome(figures: [("reconstruction", Double(value) * pixels)], examples: shard.localCount)
    }

    func endEpoch(_ epoch: Int, training: EpochTrainingFigures) throws -> EpochOutcome {
        iterator = nil
        let testLoss = AutoencoderWorkflow.reconstructionLoss(autoencoder, on: test, limit: 2000)
        return EpochOutcome(figures: [("test_reconstruction", testLoss)], monitored: testLoss)
    }

    func epochCommitted(_ record: EpochRecord) throws { try committed?(record) }
}
