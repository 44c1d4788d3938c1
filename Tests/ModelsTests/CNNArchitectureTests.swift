import XCTest
import IllusionTestSupport
@testable import IllusionModels

/// `--arch three-block` and `--arch double-conv` (each tried for the default of `illusion train cnn`: three-block 92.15 %, double-conv 92.77 % at 10 epochs with He-uniform and 94.06 % at 20 epochs with `--weight-init pytorch` on one seed: README) and `--arch seed` (the seeds' network, still the default).
final class CNNArchitectureTests: XCTestCase {
    func fashionConfig(_ architecture: CNNArchitecture) throws -> CNNConfig {
        var config = CNNConfig(classNames: FashionMNIST.classNames)
        try architecture.configure(&config)
        try config.validate()
        return config
    }

    /// conv32-pool-conv64-pool-conv128-pool-dense256 on 28×28: 28 → 14 → 7 → 3, so the dense layer
    /// takes 128·3·3 = 1,152 values; 390,858 trainable parameters (what PyTorch's twin in
    /// scripts/pytorch_cnn_recipe.py counts), under the nn.Sequential indices of the doc comment.
    func testThreeBlockShapesParameterCountAndNames() throws {
        let config = try fashionConfig(.threeBlock)
        XCTAssertEqual(config.blockFilters, [32, 64, 128])
        XCTAssertEqual(config.featureSize, 3)
        XCTAssertEqual(config.summary, "conv32-pool-conv64-pool-conv128-pool-dense256 (3×3 same, dropout 0.4 before the last layer, BatchNorm)")
        var rng = RandomGenerator(seed: 0)
        let model = CNNClassifier.make(config, rng: &rng)
        let convolutions = (1 * 9 * 32 + 32) + (32 * 9 * 64 + 64) + (64 * 9 * 128 + 128)
        let batchNorms = 2 * (32 + 64 + 128)
        let dense = (1152 * 256 + 256) + (256 * 10 + 10)
        XCTAssertEqual(model.parameterCounts.trainable, convolutions + batchNorms + dense)
        XCTAssertEqual(model.parameterCounts.trainable, 390_858)
        let shapes = Dictionary(uniqueKeysWithValues: model.stateDict().map { ($0.name, $0.tensor.shape) })
        XCTAssertEqual(shapes["8.weight"], [128, 64, 3, 3])
        XCTAssertEqual(shapes["9.running_var"], [128])
        XCTAssertEqual(shapes["13.weight"], [256, 1152])
        XCTAssertEqual(shapes["16.weight"], [10, 256])
        model.setTraining(false)
        let logits = noGrad { model(Tensor(shape: [2, 1, 28, 28], storage: [Float](repeating: 0.5, count: 2 * 784))) }
        XCTAssertEqual(logits.shape, [2, 10])
        // valid padding: 28 → 26 → 13 → 11 → 5 → 3 → 1.
        var valid = config
        valid.padding = "valid"
        XCTAssertEqual(valid.featureSize, 1)
    }

    /// conv32-conv32-pool-conv64-conv64-pool-dense256 on 28×28: 28 → 14 → 7, so the dense layer takes
    /// 64·7·7 = 3,136 values; 871,018 trainable parameters (as PyTorch counts the twin's
    /// `--arch double-conv`), under the nn.Sequential indices of the doc comment; valid padding
    /// shrinks twice per block; an old config (no `convolutionsPerBlock`) is one convolution per block.
    func testDoubleConvShapesParameterCountAndNames() throws {
        let config = try fashionConfig(.doubleConv)
        XCTAssertEqual(config.blockFilters, [32, 64])
        XCTAssertEqual(config.convolutionsInEachBlock, 2)
        XCTAssertEqual(config.featureSize, 7)
        XCTAssertEqual(CNNArchitecture(of: config), .doubleConv)
        XCTAssertEqual(config.summary, "conv32-conv32-pool-conv64-conv64-pool-dense256 (3×3 same, dropout 0.4 before the last layer, BatchNorm)")
        var rng = RandomGenerator(seed: 0)
        let model = CNNClassifier.make(config, rng: &rng)
        let convolutions = (1 * 9 * 32 + 32) + (32 * 9 * 32 + 32) + (32 * 9 * 64 + 64) + (64 * 9 * 64 + 64)
        let batchNorms = 2 * (32 + 32 + 64 + 64)
        let dense = (3136 * 256 + 256) + (256 * 10 + 10)
        XCTAssertEqual(model.parameterCounts.trainable, convolutions + batchNorms + dense)
        XCTAssertEqual(model.parameterCounts.trainable, 871_018)
        let shapes = Dictionary(uniqueKeysWithValues: model.stateDict().map { ($0.name, $0.tensor.shape) })
        XCTAssertEqual(shapes["0.weight"], [32, 1, 3, 3])
        XCTAssertEqual(shapes["3.weight"], [32, 32, 3, 3])
        XCTAssertEqual(shapes["4.running_mean"], [32])
        XCTAssertEqual(shapes["7.weight"], [64, 32, 3, 3])
        XCTAssertEqual(shapes["10.weight"], [64, 64, 3, 3])
        XCTAssertEqual(shapes["11.running_var"], [64])
        XCTAssertEqual(shapes["15.weight"], [256, 3136])
        XCTAssertEqual(shapes["18.weight"], [10, 256])
        model.setTraining(false)
        let logits = noGrad { model(Tensor(shape: [2, 1, 28, 28], storage: [Float](repeating: 0.5, count: 2 * 784))) }
        XCTAssertEqual(logits.shape, [2, 10])
        var valid = config
        valid.padding = "valid"  // 28 → 26 → 24 → 12 → 10 → 8 → 4
        XCTAssertEqual(valid.featureSize, 4)
        var old = try JSONSerialization.jsonObject(with: JSONEncoder().encode(config)) as! [String: Any]
        old["convolutionsPerBlock"] = nil
        let decoded = try JSONDecoder().decode(CNNConfig.self, from: JSONSerialization.data(withJSONObject: old))
        XCTAssertEqual(decoded.convolutionsInEachBlock, 1)
        XCTAssertEqual(CNNArchitecture(of: decoded), .seed)
        var wrong = config
        wrong.convolutionsPerBlock = 0
        XCTAssertThrowsError(try wrong.validate())
    }

    /// `--max-shift 0` with flips is a pure mirror (every image equal to itself or its mirror, both
    /// seen); off when neither shifts nor flips; a shift outside 0…8 is refused.
    func testMaxShiftZeroFlipsOnly() throws {
        var options = ImageClassifierTrainingOptions()
        options.maxShift = 0
        let x = Tensor(shape: [64, 1, 4, 4], storage: (0..<(64 * 16)).map { Float($0 % 97) })
        var g = RandomGenerator(seed: 3)
        let y = try XCTUnwrap(options.augmentation)(x, &g)
        var mirrored = 0
        for n in 0..<64 {
            let a = Array(x.storage[(n * 16)..<(n * 16 + 16)]), b = Array(y.storage[(n * 16)..<(n * 16 + 16)])
            var mirror = [Float](repeating: 0, count: 16)
            for row in 0..<4 { for col in 0..<4 { mirror[row * 4 + col] = a[row * 4 + 3 - col] } }
            XCTAssertTrue(b == a || b == mirror, "image \(n) is neither itself nor its mirror")
            if b == mirror && b != a { mirrored += 1 }
        }
        XCTAssertGreaterThan(mirrored, 16)
        XCTAssertLessThan(mirrored, 48)
        options.flip = false
        XCTAssertNil(options.augmentation)
        options.maxShift = 9
        XCTAssertThrowsError(try options.validate())
    }

    /// `--arch seed` is the seeds' network, layer for layer and weight for weight: the same draws as
    /// the struct's default (the network of every config written before `--arch` existed, and of
    /// the fixed FD judge), and an old config (no `conv3Filters`) still decodes as it.
    func testSeedArchitectureBuildsTheOriginalNetwork() throws {
        let seed = try fashionConfig(.seed)
        let original = CNNConfig(classNames: FashionMNIST.classNames)
        XCTAssertEqual(seed, original)
        XCTAssertNil(seed.conv3Filters)
        XCTAssertEqual(CNNArchitecture(of: seed), .seed)
        XCTAssertEqual(CNNArchitecture(of: try fashionConfig(.threeBlock)), .threeBlock)
        var a = RandomGenerator(seed: 0), b = RandomGenerator(seed: 0)
        let model = CNNClassifier.make(seed, rng: &a), reference = CNNClassifier.make(original, rng: &b)
        XCTAssertEqual(model.layers.count, 13)
        XCTAssertEqual(model.parameterCounts.trainable, (320 + 18_496) + 2 * 96 + (3136 * 128 + 128) + (128 * 10 + 10))
        let weights = Dictionary(uniqueKeysWithValues: model.stateDict().map { ($0.name, $0.tensor) })
        XCTAssertEqual(weights.count, reference.stateDict().count)
        for (name, tensor) in reference.stateDict() { XCTAssertEqual(weights[name]?.storage, tensor.storage, name) }
        XCTAssertEqual(weights["9.weight"]?.shape, [128, 3136])  // BatchNorm on: 0, 1 · 4, 5 · 9, 12
        XCTAssertNil(weights["13.weight"])

        var old = try JSONSerialization.jsonObject(with: JSONEncoder().encode(original)) as! [String: Any]
        old["conv3Filters"] = nil
        XCTAssertEqual(try JSONDecoder().decode(CNNConfig.self, from: JSONSerialization.data(withJSONObject: old)), original)
        var wrong = seed
        XCTAssertThrowsError(try CNNArchitecture.seed.configure(&wrong, filters: [8, 16, 32]))
        wrong.conv3Filters = 0
        XCTAssertThrowsError(try wrong.validate())
    }

    /// `weightInit`: `pytorch` draws every conv and the hidden dense weight from U(±1/√fanIn) (PyTorch's
    /// default), the default `he` from U(±√(6/fanIn)) — √6 ≈ 2.45× wider, so with fan-in 288 the largest
    /// of 9,216 draws exceeds the PyTorch bound; the last layer and the biases are the same either way;
    /// the summary says which; an unknown name fails validation naming the flag.
    func testWeightInitChoosesPyTorchsDefaultOrHeUniform() throws {
        var pytorch = try fashionConfig(.doubleConv)
        pytorch.weightInit = "pytorch"
        try pytorch.validate()
        XCTAssertTrue(pytorch.summary.hasSuffix(", BatchNorm, PyTorch's default init)"), pytorch.summary)
        var a = RandomGenerator(seed: 3), b = RandomGenerator(seed: 3)
        let small = Dictionary(uniqueKeysWithValues: CNNClassifier.make(pytorch, rng: &a).stateDict().map { ($0.name, $0.tensor.storage) })
        let he = Dictionary(uniqueKeysWithValues: CNNClassifier.make(try fashionConfig(.doubleConv), rng: &b).stateDict().map { ($0.name, $0.tensor.storage) })
        for (name, fanIn) in [("0.weight", 9), ("3.weight", 288), ("7.weight", 288), ("10.weight", 576), ("15.weight", 3136)] {
            let bound = 1 / Float(fanIn).squareRoot()
            let pytorchLargest = small[name]!.map(abs).max()!, heLargest = he[name]!.map(abs).max()!
            XCTAssertLessThanOrEqual(pytorchLargest, bound, name)
            XCTAssertGreaterThan(pytorchLargest, 0.9 * bound, name)
            XCTAssertGreaterThan(heLargest, 2 * bound, name)
            XCTAssertLessThanOrEqual(heLargest, Float(6).squareRoot() * bound * 1.0001, name)
        }
        XCTAssertEqual(small["18.weight"]!.map(abs).max()!, he["18.weight"]!.map(abs).max()!, accuracy: 0.02, "last layer: PyTorch's default both ways")
        pytorch.weightInit = "xavier"
        XCTAssertThrowsError(try pytorch.validate()) { XCTAssertTrue("\($0)".contains("--weight-init must be he or pytorch"), "\($0)") }
    }

    /// A small three-block network (12 → 6 → 3 → 1) learns the stroke images well above chance (1/3).
    func testSmallThreeBlockNetworkLearns() throws {
        var model = CNNConfig(classNames: ["horizontal", "vertical", "diagonal"], imageSize: 12)
        try CNNArchitecture.threeBlock.configure(&model, filters: [8, 16, 16], denseUnits: 32)
        model.dropout = 0.1
        var training = ImageClassifierTrainingOptions()
        training.epochs = 4; training.batchSize = 32; training.learningRate = 3e-3; training.patience = 0
        training.augment = false; training.seed = 5; training.labelSmoothing = 0.1
        let config = CNNRunConfig(model: model, training: training, dataset: DatasetSpec(name: "fashion-mnist", imageSize: 12))
        let parts = try strokeImages(count: 600, seed: 1).split(validationFraction: 0.15, seed: 5)
        let dir = NSTemporaryDirectory() + "illusion-cnn3-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let summary = try CNNClassifierWorkflow.run(config, folder: RunFolder(path: dir), quiet: true,
                                                    data: (parts.train, parts.validation, strokeImages(count: 150, seed: 2)))
        XCTAssertGreaterThan(summary["test_accuracy"] as! Double, 0.9, "chance is 1/3")
        let checkpoint = try SafeTensors(contentsOf: dir + "/model.safetensors")
        XCTAssertEqual(try checkpoint.tensor("8.weight").shape, [16, 16, 3, 3])
    }

    /// The CLI: `--arch three-block` has label smoothing 0.1 and He-uniform weights; the default
    /// (`--arch double-conv`) has two convolutions per block, no shifts and PyTorch's init; `--arch seed`
    /// writes the seeds' config (no third block, plain cross-entropy, He-uniform); filters that do not
    /// match the blocks: one line.
    func testCommandLineArchitectures() throws {
        let dir = NSTemporaryDirectory() + "illusion-cnn-arch-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let quick = ["--limit", "200", "--eval-limit", "50", "--batch-size", "50", "--max-steps", "1", "--epochs", "1", "--quiet"]
        func config(_ name: String) throws -> [String: Any] {
            let data = try XCTUnwrap(FileManager.default.contents(atPath: dir + "/" + name + "/config.json"))
            return try JSONSerialization.jsonObject(with: data) as! [String: Any]
        }
        var r = try IllusionExecutable.run(["train", "cnn", "--arch", "three-block"] + quick + ["--out", dir + "/default"])
        XCTAssertEqual(r.status, 0, r.stderr)
        var model = try config("default")["model"] as! [String: Any], training = try config("default")["training"] as! [String: Any]
        XCTAssertEqual(model["conv3Filters"] as? Int, 128)
        XCTAssertEqual(model["denseUnits"] as? Int, 256)
        XCTAssertEqual((training["labelSmoothing"] as? NSNumber)?.floatValue, 0.1)
        XCTAssertNil(model["weightInit"], "He-uniform is the default")
        r = try IllusionExecutable.run(["train", "cnn"] + quick + ["--out", dir + "/double"])
        XCTAssertEqual(r.status, 0, r.stderr)
        model = try config("double")["model"] as! [String: Any]; training = try config("double")["training"] as! [String: Any]
        XCTAssertEqual(model["weightInit"] as? String, "pytorch", "PyTorch's init is double-conv's default")
        XCTAssertEqual(model["convolutionsPerBlock"] as? Int, 2, "double-conv is the default")
        XCTAssertNil(model["conv3Filters"])
        XCTAssertEqual(model["denseUnits"] as? Int, 256)
        XCTAssertEqual(training["maxShift"] as? Int, 0)
        XCTAssertEqual((training["labelSmoothing"] as? NSNumber)?.floatValue, 0.1)
        r = try IllusionExecutable.run(["train", "cnn", "--arch", "seed"] + quick + ["--out", dir + "/seed"])
        XCTAssertEqual(r.status, 0, r.stderr)
        model = try config("seed")["model"] as! [String: Any]; training = try config("seed")["training"] as! [String: Any]
        XCTAssertNil(model["conv3Filters"])
        XCTAssertEqual(model["conv2Filters"] as? Int, 64)
        XCTAssertEqual(model["denseUnits"] as? Int, 128)
        XCTAssertNil(model["convolutionsPerBlock"])
        XCTAssertNil(model["weightInit"], "seed keeps He-uniform")
        XCTAssertNil(training["labelSmoothing"])
        r = try IllusionExecutable.run(["train", "cnn", "--arch", "seed", "--filters", "8,16,32"] + quick + ["--out", dir + "/bad"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("--arch seed has 2 convolution blocks"), r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
    }
}
