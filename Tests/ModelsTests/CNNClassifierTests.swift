import XCTest
import IllusionTestSupport
@testable import IllusionModels

/// Small images of three kinds of stroke — horizontal bar, vertical bar, diagonal — at random
/// positions with noise: learnable in seconds by a small CNN, hopeless for chance (1/3).
func strokeImages(count: Int, size: Int = 12, seed: UInt64) -> ImageDataset {
    var rng = RandomGenerator(seed: seed)
    var bytes = [UInt8](repeating: 0, count: count * size * size)
    var labels = [Int](repeating: 0, count: count)
    for i in 0..<count {
        let kind = i % 3
        labels[i] = kind
        let a = 2 + rng.nextInt(below: size - 4), b = 1 + rng.nextInt(below: 3), length = size - 2 - rng.nextInt(below: 3)
        for t in 0..<length {
            let (x, y): (Int, Int)
            switch kind {
            case 0: (x, y) = (b + t, a)
            case 1: (x, y) = (a, b + t)
            default: (x, y) = (b + t * (size - 2 - b) / length, b + t * (size - 2 - b) / length)
            }
            if x >= 0 && x < size && y >= 0 && y < size { bytes[i * size * size + y * size + x] = 255 }
        }
        for p in 0..<(size * size) where rng.nextFloat() < 0.05 { bytes[i * size * size + p] = UInt8(rng.nextInt(below: 160)) }
    }
    return ImageDataset(name: "strokes", channels: 1, height: size, width: size, images: bytes, labels: labels,
                        classNames: ["horizontal", "vertical", "diagonal"])
}

final class CNNClassifierTests: XCTestCase {
    var tempDir: String!

    override func setUpWithError() throws {
        tempDir = try makeTemporaryFolder("cnn")
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: tempDir) }

    /// `--conv-dropout` adds a Dropout after each pooling block; configs and options written before
    /// the optional fields existed still decode (as no convolution dropout and plain Adam).
    func testConvolutionDropoutLayersAndOldConfigsDecode() throws {
        var config = CNNConfig(classNames: FashionMNIST.classNames)
        var rng = RandomGenerator(seed: 1)
        let plain = CNNClassifier.make(config, rng: &rng)
        config.convolutionDropout = 0.25
        let withDropout = CNNClassifier.make(config, rng: &rng)
        XCTAssertEqual(withDropout.layers.count, plain.layers.count + 2)
        XCTAssertEqual(withDropout.layers.filter { $0 is Dropout }.count, 3)
        XCTAssertEqual(withDropout.parameterCounts.trainable, plain.parameterCounts.trainable)
        config.convolutionDropout = 1
        XCTAssertThrowsError(try config.validate())

        var old = try JSONSerialization.jsonObject(with: JSONEncoder().encode(CNNConfig(classNames: ["a", "b"]))) as! [String: Any]
        old["convolutionDropout"] = nil
        let decoded = try JSONDecoder().decode(CNNConfig.self, from: JSONSerialization.data(withJSONObject: old))
        XCTAssertNil(decoded.convolutionDropout)
        var options = try JSONSerialization.jsonObject(with: JSONEncoder().encode(ImageClassifierTrainingOptions())) as! [String: Any]
        options["weightDecay"] = nil
        XCTAssertNil(try JSONDecoder().decode(ImageClassifierTrainingOptions.self, from: JSONSerialization.data(withJSONObject: options)).weightDecay)
        var decay = ImageClassifierTrainingOptions()
        decay.weightDecay = -0.1
        XCTAssertThrowsError(try decay.validate())
    }

    func smallConfig() -> CNNRunConfig {
        var model = CNNConfig(classNames: ["horizontal", "vertical", "diagonal"], imageSize: 12)
        model.conv1Filters = 8; model.conv2Filters = 16; model.denseUnits = 32; model.dropout = 0.2; model.batchNorm = false
        var training = ImageClassifierTrainingOptions()
        training.epochs = 4; training.batchSize = 32; training.learningRate = 3e-3; training.patience = 3
        training.validationFraction = 0.15; training.augment = false; training.seed = 4
        return CNNRunConfig(model: model, training: training, dataset: DatasetSpec(name: "fashion-mnist", imageSize: 12))
    }

    func testSmallCNNLearnsStrokesAndClassifiesAnImageFile() throws {
        let config = smallConfig()
        let parts = try strokeImages(count: 600, seed: 1).split(validationFraction: 0.15, seed: 4)
        let test = strokeImages(count: 150, seed: 2)
        let summary = try CNNClassifierWorkflow.run(config, folder: RunFolder(path: tempDir), quiet: true,
                                                    data: (parts.train, parts.validation, test))
        XCTAssertGreaterThan(summary["test_accuracy"] as! Double, 0.9, "chance is 1/3")
        XCTAssertGreaterThanOrEqual(summary["epochs"] as! Int, 1)
        for file in ["config.json", "model.safetensors", "metrics.jsonl", "confusion_matrix.png", "loss_curves.png", "report.html"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: tempDir + "/" + file), file)
        }
        // PyTorch Sequential names: conv1 is layer 0, conv2 layer 3, the dense layers 7 and 10.
        let checkpoint = try SafeTensors(contentsOf: tempDir + "/model.safetensors")
        XCTAssertEqual(try checkpoint.tensor("0.weight").shape, [8, 1, 3, 3])
        XCTAssertEqual(try checkpoint.tensor("3.weight").shape, [16, 8, 3, 3])
        XCTAssertEqual(try checkpoint.tensor("7.weight").shape, [32, 16 * 3 * 3])
        XCTAssertEqual(try checkpoint.tensor("10.weight").shape, [3, 32])

        // classify: a vertical bar written as PNG comes back as "vertical".
        let vertical = strokeImages(count: 3, seed: 9).subset([1])
        let path = tempDir + "/vertical.png"
        try PixelImage(tensor: vertical.floatImages(at: [0], encoding: .unitRange)).writePNG(to: path)
        let run = try ImageClassifierRun(path: tempDir)
        let probabilities = try run.classify(imagePath: path)
        XCTAssertEqual(probabilities.indices.max { probabilities[$0] < probabilities[$1] }, 1)
        XCTAssertTrue(ImageClassifierRun.sentence(probabilities: probabilities, classNames: run.classNames)
            .hasPrefix("The input image is "))
        XCTAssertTrue(ImageClassifierRun.sentence(probabilities: probabilities, classNames: run.classNames).hasSuffix("\"vertical\""))
    }

    func testEarlyStoppingKeepsTheBestEpoch() throws {
        var config = smallConfig()
        config.training.epochs = 6; config.training.patience = 1; config.training.learningRate = 0.05  // high: validation accuracy jumps around
        let parts = try strokeImages(count: 300, seed: 1).split(validationFraction: 0.2, seed: 4)
        let folder = RunFolder(path: tempDir + "/early")
        var rng = RandomGenerator(seed: 0)
        let model = CNNClassifier.make(config.model, rng: &rng)
        try folder.create()
        let trainer = try ImageClassifierTrainer(model: model, options: config.training, run: folder)
        trainer.quiet = true
        do { try trainer.train(on: parts.train, validation: parts.validation, classCount: 3) } catch ModelError.trainingDiverged { return }
        let best = trainer.history.map(\.validation.accuracy).max()!
        let final = ClassifierEvaluator.evaluate(on: parts.validation, classCount: 3) { model($0) }
        XCTAssertEqual(final.accuracy, best, accuracy: 1e-9, "the model holds the best epoch's weights")
        XCTAssertEqual(trainer.history[trainer.bestEpoch - 1].validation.accuracy, best)
    }

    func testRealFashionMNISTWhenInstalled() throws {
        try requireData(FileManager.default.fileExists(atPath: FashionMNIST.defaultDirectory + "/train-images-idx3-ubyte.gz"), "Fashion-MNIST is not installed (make test installs dataset-fashion-mnist)")
        var config = CNNRunConfig(model: CNNConfig(classNames: FashionMNIST.classNames), training: ImageClassifierTrainingOptions(),
                                  dataset: DatasetSpec(name: "fashion-mnist", imageSize: 28, limit: 1200))
        config.model.conv1Filters = 8; config.model.conv2Filters = 16; config.model.denseUnits = 32
        config.training.epochs = 3; config.training.batchSize = 50; config.training.learningRate = 2e-3
        config.training.validationFraction = 0.1; config.training.augment = false
        let summary = try CNNClassifierWorkflow.run(config, folder: RunFolder(path: tempDir + "/fashion"), quiet: true)
        XCTAssertGreaterThan(summary["test_accuracy"] as! Double, 0.5, "chance is 0.1")
    }
}
