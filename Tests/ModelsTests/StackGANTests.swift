import IllusionTestSupport
import XCTest
@testable import IllusionModels

/// StackGAN Stage-II on tiny synthetic faces (Stage-I 16×16 → Stage-II 32×32): shapes and PyTorch
/// names, Stage-I frozen, the discriminator learns to separate, ĉ matters, bit-identical resume,
/// sampling, and the bad inputs of `train stackgan`.
final class StackGANTests: XCTestCase {
    var tempDir: String!

    override func setUpWithError() throws {
        tempDir = try makeTemporaryFolder("stackgan")
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: tempDir) }

    static let faces = DatasetSpec(name: "faces-synthetic", imageSize: 16, limit: 96)

    /// A Stage-I cGAN run folder (16×16 synthetic faces, 11 attributes), trained for two steps.
    func stage1Run(_ name: String = "stage1", conditional: Bool = true) throws -> String {
        let data = try Self.faces.load()
        var model = GANModelConfig(imageSize: 16, channels: 3, noiseDim: 8, generatorWidth: 4, discriminatorWidth: 4)
        if conditional {
            try GANWorkflow.configureCondition(&model, kind: "attributes", data: data.train)
            model.augmentedDim = 4; model.discriminatorConditionDim = 4
        }
        var t = GANTrainingOptions()
        t.epochs = 1; t.batchSize = 16; t.maxStepsPerEpoch = 2; t.seed = 3; t.logEvery = 1; t.writePictures = false
        let trainer = try GANTrainer(run: RunFolder(path: tempDir + "/" + name), config: GANRunConfig(model: model, training: t, dataset: Self.faces))
        trainer.quiet = true
        try trainer.train(on: data.train)
        return tempDir + "/" + name
    }

    func request(_ stage1: String, epochs: Int = 1, maxSteps: Int = 3) -> StackGANWorkflow.Request {
        var t = GANTrainingOptions()
        t.epochs = epochs; t.batchSize = 8; t.maxStepsPerEpoch = maxSteps; t.seed = 7; t.logEvery = 1; t.writePictures = false
        var r = StackGANWorkflow.Request(stage1Run: stage1, training: t)
        r.generatorWidth = 4; r.discriminatorWidth = 4; r.residualBlocks = 2
        return r
    }

    func testShapesNamesAndFrozenStageI() throws {
        let stage1 = try stage1Run()
        let (trainer, data) = try StackGANWorkflow.makeTrainer(request(stage1), out: RunFolder(path: tempDir + "/s2"))
        let gan = trainer.gan, m = trainer.config.model
        XCTAssertEqual(m.imageSize, 32); XCTAssertEqual(m.upscale, 2); XCTAssertEqual(m.upsamplingBlocks, 3)
        XCTAssertEqual(data.train.height, 32)
        var rng = RandomGenerator(seed: 1)
        let c = data.train.attributeMatrix(at: [0, 1, 2])
        let low = gan.lowResolution(noise: Tensor.normal([3, 8], rng: &rng), condition: c, rng: &rng)
        XCTAssertEqual(low.shape, [3, 3, 16, 16])
        XCTAssertFalse(low.isOnTape, "Stage-I's output is detached")
        let high = gan.generator.refine(low, condition: c, rng: &rng)
        XCTAssertEqual(high.images.shape, [3, 3, 32, 32]); XCTAssertEqual(high.mean?.shape, [3, 4])
        XCTAssertLessThanOrEqual(high.images.storage.map(abs).max()!, 1)
        let f = gan.discriminator.features(high.images)
        XCTAssertEqual(f.shape, [3, 16, 4, 4])   // 32 = 4·2³: three stride-2 blocks, channels 4 → 8 → 16
        XCTAssertEqual(gan.discriminator.conditionalLogits(features: f, condition: c).shape, [3, 1])
        XCTAssertEqual(gan.discriminator.unconditionalLogits(features: f).shape, [3, 1])
        let names = Set(gan.stateDict().map(\.name))
        for name in ["stage1.main.0.weight", "stage1.ca.fc.weight", "generator.ca.fc.weight", "generator.encoder.0.weight",
                     "generator.encoder.3.weight", "generator.joint.0.weight", "generator.residual.1.block.4.running_var",
                     "generator.upsample1.1.weight", "generator.upsample3.2.bias", "generator.img.0.weight",
                     "discriminator.main.0.weight", "discriminator.condition.0.weight", "discriminator.head.3.weight",
                     "discriminator.uncond.0.weight"] {
            XCTAssertTrue(names.contains(name), name)
        }
        // Stage-I's weights are the cGAN run's, and no optimizer owns them.
        let source = try GANRun(path: stage1).gan.generator.stateDict()
        let copied = Dictionary(uniqueKeysWithValues: gan.stage1.stateDict().map { ($0.name, $0.tensor.storage) })
        for (name, t) in source { XCTAssertEqual(copied[name], t.storage, name) }
        let owned = Set((trainer.generatorOptimizer.parameters + trainer.discriminatorOptimizer.parameters).map { ObjectIdentifier($0) })
        XCTAssertTrue(gan.stage1.parameters.allSatisfy { !owned.contains(ObjectIdentifier($0)) && !$0.requiresGrad })
        // 4×: five decoder blocks, 64×64 out.
        var four = m; four.imageSize = 64
        var g = RandomGenerator(seed: 2)
        XCTAssertEqual(StackGANGenerator(config: four, rng: &g).refine(low, condition: c, rng: &g).images.shape, [3, 3, 64, 64])
    }

    /// A few dozen steps: D tells real from refined images (and Stage-I stays untouched); ĉ changes the output.
    func testDiscriminatorSeparatesAndStageIStaysFrozen() throws {
        let stage1 = try stage1Run()
        var r = request(stage1)
        r.training.learningRate = 1e-3
        let (trainer, data) = try StackGANWorkflow.makeTrainer(r, out: RunFolder(path: tempDir + "/s2"))
        let before = trainer.gan.stage1.stateDict().map { $0.tensor.storage }
        var g = RandomGenerator(seed: 9)
        var figures: [[String: Double]] = []
        for _ in 0..<30 {
            let idx = (0..<8).map { _ in g.nextInt(below: data.train.count) }
            figures.append(try trainer.trainStep(real: data.train.floatImages(at: idx, encoding: .symmetricRange),
                                                 condition: data.train.attributeMatrix(at: idx)))
        }
        func late(_ k: String) -> Double { figures.suffix(5).map { $0[k]! }.reduce(0, +) / 5 }
        XCTAssertLessThan(figures[0]["d_accuracy"]!, 0.8)
        XCTAssertGreaterThan(late("d_real"), late("d_fake") + 0.3, "\(figures.map { ($0["d_real"]!, $0["d_fake"]!) })")
        XCTAssertLessThan(late("loss_d"), figures[0]["loss_d"]!)
        XCTAssertEqual(trainer.gan.stage1.stateDict().map { $0.tensor.storage }, before, "Stage-I must stay frozen")
        // Same Stage-I image and ε: ĉ zeroed gives other pixels.
        let c = data.train.attributeMatrix(at: [0, 1])
        var noise = RandomGenerator(seed: 4)
        let z = Tensor.normal([2, 8], rng: &noise)
        let full = StackGANSampling.generate(trainer.gan, noise: z, conditions: c, seed: 5)
        let zeroed = StackGANSampling.generate(trainer.gan, noise: z, conditions: c, seed: 5, zeroAugmented: true)
        XCTAssertEqual(full.low.storage, zeroed.low.storage)
        XCTAssertNotEqual(full.high.storage, zeroed.high.storage)
    }

    /// 1 epoch + resume gives the same weights, optimizer state, stream and metrics as 2 epochs straight.
    /// A Stage-II generator reduced to a constant image (its ≥ 2-D weights zeroed) trips the same
    /// mode-collapse alarm as the GAN trainer's, in the epoch's record; with the default warm-up
    /// (500 steps) the same untrained generator raises none.
    func testCollapsedStageIIGeneratorIsReported() throws {
        let stage1 = try stage1Run()
        for (name, warmUp) in [("collapse", Optional(0)), ("early", nil)] {
            var r = request(stage1, epochs: 1, maxSteps: 1)
            r.training.learningRate = 1e-12
            r.training.collapseCheckAfterSteps = warmUp
            let (trainer, data) = try StackGANWorkflow.makeTrainer(r, out: RunFolder(path: tempDir + "/" + name))
            trainer.quiet = true
            for (_, t) in trainer.gan.generator.namedParameters() where t.rank > 1 { t.storage = [Float](repeating: 0, count: t.count) }
            let warnings = try XCTUnwrap(trainer.train(on: data.train).last).outcome.warnings
            XCTAssertEqual(warnings.contains { $0.contains("mode collapse") }, warmUp != nil, "\(name): \(warnings)")
        }
        let last = try XCTUnwrap(RunFolder(path: tempDir + "/collapse").readMetrics().last { ($0["kind"] as? String) == "epoch" })
        XCTAssertLessThan((last["diversity_ratio"] as? Double) ?? 1, 1e-3)
    }

    func testResumeIsBitIdentical() throws {
        let stage1 = try stage1Run()
        let straight = try StackGANWorkflow.makeTrainer(request(stage1, epochs: 2), out: RunFolder(path: tempDir + "/straight"))
        straight.0.quiet = true
        try straight.0.train(on: straight.1.train)
        let part = try StackGANWorkflow.makeTrainer(request(stage1, epochs: 1), out: RunFolder(path: tempDir + "/resumed"))
        part.0.quiet = true
        try part.0.train(on: part.1.train)
        let resumed = try StackGANTrainer.resume(run: RunFolder(path: tempDir + "/resumed"), overridingEpochs: 2)
        resumed.quiet = true
        XCTAssertEqual(resumed.step, 3)
        try resumed.train(on: part.1.train)
        let a = Dictionary(uniqueKeysWithValues: straight.0.gan.stateDict().map { ($0.name, $0.tensor.storage) })
        for (name, t) in resumed.gan.stateDict() { XCTAssertEqual(a[name], t.storage, name) }
        XCTAssertEqual(straight.0.rng, resumed.rng)
        for (x, y) in [(straight.0.generatorOptimizer, resumed.generatorOptimizer), (straight.0.discriminatorOptimizer, resumed.discriminatorOptimizer)] {
            for (k, v) in x.state() { XCTAssertEqual(v.storage, y.state()[k]?.storage, k) }
        }
        let m1 = RunFolder(path: tempDir + "/straight").readMetrics().filter { ($0["kind"] as? String) == "epoch" }
        let m2 = RunFolder(path: tempDir + "/resumed").readMetrics().filter { ($0["kind"] as? String) == "epoch" }
        XCTAssertEqual(m1.count, 2)
        XCTAssertEqual(m1.map { $0["loss_d"] as? Double }, m2.map { $0["loss_d"] as? Double })
        XCTAssertThrowsError(try StackGANTrainer.resume(run: RunFolder(path: stage1))) { XCTAssertTrue("\($0)".contains("not a StackGAN run"), "\($0)") }
    }

    func testWorkflowReportAndSamplingSideBySide() throws {
        let stage1 = try stage1Run()
        var r = request(stage1, maxSteps: 2)
        r.training.writePictures = true
        let (trainer, data) = try StackGANWorkflow.makeTrainer(r, out: RunFolder(path: tempDir + "/s2"))
        trainer.quiet = true
        let summary = try StackGANWorkflow.trainAndReport(trainer, data: data)
        XCTAssertEqual(summary["kind"] as? String, "stackgan")
        for f in ["samples.png", "progress/samples_epoch001.png", "loss_curves.png", "report.html", "config.json", "model.safetensors"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: tempDir + "/s2/" + f), f)
        }
        let out = tempDir + "/pairs.png"
        let info = try StackGANSampling.writeSamples(run: tempDir + "/s2", count: 4, seed: 3, condition: "Smiling,Black_Hair", out: out,
                                                     raw: tempDir + "/raw.safetensors")
        XCTAssertEqual(info["count"] as? Int, 4)
        let raw = try SafeTensors(contentsOf: tempDir + "/raw.safetensors")
        XCTAssertEqual(try raw.tensor("stage1").shape, [4, 3, 16, 16])
        XCTAssertEqual(try raw.tensor("images").shape, [4, 3, 32, 32])
        let picture = try PixelImage(contentsOfFile: out)
        // Two rows (Stage-I enlarged, Stage-II) of four 32-pixel images at ×2 display scale.
        XCTAssertGreaterThan(picture.width, 4 * 64); XCTAssertGreaterThan(picture.height, 2 * 64)
        XCTAssertThrowsError(try StackGANSampling.writeSamples(run: tempDir + "/s2", count: 2, seed: 1, condition: "Wings", out: out)) {
            XCTAssertTrue("\($0)".contains("unknown attribute 'Wings'"), "\($0)")
        }
    }

    func testBadStageIRunsAndSizesAreRefusedWithOneLine() throws {
        let out = RunFolder(path: tempDir + "/s2")
        func refusal(_ r: StackGANWorkflow.Request) -> String {
            do { _ = try StackGANWorkflow.makeTrainer(r, out: out); return "accepted" } catch { return "\(error)" }
        }
        let missing = refusal(request(tempDir + "/nowhere"))
        XCTAssertTrue(missing.contains("--stage1-run") && missing.contains("no run folder"), missing)
        let dcgan = refusal(request(try stage1Run("dcgan", conditional: false)))
        XCTAssertTrue(dcgan.contains("this is a dcgan run, not a cGAN run"), dcgan)
        let stage1 = try stage1Run()
        var otherData = request(stage1); otherData.dataset = "fashion-mnist"
        let d = refusal(otherData)
        XCTAssertTrue(d.contains("--dataset fashion-mnist") && d.contains("trained on faces-synthetic"), d)
        for size in [48, 24, 128] {
            var r = request(stage1); r.imageSize = size
            let s = refusal(r)
            XCTAssertTrue(s.contains("--image-size \(size)") && s.contains("2 or 4 times"), s)
        }
        // A Stage-I run whose condition set is not the data's (edited config: other attribute names).
        let edited = try stage1Run("edited")
        let path = edited + "/config.json"
        let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "\"Smiling\"", with: "\"Grinning\"")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let c = refusal(request(edited))
        XCTAssertTrue(c.contains("conditions") && c.contains("Grinning") && c.contains("not this data's"), c)
        for message in [missing, dcgan, d, c] { XCTAssertFalse(message.contains("\n"), message) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.modelPath))
    }

    /// Every logit 0 (D ≡ ½): L_D = ln 2 + ½(ln 2 + ln 2) + 2 ln 2 = 4 ln 2, L_G = 2 ln 2 (non-saturating);
    /// and a confident D on real/matching pairs pays less than one fooled by the mismatched pairs.
    func testLossesAreTheSeedsWithBothHeads() {
        let zero = Tensor.zeros([4, 1]), ln2 = Float(Foundation.log(2.0))
        let d = StackGANLosses.discriminator(real: zero, fake: zero, mismatched: zero, realUnconditional: zero, fakeUnconditional: zero)
        XCTAssertEqual(d.scalar, 4 * ln2, accuracy: 1e-5)
        XCTAssertEqual(StackGANLosses.generatorAdversarial(fake: zero, fakeUnconditional: zero, kind: .nonSaturating).scalar, 2 * ln2, accuracy: 1e-5)
        XCTAssertEqual(StackGANLosses.generatorAdversarial(fake: zero, fakeUnconditional: zero, kind: .minimax).scalar, -2 * ln2, accuracy: 1e-5)
        let high = Tensor(repeating: 3, shape: [4, 1]), low = Tensor(repeating: -3, shape: [4, 1])
        let right = StackGANLosses.discriminator(real: high, fake: low, mismatched: low, realUnconditional: high, fakeUnconditional: low).scalar
        let fooled = StackGANLosses.discriminator(real: high, fake: low, mismatched: high, realUnconditional: high, fakeUnconditional: low).scalar
        let softplus = { (a: Float) in Float(Foundation.log(1 + Foundation.exp(Double(a)))) }
        XCTAssertEqual(right, 4 * softplus(-3), accuracy: 1e-5)
        XCTAssertEqual(fooled, 3.5 * softplus(-3) + 0.5 * softplus(3), accuracy: 1e-5)
    }

    /// The command line: bad Stage-I runs and sizes exit non-zero with one line on stderr; a good run trains and samples.
    func testCommandLineRefusesBadInputAndSamplesPairs() throws {
        try requireData(IllusionExecutable.url != nil, "illusion executable not built next to the tests")
        let dcgan = try stage1Run("dcgan", conditional: false), stage1 = try stage1Run()
        let out = tempDir + "/cli"
        for (arguments, expected) in [(["--stage1-run", dcgan], "this is a dcgan run, not a cGAN run"),
                                      (["--stage1-run", stage1, "--image-size", "48"], "2 or 4 times"),
                                      (["--stage1-run", stage1, "--dataset", "celeba"], "trained on faces-synthetic"),
                                      (["--stage1-run", tempDir + "/nowhere"], "no run folder")] {
            let r = try IllusionExecutable.run(["train", "stackgan"] + arguments + ["--out", out, "--quiet"])
            XCTAssertNotEqual(r.status, 0, "\(arguments)")
            XCTAssertTrue(r.stderr.contains(expected), r.stderr)
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        }
        let trained = try IllusionExecutable.run(["train", "stackgan", "--stage1-run", stage1, "--width", "4", "--batch-size", "8", "--epochs", "1",
                                                  "--max-steps", "2", "--threads", "1", "--out", out, "--quiet", "--json"])
        XCTAssertEqual(trained.status, 0, trained.stderr)
        XCTAssertTrue(trained.stdout.contains("\"kind\":\"stackgan\""), trained.stdout)
        let sampled = try IllusionExecutable.run(["sample", "--run", out, "--condition", "Smiling", "--count", "4", "--out", tempDir + "/p.png"])
        XCTAssertEqual(sampled.status, 0, sampled.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: tempDir + "/p.png"))
    }
}
