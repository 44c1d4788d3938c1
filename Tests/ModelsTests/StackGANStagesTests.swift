import IllusionTestSupport
import XCTest
@testable import IllusionModels

/// `train stackgan` training its own Stage-I (a cGAN run in DIR/stage1) and resuming in either phase,
/// and the Fashion-MNIST variant (Stage-I 28×28 classes, Stage-II 56, judged at 28).
final class StackGANStagesTests: XCTestCase {
    var tempDir: String!

    override func setUpWithError() throws {
        tempDir = try makeTemporaryFolder("stackgan-stages")
    }

    override func tearDown() {
        StackGANStageI.epochObserver = nil
        try? FileManager.default.removeItem(atPath: tempDir)
    }

    struct Crash: Error {}

    /// Stage-I 16×16 (width 4, noise 8) for `stage1Epochs`, then Stage-II 32×32, on 96 synthetic faces, 3 steps an epoch.
    func planned(stage1Epochs: Int = 2, epochs: Int) -> StackGANWorkflow.Request {
        var t = GANTrainingOptions()
        t.epochs = epochs; t.batchSize = 8; t.maxStepsPerEpoch = 3; t.seed = 11; t.logEvery = 1; t.writePictures = false
        var plan = StackGANStageIPlan(epochs: stage1Epochs)
        plan.width = 4; plan.noiseDim = 8
        var r = StackGANWorkflow.Request(stage1Plan: plan, dataset: "faces-synthetic", training: t)
        r.imageSize = 32; r.limit = 96; r.generatorWidth = 4; r.discriminatorWidth = 4; r.quiet = true
        return r
    }

    func weights(_ gan: StackGAN) -> [String: [Float]] { Dictionary(uniqueKeysWithValues: gan.stateDict().map { ($0.name, $0.tensor.storage) }) }

    /// Straight through (Stage-I 2 epochs, Stage-II 2 epochs) = killed after Stage-I's first epoch,
    /// resumed (finishes Stage-I, starts Stage-II), stopped after Stage-II's first epoch, resumed again.
    func testStageITrainedHereAndResumedInEitherPhaseIsBitIdentical() throws {
        let straight = try StackGANWorkflow.makeTrainer(planned(epochs: 2), out: RunFolder(path: tempDir + "/straight"))
        straight.0.quiet = true
        try straight.0.train(on: straight.1.train)
        XCTAssertEqual(straight.0.config.stage1TrainedHere, true)
        XCTAssertEqual(straight.0.config.stage1.imageSize, 16)
        let stage1 = try GANRun(path: tempDir + "/straight/stage1")   // an ordinary cGAN run folder
        XCTAssertEqual(stage1.config.kind, "cgan")
        XCTAssertEqual(RunFolder(path: tempDir + "/straight/stage1").readMetrics().filter { ($0["kind"] as? String) == "epoch" }.count, 2)
        for (name, t) in stage1.gan.generator.stateDict() {
            XCTAssertEqual(weights(straight.0.gan)["stage1." + name], t.storage, "Stage-II holds the trained Stage-I: \(name)")
        }

        // Phase 1 killed: the process dies right after Stage-I's first epoch is committed.
        let out = RunFolder(path: tempDir + "/resumed")
        StackGANStageI.epochObserver = { trainer, _ in if trainer.epoch == 1 { throw Crash() } }
        XCTAssertThrowsError(try StackGANWorkflow.makeTrainer(planned(epochs: 1), out: out)) { XCTAssertTrue($0 is Crash, "\($0)") }
        StackGANStageI.epochObserver = nil
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.modelPath), "Stage-II has not started")
        XCTAssertThrowsError(try StackGANWorkflow.makeTrainer(planned(epochs: 1), out: out)) {
            XCTAssertTrue("\($0)".contains("already holds a Stage-I run") && "\($0)".contains("--resume"), "\($0)")
        }
        let first = try StackGANWorkflow.resumeTrainer(out: out, quiet: true)
        XCTAssertEqual(first.step, 0, "Stage-II starts from scratch once Stage-I is finished")
        XCTAssertEqual(try GANRun(path: out.file("stage1")).gan.generator.stateDict().map(\.tensor.storage),
                       stage1.gan.generator.stateDict().map(\.tensor.storage), "resumed Stage-I = straight Stage-I")
        first.quiet = true
        try first.train(on: straight.1.train)
        // Phase 2: Stage-II continues from its checkpoint; Stage-I (done) is left alone.
        let second = try StackGANWorkflow.resumeTrainer(out: out, overridingEpochs: 2, quiet: true)
        XCTAssertEqual(second.step, 3)
        second.quiet = true
        try second.train(on: straight.1.train)
        let a = weights(straight.0.gan)
        for (name, t) in weights(second.gan) { XCTAssertEqual(a[name], t, name) }
        XCTAssertEqual(straight.0.rng, second.rng)
        XCTAssertEqual(RunFolder(path: out.file("stage1")).readMetrics().filter { ($0["kind"] as? String) == "epoch" }.count, 2)
    }

    func testStageIPlanRefusals() throws {
        var both = planned(epochs: 1)
        both.stage1Run = tempDir + "/x"
        XCTAssertThrowsError(try StackGANWorkflow.makeTrainer(both, out: RunFolder(path: tempDir + "/a"))) {
            XCTAssertTrue("\($0)".contains("--stage1-run and --stage1-epochs"), "\($0)")
        }
        var none = planned(epochs: 1)
        none.stage1Plan = nil
        XCTAssertThrowsError(try StackGANWorkflow.makeTrainer(none, out: RunFolder(path: tempDir + "/a"))) {
            XCTAssertTrue("\($0)".contains("--stage1-run is required") && "\($0)".contains("--stage1-epochs"), "\($0)")
        }
        var zero = planned(epochs: 1)
        zero.stage1Plan!.epochs = 0
        XCTAssertThrowsError(try StackGANWorkflow.makeTrainer(zero, out: RunFolder(path: tempDir + "/a"))) {
            XCTAssertTrue("\($0)".contains("--stage1-epochs must be ≥ 1"), "\($0)")
        }
        var odd = planned(epochs: 1)
        odd.stage1Plan!.imageSize = 12   // 32 is not 2× or 4× 12
        XCTAssertThrowsError(try StackGANWorkflow.makeTrainer(odd, out: RunFolder(path: tempDir + "/a"))) {
            XCTAssertTrue("\($0)".contains("--image-size 32") && "\($0)".contains("2 or 4 times"), "\($0)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: tempDir + "/a/stage1/config.json"), "refused before Stage-I trains")
    }

    // MARK: Fashion-MNIST

    static var fashionInstalled: Bool { FileManager.default.fileExists(atPath: FashionMNIST.defaultDirectory + "/t10k-images-idx3-ubyte.gz") }

    /// A `train cgan --dataset fashion-mnist` run (28×28, one-hot classes), two steps.
    func fashionStage1() throws -> String {
        let spec = DatasetSpec(name: "fashion-mnist", imageSize: 28, limit: 64, evalLimit: 32)
        let data = try spec.load()
        var model = GANModelConfig(imageSize: 28, channels: 1, noiseDim: 8, generatorWidth: 4, discriminatorWidth: 4)
        try GANWorkflow.configureCondition(&model, kind: "class", data: data.train)
        model.augmentedDim = 4; model.discriminatorConditionDim = 4
        var t = GANTrainingOptions()
        t.epochs = 1; t.batchSize = 16; t.maxStepsPerEpoch = 2; t.seed = 3; t.logEvery = 1; t.writePictures = false
        let trainer = try GANTrainer(run: RunFolder(path: tempDir + "/fm1"), config: GANRunConfig(model: model, training: t, dataset: spec))
        trainer.quiet = true
        try trainer.train(on: data.train)
        return tempDir + "/fm1"
    }

    /// A randomly initialised 28×28 Fashion-MNIST CNN run folder: enough to exercise FD-FMNIST and condition accuracy.
    func randomJudge() throws -> String {
        let folder = RunFolder(path: tempDir + "/judge")
        try folder.create()
        var model = CNNConfig(classNames: FashionMNIST.classNames)
        model.denseUnits = 32
        var rng = RandomGenerator(seed: 5)
        try Checkpoint.save(CNNClassifier.make(model, rng: &rng), to: folder.modelPath)
        try folder.writeJSON(CNNRunConfig(model: model, training: ImageClassifierTrainingOptions(),
                                          dataset: DatasetSpec(name: "fashion-mnist", imageSize: 28)), to: "config.json")
        return folder.path
    }

    /// The one-stage comparison: a cGAN trained at 56×56 on the ×2 enlarged Fashion-MNIST images is
    /// judged at 28 by the same bilinear ×½ as Stage-II (``GANEvaluation/judgedSamples(_:count:seed:)``).
    func testOneStage56CGANIsJudgedAt28LikeStageII() throws {
        try requireData(Self.fashionInstalled, "Fashion-MNIST is not installed")
        let spec = DatasetSpec(name: "fashion-mnist", imageSize: 56, limit: 64, evalLimit: 32)
        let data = try spec.load()
        XCTAssertEqual([data.train.height, data.train.width], [56, 56])
        var model = GANModelConfig(imageSize: 56, channels: 1, noiseDim: 8, generatorWidth: 4, discriminatorWidth: 4)
        try GANWorkflow.configureCondition(&model, kind: "class", data: data.train)
        model.augmentedDim = 4; model.discriminatorConditionDim = 4
        var t = GANTrainingOptions()
        t.epochs = 1; t.batchSize = 16; t.maxStepsPerEpoch = 1; t.seed = 3; t.writePictures = false
        let out = tempDir + "/one56"
        let trainer = try GANTrainer(run: RunFolder(path: out), config: GANRunConfig(model: model, training: t, dataset: spec))
        trainer.quiet = true
        try trainer.train(on: data.train)
        let run = try GANRun(path: out)
        let judged = GANEvaluation.judgedSamples(run, count: 6, seed: 2), drawn = GANEvaluation.sampleUnitRange(run, count: 6, seed: 2)
        XCTAssertEqual(judged.shape, [6, 1, 28, 28]); XCTAssertEqual(drawn.shape, [6, 1, 56, 56])
        XCTAssertEqual(judged.storage, resizeBilinear(drawn, downscaleFactor: 2).storage)
        let figures = try GANEvaluation.evaluate(run: out, classifierRun: try randomJudge(), count: 40, seed: 2)
        let fd = try XCTUnwrap(figures["fd_fmnist"] as? Double), accuracy = try XCTUnwrap(figures["condition_accuracy"] as? Double)
        XCTAssertTrue(fd.isFinite && fd >= 0); XCTAssertTrue((0...1).contains(accuracy))
    }

    func testFashionMNISTStageIIRefines28To56AndIsJudgedAt28() throws {
        try requireData(Self.fashionInstalled, "Fashion-MNIST is not installed")
        let stage1 = try fashionStage1()
        var t = GANTrainingOptions()
        t.epochs = 1; t.batchSize = 8; t.maxStepsPerEpoch = 2; t.seed = 7; t.logEvery = 1; t.writePictures = false
        var r = StackGANWorkflow.Request(stage1Run: stage1, training: t)
        r.generatorWidth = 4; r.discriminatorWidth = 4
        let out = tempDir + "/fm2"
        let (trainer, data) = try StackGANWorkflow.makeTrainer(r, out: RunFolder(path: out))
        XCTAssertEqual(trainer.config.model.imageSize, 56); XCTAssertEqual(trainer.config.model.conditionKind, "class")
        XCTAssertEqual([data.train.channels, data.train.height, data.train.width], [1, 56, 56])
        // The 56×56 "real" images are the 28×28 ones enlarged bilinearly (to the byte).
        let small = try DatasetSpec(name: "fashion-mnist", imageSize: 28, limit: 64, evalLimit: 32).load().train
        let enlarged = resizeBilinear(small.floatImages(at: [0, 5], encoding: .unitRange), scaleFactor: 2).storage
        let loaded = data.train.floatImages(at: [0, 5], encoding: .unitRange).storage
        XCTAssertLessThanOrEqual(zip(enlarged, loaded).map { abs($0 - $1) }.max()!, 0.5 / 255 + 1e-6)
        XCTAssertGreaterThan(loaded.max()!, 0.5)
        trainer.quiet = true
        try StackGANWorkflow.trainAndReport(trainer, data: data)

        let judge = try randomJudge()
        let figures = try StackGANEvaluation.evaluate(run: out, judgeAttribute: nil, classifierRun: judge, count: 60, seed: 2)
        XCTAssertEqual(figures["judge_side"] as? Int, 28)
        var fds: [Double] = []
        for v in StackGANClassEvaluation.variants {
            let f = try XCTUnwrap(figures[v] as? [String: Any], v)
            let fd = try XCTUnwrap(f["fd_fmnist"] as? Double), accuracy = try XCTUnwrap(f["condition_accuracy"] as? Double)
            XCTAssertTrue(fd.isFinite && fd >= 0, "\(v) \(fd)"); XCTAssertTrue((0...1).contains(accuracy), "\(v) \(accuracy)")
            fds.append(fd)
        }
        XCTAssertNotEqual(fds[0], fds[1], "Stage-II (downsampled) is not Stage-I's image")
        XCTAssertThrowsError(try StackGANEvaluation.evaluate(run: out, judgeAttribute: nil, classifierRun: nil, count: 60)) {
            XCTAssertTrue("\($0)".contains("--fd-classifier is required"), "\($0)")
        }
        XCTAssertThrowsError(try StackGANEvaluation.evaluate(run: out, judgeAttribute: "Smiling", classifierRun: judge, count: 60)) {
            XCTAssertTrue("\($0)".contains("conditioned on classes"), "\($0)")
        }
        // Bad input: this Fashion-MNIST cGAN as Stage-I of faces, and a faces Stage-I for Fashion-MNIST.
        var faces = r; faces.dataset = "faces-synthetic"
        XCTAssertThrowsError(try StackGANWorkflow.makeTrainer(faces, out: RunFolder(path: tempDir + "/bad"))) {
            XCTAssertTrue("\($0)".contains("--dataset faces-synthetic") && "\($0)".contains("trained on fashion-mnist"), "\($0)")
            XCTAssertFalse("\($0)".contains("\n"))
        }
        var odd = r; odd.imageSize = 84
        XCTAssertThrowsError(try StackGANWorkflow.makeTrainer(odd, out: RunFolder(path: tempDir + "/bad"))) {
            XCTAssertTrue("\($0)".contains("--image-size 84") && "\($0)".contains("2 or 4 times"), "\($0)")
        }
    }

    /// The command line: Stage-I trained here, --tensorboard event files, --resume of a finished run,
    /// --config taking the run's settings (and its Stage-I as --stage1-run), and the flag conflicts.
    func testCommandLineTrainsStageIWithTensorBoardAndConfig() throws {
        try requireData(IllusionExecutable.url != nil, "illusion executable not built next to the tests")
        let out = tempDir + "/cli", board = tempDir + "/tb"
        let tiny = ["--width", "4", "--noise-dim", "8", "--image-size", "32", "--limit", "48", "--batch-size", "8", "--max-steps", "2", "--threads", "1"]
        let trained = try IllusionExecutable.run(["train", "stackgan", "--dataset", "faces-synthetic", "--stage1-epochs", "1", "--epochs", "1"] + tiny
                                                 + ["--tensorboard", board, "--out", out, "--quiet", "--json"])
        XCTAssertEqual(trained.status, 0, trained.stderr)
        XCTAssertTrue(trained.stdout.contains("\"kind\":\"stackgan\""), trained.stdout)
        for f in ["config.json", "model.safetensors", "report.html", "stage1/config.json", "stage1/model.safetensors", "stage1/report.html"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/" + f), f)
        }
        let events = try FileManager.default.contentsOfDirectory(atPath: board)
        XCTAssertTrue(events.contains { $0.hasPrefix("events.out.tfevents") }, "\(events)")
        let resumed = try IllusionExecutable.run(["train", "stackgan", "--out", out, "--resume", "--epochs", "2", "--quiet", "--json"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stdout.contains("\"steps\":4"), resumed.stdout)
        let copy = tempDir + "/copy"
        let configured = try IllusionExecutable.run(["train", "stackgan", "--config", out + "/config.json", "--epochs", "1", "--out", copy, "--quiet"])
        XCTAssertEqual(configured.status, 0, configured.stderr)
        let a = try RunFolder(path: out).readJSON(StackGANRunConfig.self, from: "config.json")
        let b = try RunFolder(path: copy).readJSON(StackGANRunConfig.self, from: "config.json")
        XCTAssertEqual(b.stage1Run, out + "/stage1"); XCTAssertNil(b.stage1TrainedHere)
        XCTAssertEqual(b.model, a.model); XCTAssertEqual(b.dataset, a.dataset); XCTAssertEqual(b.training.epochs, 1)
        for (arguments, expected) in [(["--stage1-run", out + "/stage1", "--stage1-epochs", "1"], "--stage1-run and --stage1-epochs"),
                                      (["--stage1-run", out + "/stage1", "--stage1-width", "8"], "--stage1-width applies to a Stage-I trained here"),
                                      ([String](), "--stage1-run is required")] {
            let r = try IllusionExecutable.run(["train", "stackgan"] + arguments + ["--out", tempDir + "/refused", "--quiet"])
            XCTAssertNotEqual(r.status, 0, "\(arguments)")
            XCTAssertTrue(r.stderr.contains(expected), r.stderr)
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        }
    }
}
