import IllusionTestSupport
import XCTest
@testable import IllusionModels

/// Tiny DCGANs on generated data: architecture and checkpoint names, initialisation, learning,
/// bit-identical resume, the collapse alarms and sampling.
final class GANTrainingTests: XCTestCase {
    var tempDir: String!

    override func setUpWithError() throws {
        tempDir = try makeTemporaryFolder("gan")
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: tempDir) }

    /// 16×16 grey images of two modes: class 0 bright left half, class 1 bright right half (plus pixel noise).
    static func twoModes(count: Int, seed: UInt64 = 5) -> ImageDataset {
        var g = RandomGenerator(seed: seed)
        var images: [UInt8] = [], labels: [Int] = []
        for i in 0..<count {
            let label = i % 2
            for y in 0..<16 {
                for x in 0..<16 {
                    let bright = (x < 8) == (label == 0)
                    images.append(UInt8(bright ? 200 + g.nextInt(below: 55) : g.nextInt(below: 40)))
                    _ = y
                }
            }
            labels.append(label)
        }
        return ImageDataset(name: "two modes", channels: 1, height: 16, width: 16, images: images, labels: labels,
                            classNames: ["left", "right"])
    }

    static func tinyConfig(conditional: Bool = false, epochs: Int = 1, maxSteps: Int = 0) -> GANRunConfig {
        var model = GANModelConfig(imageSize: 16, channels: 1, noiseDim: 8, generatorWidth: 8, discriminatorWidth: 8)
        if conditional {
            model.conditionDim = 2; model.conditionKind = "class"; model.conditionNames = ["left", "right"]
            model.augmentedDim = 4; model.discriminatorConditionDim = 4
        }
        var t = GANTrainingOptions()
        t.epochs = epochs; t.batchSize = 16; t.maxStepsPerEpoch = maxSteps; t.seed = 11; t.logEvery = 2; t.writePictures = false
        return GANRunConfig(model: model, training: t, dataset: DatasetSpec(name: "folder", imageSize: 16))
    }

    func testArchitectureShapesAndPyTorchNames() throws {
        var rng = RandomGenerator(seed: 1)
        let fashion = GenerativeAdversarialNetwork(config: GANModelConfig(imageSize: 28, channels: 1, generatorWidth: 8, discriminatorWidth: 8), rng: &rng)
        let z = Tensor.normal([3, 100], rng: &rng)
        let images = fashion.generator(z)
        XCTAssertEqual(images.shape, [3, 1, 28, 28])
        XCTAssertTrue(images.storage.allSatisfy { $0 >= -1 && $0 <= 1 })
        XCTAssertEqual(fashion.discriminator(images).shape, [3, 1])
        let names = Dictionary(uniqueKeysWithValues: fashion.stateDict().map { ($0.name, $0.tensor.shape) })
        XCTAssertEqual(names["generator.main.0.weight"], [16 * 7 * 7, 100])           // Linear, no bias (BatchNorm follows)
        XCTAssertNil(names["generator.main.0.bias"])
        XCTAssertEqual(names["generator.main.2.weight"], [16])                         // BatchNorm2d γ
        XCTAssertEqual(names["generator.main.2.running_var"], [16])
        XCTAssertEqual(names["generator.main.4.weight"], [16, 8, 4, 4])               // ConvTranspose2d [in, out, kh, kw]
        XCTAssertEqual(names["generator.main.7.weight"], [8, 1, 4, 4])
        XCTAssertEqual(names["generator.main.7.bias"], [1])
        XCTAssertEqual(names["discriminator.main.0.weight"], [8, 1, 4, 4])            // Conv2d [out, in, kh, kw]
        XCTAssertEqual(names["discriminator.main.2.weight"], [16, 8, 4, 4])
        XCTAssertEqual(names["discriminator.main.3.weight"], [16])
        XCTAssertEqual(names["discriminator.head.1.weight"], [1, 16 * 7 * 7])

        let faces = GenerativeAdversarialNetwork(config: GANModelConfig(imageSize: 64, channels: 3, generatorWidth: 4, discriminatorWidth: 4), rng: &rng)
        XCTAssertEqual(faces.generator(Tensor.normal([2, 100], rng: &rng)).shape, [2, 3, 64, 64])
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: faces.stateDict().map { ($0.name, $0.tensor.shape) })["generator.main.0.weight"], [32 * 16, 100])

        var conditional = GANModelConfig(imageSize: 28, channels: 1, generatorWidth: 8, discriminatorWidth: 8)
        conditional.conditionDim = 10; conditional.conditionKind = "class"; conditional.augmentedDim = 6; conditional.discriminatorConditionDim = 5
        let cgan = GenerativeAdversarialNetwork(config: conditional, rng: &rng)
        let cNames = Dictionary(uniqueKeysWithValues: cgan.stateDict().map { ($0.name, $0.tensor.shape) })
        XCTAssertEqual(cNames["generator.ca.fc.weight"], [12, 10])
        XCTAssertEqual(cNames["generator.main.0.weight"], [16 * 49, 106])
        XCTAssertEqual(cNames["discriminator.condition.0.weight"], [5, 10])
        XCTAssertEqual(cNames["discriminator.head.0.weight"], [16, 21, 1, 1])
        let c = GANConditions.oneHot([1, 7], classes: 10)
        let out = cgan.generator.generate(noise: Tensor.normal([2, 100], rng: &rng), condition: c, rng: &rng)
        XCTAssertEqual(out.images.shape, [2, 1, 28, 28])
        XCTAssertEqual(cgan.discriminator.logits(out.images, condition: c).shape, [2, 1])
    }

    /// DCGAN initialisation: weights N(0, 0.02²), biases 0, BatchNorm γ ~ N(1, 0.02²), β = 0.
    func testInitialisationFollowsTheDCGANPaper() {
        var rng = RandomGenerator(seed: 2)
        let gan = GenerativeAdversarialNetwork(config: GANModelConfig(imageSize: 28, channels: 1), rng: &rng)
        func stats(_ v: [Float]) -> (Double, Double) {
            let m = v.reduce(0.0) { $0 + Double($1) } / Double(v.count)
            return (m, (v.reduce(0.0) { $0 + (Double($1) - m) * (Double($1) - m) } / Double(v.count)).squareRoot())
        }
        for (name, t) in gan.namedParameters() {
            let (mean, std) = stats(t.storage)
            if name.hasSuffix("bias") {
                XCTAssertTrue(t.storage.allSatisfy { $0 == 0 }, name)
            } else if t.rank == 1 {  // BatchNorm γ
                XCTAssertEqual(mean, 1, accuracy: 0.02, name); XCTAssertEqual(std, 0.02, accuracy: 0.01, name)
            } else if t.count > 1000 {
                XCTAssertEqual(mean, 0, accuracy: 0.002, name); XCTAssertEqual(std, 0.02, accuracy: 0.002, name)
            }
        }
    }

    /// On a trivial 2-mode dataset the discriminator quickly learns to separate real from generated.
    func testDiscriminatorAccuracyRises() throws {
        let data = Self.twoModes(count: 64)
        var config = Self.tinyConfig()
        config.training.learningRate = 1e-3
        let trainer = try GANTrainer(run: RunFolder(path: tempDir + "/acc"), config: config)
        var accuracies: [Double] = [], fake: [Double] = [], real: [Double] = []
        var g = RandomGenerator(seed: 9)
        for _ in 0..<40 {
            let idx = (0..<16).map { _ in g.nextInt(below: data.count) }
            let f = try trainer.trainStep(real: data.floatImages(at: idx, encoding: .symmetricRange), condition: nil)
            accuracies.append(f.accuracy); real.append(f.realProbability); fake.append(f.fakeProbability)
        }
        XCTAssertLessThan(accuracies[0], 0.8, "an untrained discriminator should not yet separate the two sets")
        let late = accuracies.suffix(5).reduce(0, +) / 5
        XCTAssertGreaterThan(late, 0.9, "accuracies \(accuracies)")
        XCTAssertGreaterThan(real.suffix(5).reduce(0, +) / 5, fake.suffix(5).reduce(0, +) / 5 + 0.3)
    }

    /// `config` trained straight through (in `root`/`prefix`straight), and for one epoch then reopened with
    /// `resume` (in `root`/`prefix`resumed); the resumed trainer is returned before it trains further.
    static func straightAndResumed(_ config: GANRunConfig, data: ImageDataset, root tempDir: String,
                                   prefix: String = "") throws -> (GANTrainer, GANTrainer) {
        let straight = try GANTrainer(run: RunFolder(path: tempDir + "/\(prefix)straight"), config: config)
        straight.quiet = true
        try straight.train(on: data)
        var first = config; first.training.epochs = 1
        let part = try GANTrainer(run: RunFolder(path: tempDir + "/\(prefix)resumed"), config: first)
        part.quiet = true
        try part.train(on: data)
        let resumed = try GANTrainer.resume(run: RunFolder(path: tempDir + "/\(prefix)resumed"), overridingEpochs: config.training.epochs)
        resumed.quiet = true
        return (straight, resumed)
    }

    /// 1 epoch + resume for the second gives bit-identical weights (both players), optimizer moments and metrics
    /// to 2 epochs straight.
    func testResumeIsBitIdentical() throws {
        let data = Self.twoModes(count: 64)
        let config = Self.tinyConfig(conditional: true, epochs: 2, maxSteps: 3)
        let (straight, resumed) = try Self.straightAndResumed(config, data: data, root: tempDir)
        XCTAssertEqual(resumed.epoch, 1); XCTAssertEqual(resumed.step, 3)
        try resumed.train(on: data)

        XCTAssertEqual(straight.step, resumed.step)
        let a = Dictionary(uniqueKeysWithValues: straight.gan.stateDict().map { ($0.name, $0.tensor.storage) })
        for (name, t) in resumed.gan.stateDict() { XCTAssertEqual(a[name], t.storage, name) }
        XCTAssertEqual(straight.rng, resumed.rng)
        for (x, y) in [(straight.generatorOptimizer, resumed.generatorOptimizer), (straight.discriminatorOptimizer, resumed.discriminatorOptimizer)] {
            let sx = x.state(), sy = y.state()
            XCTAssertEqual(Set(sx.keys), Set(sy.keys))
            for (k, v) in sx { XCTAssertEqual(v.storage, sy[k]?.storage, k) }
        }
        let m1 = RunFolder(path: tempDir + "/straight").readMetrics().filter { ($0["kind"] as? String) == "epoch" }
        let m2 = RunFolder(path: tempDir + "/resumed").readMetrics().filter { ($0["kind"] as? String) == "epoch" }
        XCTAssertEqual(m1.map { $0["loss_d"] as? Double }, m2.map { $0["loss_d"] as? Double })
        // The checkpoint holds both players under PyTorch names, with BatchNorm counters.
        let file = try SafeTensors(contentsOf: tempDir + "/resumed/model.safetensors")
        XCTAssertTrue(file.names.contains("generator.ca.fc.weight"))
        XCTAssertTrue(file.names.contains("discriminator.main.3.num_batches_tracked"))
        XCTAssertTrue(file.names.contains { $0.hasPrefix("generator.main.") } && file.names.contains { $0.hasPrefix("discriminator.head.") })
        // A missing folder is refused with a clear message.
        XCTAssertThrowsError(try GANTrainer.resume(run: RunFolder(path: tempDir + "/missing"))) {
            XCTAssertTrue("\($0)".contains("no such run folder"), "\($0)")
        }
    }

    /// Instance noise: σ anneals linearly to 0 over the epochs, changes what D sees (so the step's
    /// figures differ from a run without it), and training with it resumes bit-identically.
    func testInstanceNoiseAnnealsAndIsReproducible() throws {
        var options = GANTrainingOptions()
        options.epochs = 4
        XCTAssertEqual(options.instanceNoise(epoch: 0), 0)
        options.instanceNoise = 0.2
        XCTAssertEqual((0..<5).map { options.instanceNoise(epoch: $0) }, [0.2, 0.15, 0.1, 0.05, 0], "linear to 0 after the last epoch")
        options.instanceNoise = 3
        XCTAssertThrowsError(try options.validate()) { XCTAssertTrue("\($0)".contains("--instance-noise"), "\($0)") }

        let data = Self.twoModes(count: 64)
        let x = data.floatImages(at: Array(0..<16), encoding: .symmetricRange)
        let plain = Self.tinyConfig(conditional: true)
        var noisy = plain
        noisy.training.instanceNoise = 0.5
        let a = try GANTrainer(run: RunFolder(path: tempDir + "/plain"), config: plain)
        let b = try GANTrainer(run: RunFolder(path: tempDir + "/noisy"), config: noisy)
        let c = GANConditions.conditions(data, indices: Array(0..<16), config: plain.model)
        let fa = try a.trainStep(real: x, condition: c), fb = try b.trainStep(real: x, condition: c)
        XCTAssertNotEqual(fa.discriminatorLoss, fb.discriminatorLoss)
        XCTAssertNotEqual(a.rng, b.rng, "the noise is drawn from the training stream")

        // Straight vs resumed with noise: the same weights.
        var config = Self.tinyConfig(epochs: 2, maxSteps: 2)
        config.training.instanceNoise = 0.3
        let (straight, resumed) = try Self.straightAndResumed(config, data: data, root: tempDir, prefix: "n-")
        try resumed.train(on: data)
        let weights = Dictionary(uniqueKeysWithValues: straight.gan.stateDict().map { ($0.name, $0.tensor.storage) })
        for (name, t) in resumed.gan.stateDict() { XCTAssertEqual(weights[name], t.storage, name) }
    }

    /// TTUR: each player's Adam gets its own step size. From the same start, one step with the generator's
    /// rate 4× the shared one leaves D's update unchanged (D steps first) and makes G's first Adam step —
    /// ±lr per weight — exactly 4× as long. Runs written before the option existed still decode.
    func testTwoTimeScaleLearningRates() throws {
        var options = GANTrainingOptions()
        XCTAssertEqual(options.effectiveGeneratorLearningRate, 2e-4)
        XCTAssertEqual(options.effectiveDiscriminatorLearningRate, 2e-4)
        options.discriminatorLearningRate = -1
        XCTAssertThrowsError(try options.validate()) { XCTAssertTrue("\($0)".contains("--d-lr"), "\($0)") }

        let data = Self.twoModes(count: 64)
        let x = data.floatImages(at: Array(0..<16), encoding: .symmetricRange)
        let shared = Self.tinyConfig()
        var ttur = shared
        ttur.training.generatorLearningRate = 4 * shared.training.learningRate
        let a = try GANTrainer(run: RunFolder(path: tempDir + "/shared"), config: shared)
        let b = try GANTrainer(run: RunFolder(path: tempDir + "/ttur"), config: ttur)
        XCTAssertEqual(b.generatorOptimizer.learningRate, 8e-4)
        XCTAssertEqual(b.discriminatorOptimizer.learningRate, 2e-4)
        let before = Dictionary(uniqueKeysWithValues: a.gan.generator.stateDict().map { ($0.name, $0.tensor.storage) })
        _ = try a.trainStep(real: x, condition: nil)
        _ = try b.trainStep(real: x, condition: nil)
        for ((name, p), (_, q)) in zip(a.gan.discriminator.stateDict(), b.gan.discriminator.stateDict()) {
            XCTAssertEqual(p.storage, q.storage, name)
        }
        let weight = "main.0.weight"
        let w0 = try XCTUnwrap(before[weight])
        let wa = try XCTUnwrap(a.gan.generator.stateDict().first { $0.name == weight }).tensor.storage
        let wb = try XCTUnwrap(b.gan.generator.stateDict().first { $0.name == weight }).tensor.storage
        var moved = 0
        for i in w0.indices where abs(wa[i] - w0[i]) > 1e-5 {
            XCTAssertEqual((wb[i] - w0[i]) / (wa[i] - w0[i]), 4, accuracy: 0.02, "\(weight)[\(i)]")
            moved += 1
        }
        XCTAssertGreaterThan(moved, w0.count / 2)

        var json = try JSONEncoder().encode(shared.training)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: json) as? [String: Any])
        XCTAssertNil(object["generatorLearningRate"], "unset rates are not written")
        json = try JSONSerialization.data(withJSONObject: object)
        XCTAssertEqual(try JSONDecoder().decode(GANTrainingOptions.self, from: json), shared.training)
        let tturJSON = try JSONEncoder().encode(ttur.training)
        XCTAssertEqual(try JSONDecoder().decode(GANTrainingOptions.self, from: tturJSON).effectiveGeneratorLearningRate, 8e-4)
    }

    func testModeCollapseAndDiscriminatorAlarms() {
        let data = Self.twoModes(count: 64)
        let real = data.floatImages(at: Array(0..<32), encoding: .symmetricRange)
        let realDiversity = ModeCollapse.meanPairwiseDistance(real)
        // One image repeated: zero diversity → warning.
        let one = Tensor(shape: [32, 1, 16, 16], storage: Array(Array(repeating: Array(real.storage[0..<256]), count: 32).joined()))
        let collapsed = ModeCollapse.DiversityCheck(generated: ModeCollapse.meanPairwiseDistance(one), real: realDiversity)
        XCTAssertEqual(collapsed.ratio, 0, accuracy: 1e-9)
        XCTAssertNotNil(ModeCollapse.modeCollapseWarning(collapsed, epoch: 3))
        XCTAssertTrue(ModeCollapse.modeCollapseWarning(collapsed, epoch: 3)!.contains("mode collapse"))
        // Another real batch: ratio ≈ 1 → no warning.
        let other = data.floatImages(at: Array(32..<64), encoding: .symmetricRange)
        let healthy = ModeCollapse.DiversityCheck(generated: ModeCollapse.meanPairwiseDistance(other), real: realDiversity)
        XCTAssertEqual(healthy.ratio, 1, accuracy: 0.1)
        XCTAssertNil(ModeCollapse.modeCollapseWarning(healthy, epoch: 3))
        // Mean pairwise distance by hand on three points.
        let pts = Tensor(shape: [3, 2], storage: [0, 0, 3, 4, 0, 8])
        XCTAssertEqual(ModeCollapse.meanPairwiseDistance(pts), (5 + 8 + 5) / 3, accuracy: 1e-9)
        // Discriminator loss near 0 → warning that names the minimax problem; at equilibrium → none.
        let w = ModeCollapse.discriminatorCollapseWarning(meanLoss: 0.01, meanFakeProbability: 0.003, epoch: 2, generatorLoss: .minimax)
        XCTAssertNotNil(w); XCTAssertTrue(w!.contains("minimax"))
        XCTAssertNil(ModeCollapse.discriminatorCollapseWarning(meanLoss: 1.3, meanFakeProbability: 0.4, epoch: 2, generatorLoss: .nonSaturating))
    }

    /// A generator reduced to a constant image (all weights but the output bias zeroed) trips the
    /// mode-collapse warning during training, and it lands in metrics.jsonl.
    func testCollapsedGeneratorIsReported() throws {
        let data = Self.twoModes(count: 64)
        var config = Self.tinyConfig(epochs: 1, maxSteps: 1)
        config.training.learningRate = 1e-12
        config.training.collapseCheckAfterSteps = 0
        let trainer = try GANTrainer(run: RunFolder(path: tempDir + "/collapse"), config: config)
        trainer.quiet = true
        for (name, t) in trainer.gan.generator.namedParameters() where name.hasSuffix("weight") && t.rank > 1 {
            t.storage = [Float](repeating: 0, count: t.count)
        }
        try trainer.train(on: data)
        XCTAssertTrue(trainer.warnings.contains { $0.contains("mode collapse") }, "\(trainer.warnings)")
        // With the default warm-up (500 steps) the same untrained generator raises no mode-collapse alarm.
        var early = config; early.training.collapseCheckAfterSteps = nil
        let quietTrainer = try GANTrainer(run: RunFolder(path: tempDir + "/early"), config: early)
        quietTrainer.quiet = true
        try quietTrainer.train(on: data)
        XCTAssertFalse(quietTrainer.warnings.contains { $0.contains("mode collapse") })
        let last = RunFolder(path: tempDir + "/collapse").readMetrics().last!
        XCTAssertEqual((last["diversity_ratio"] as? Double) ?? 1, 0, accuracy: 1e-3)
        XCTAssertFalse((last["warnings"] as? [String] ?? []).isEmpty)
    }

    /// The full workflow on a tiny conditional run: pictures, report, then `sample --condition`.
    func testWorkflowReportAndConditionalSampling() throws {
        let data = Self.twoModes(count: 64)
        var config = Self.tinyConfig(conditional: true, epochs: 1, maxSteps: 2)
        config.training.writePictures = true
        let trainer = try GANTrainer(run: RunFolder(path: tempDir + "/cgan"), config: config)
        trainer.quiet = true
        let summary = try GANWorkflow.trainAndReport(trainer, data: (data, data))
        XCTAssertEqual(summary["kind"] as? String, "cgan")
        for f in ["samples.png", "progress/samples_epoch001.png", "loss_curves.png", "d_outputs.png", "report.html", "config.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: tempDir + "/cgan/" + f), f)
        }
        let out = tempDir + "/right.png"
        let info = try GANSampling.writeSamples(run: tempDir + "/cgan", count: 6, seed: 3, condition: "right", out: out, raw: tempDir + "/raw.safetensors")
        XCTAssertEqual(info["count"] as? Int, 6)
        let raw = try SafeTensors(contentsOf: tempDir + "/raw.safetensors")
        XCTAssertEqual(try raw.floats("conditions"), Array(Array(repeating: [Float(0), 1], count: 6).joined()))
        XCTAssertTrue(FileManager.default.fileExists(atPath: out))
        XCTAssertThrowsError(try GANSampling.writeSamples(run: tempDir + "/cgan", count: 4, seed: 3, condition: "sideways", out: out)) {
            XCTAssertTrue("\($0)".contains("left, right"), "\($0)")
        }
        // Without --condition a class run draws one row per class.
        let rows = try GANSampling.inputs(config: trainer.config.model, count: 8, seed: 1, condition: nil)
        XCTAssertEqual(rows.conditions?.shape, [8, 2]); XCTAssertEqual(rows.columns, 4); XCTAssertEqual(rows.rowLabels ?? [], ["left", "right"])
    }
}
