import XCTest
import IllusionTestSupport
@testable import IllusionModels

/// A tiny regression task for the shared loop: Dense → ReLU → Dropout → Dense on 40 fixed points.
/// Its step draws the epoch's shuffle, a label noise and dropout masks, so every random stream the
/// trainer checkpoints is exercised. `crashAfterStep` throws after that global step (a simulated kill).
final class TinyRegressionTask: TrainingTask {
    let net: Sequential
    let optimizer: Adam
    let x: Tensor, y: Tensor
    var order: [Int] = []
    var crashAfterStep: Int?
    var interruptAtStep: Int?
    var monitoredValues: [Double]?
    /// The compute context in force at every step.
    var contexts: [ComputeContext] = []

    struct SimulatedCrash: Error {}

    init(seed: UInt64 = 1) {
        var rng = RandomGenerator(seed: seed)
        net = Sequential(Dense(3, 8, rng: &rng), Lambda("relu") { $0.relu() }, Dropout(p: 0.2, rng: &rng), Dense(8, 1, rng: &rng))
        optimizer = Adam(parameters: net.parameters, learningRate: 0.01)
        let inputs = Tensor.normal([40, 3], rng: &rng)
        x = inputs
        y = Tensor(shape: [40, 1], storage: (0..<40).map { i in inputs.storage[3 * i] - 2 * inputs.storage[3 * i + 1] + 0.5 })
    }

    var model: Layer { net }
    var checkpointFormat: String { "test-tiny" }
    var optimizers: [(prefix: String, optimizer: Optimizer)] { [("optimizer.", optimizer)] }
    var stepsPerEpoch: Int { 5 }
    var batchSize: Int { 8 }

    func beginEpoch(_ epoch: Int, rng: inout RandomGenerator) throws { order = rng.permutation(40) }

    func step(_ index: Int, epoch: Int, rng: inout RandomGenerator, context: StepContext) throws -> StepOutcome {
        contexts.append(ComputeContext.current)
        let rows = Array(order[(index * 8)..<(index * 8 + 8)])
        let noise = Tensor.normal([8, 1], std: 0.01, rng: &rng)
        let loss = meanSquaredError(net(x.gatherRows(rows)), y.gatherRows(rows) + noise)
        let value = try context.minimize(loss, with: optimizer)
        if context.globalStep + 1 == interruptAtStep { InterruptSignal.simulate() }
        if context.globalStep + 1 == crashAfterStep { throw SimulatedCrash() }
        return StepOutcome(figures: [("loss", Double(value))], examples: 8)
    }

    func endEpoch(_ epoch: Int, training: EpochTrainingFigures) throws -> EpochOutcome {
        if let monitoredValues { return EpochOutcome(monitored: monitoredValues[epoch]) }
        let full = noGrad { meanSquaredError(net(x), y).scalar }
        return EpochOutcome(figures: [("full_loss", Double(full))], monitored: Double(full))
    }
}

final class TrainerTests: XCTestCase {
    var dir: String!
    override func setUpWithError() throws {
        dir = try makeTemporaryFolder("trainer")
    }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func makeTrainer(_ task: TinyRegressionTask, _ name: String, epochs: Int = 3, checkpointEvery: Int = 0,
                     patience: Int = 0, modelIsBest: Bool = false) throws -> Trainer {
        var loop = TrainingLoopOptions()
        loop.checkpointEvery = checkpointEvery; loop.patience = patience
        let t = try Trainer(task: task, run: RunFolder(path: dir + "/" + name), epochs: epochs, loop: loop,
                            rng: RandomGenerator(seed: 9, stream: 77), configJSON: Array("{}\n".utf8), modelIsBest: modelIsBest)
        t.quiet = true
        return t
    }

    func weights(_ task: TinyRegressionTask) -> [[Float]] { task.net.stateDict().map(\.tensor.storage) }

    /// `Trainer.compute` is in force for every step and the previous context comes back after
    /// `fit()` (also when it throws); the thread counts split the work without changing the numbers.
    func testComputeContextAppliesDuringFitAndIsRestored() throws {
        let outside = ComputeContext.current
        defer { outside.apply() }
        ComputeContext.layers(1).apply()
        XCTAssertEqual(ComputeContext.current, ComputeContext(threads: 1, blasThreads: 1))
        let serial = TinyRegressionTask()
        try makeTrainer(serial, "serial", epochs: 2).fit()
        XCTAssertEqual(Set(serial.contexts), [ComputeContext.layers(1)])

        let threaded = TinyRegressionTask()
        let trainer = try makeTrainer(threaded, "threaded", epochs: 2)
        let context = ComputeContext(threads: 3, blasThreads: 2)
        trainer.compute = context
        try trainer.fit()
        XCTAssertEqual(Set(threaded.contexts), [context])
        XCTAssertEqual(threaded.contexts.count, 10)
        XCTAssertEqual(ParallelLoops.threads, 1, "restored after fit")
        XCTAssertEqual(ComputeContext.current, .layers(1), "restored after fit")
        XCTAssertEqual(weights(threaded), weights(serial))

        let crashing = TinyRegressionTask()
        crashing.crashAfterStep = 3
        let failing = try makeTrainer(crashing, "crashing")
        failing.compute = .gemmBound(2)
        XCTAssertThrowsError(try failing.fit())
        XCTAssertEqual(crashing.contexts.last, .gemmBound(2))
        XCTAssertEqual(ComputeContext.current, .layers(1), "restored after a throw")
    }

    /// A crash in the middle of an epoch, resumed from the last step checkpoint, ends bit-identical
    /// to the uninterrupted run (same batches, same noise, same dropout masks afterwards).
    func testCrashMidEpochResumesBitIdentically() throws {
        let straight = TinyRegressionTask()
        try makeTrainer(straight, "straight", checkpointEvery: 2).fit()

        let crashed = TinyRegressionTask()
        crashed.crashAfterStep = 7
        XCTAssertThrowsError(try makeTrainer(crashed, "crashed", checkpointEvery: 2).fit()) { XCTAssertTrue($0 is TinyRegressionTask.SimulatedCrash) }
        let resumed = TinyRegressionTask()
        let trainer = try makeTrainer(resumed, "crashed", checkpointEvery: 2)
        let checkpoint = try XCTUnwrap(try trainer.store.latest())
        XCTAssertEqual(checkpoint.progress.globalStep, 6)
        XCTAssertEqual(checkpoint.progress.epoch, 1)
        XCTAssertEqual(checkpoint.progress.stepInEpoch, 1)
        try trainer.restore(from: checkpoint)
        try trainer.fit()
        XCTAssertEqual(weights(resumed), weights(straight))
        XCTAssertNotEqual(weights(resumed), weights(TinyRegressionTask()), "training changed nothing")
        let epochs = RunFolder(path: dir + "/crashed").readMetrics().filter { $0["kind"] as? String == "epoch" }
        XCTAssertEqual(epochs.map { $0["epoch"] as? Int }, [1, 2, 3])
        let straightEpochs = RunFolder(path: dir + "/straight").readMetrics().filter { $0["kind"] as? String == "epoch" }
        XCTAssertEqual(epochs.map { $0["train_loss"] as? Double }, straightEpochs.map { $0["train_loss"] as? Double })
    }

    /// SIGINT's path: the step finishes, a checkpoint is committed at that step, TrainingInterrupted
    /// says where; resuming continues to the same weights as an uninterrupted run.
    func testInterruptCommitsACheckpointAndResumes() throws {
        let straight = TinyRegressionTask()
        try makeTrainer(straight, "straight").fit()
        let interrupted = TinyRegressionTask()
        interrupted.interruptAtStep = 8
        XCTAssertThrowsError(try makeTrainer(interrupted, "int").fit()) { error in
            let e = error as? TrainingInterrupted
            XCTAssertEqual(e?.step, 8)
            XCTAssertEqual(e?.epoch, 2)
            XCTAssertTrue("\(error)".contains("resume with --resume"), "\(error)")
        }
        let resumed = TinyRegressionTask()
        let trainer = try makeTrainer(resumed, "int")
        try trainer.restore(from: try XCTUnwrap(try trainer.store.latest()))
        XCTAssertEqual(trainer.progress.globalStep, 8)
        try trainer.fit()
        XCTAssertEqual(weights(resumed), weights(straight))
    }

    /// A damaged file in the newest checkpoint is refused with a message naming it and the older
    /// checkpoint to use instead; leftovers of an interrupted commit are never taken for a checkpoint.
    func testTornCheckpointIsRefused() throws {
        let task = TinyRegressionTask()
        let trainer = try makeTrainer(task, "torn", epochs: 2)
        try trainer.fit()
        let store = trainer.store
        XCTAssertEqual(store.stepFolders().count, 2)
        let newest = try XCTUnwrap(store.stepFolders().last)
        let modelFile = newest + "/model.safetensors"
        var bytes = [UInt8](try XCTUnwrap(FileManager.default.contents(atPath: modelFile)))
        bytes[bytes.count - 1] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: modelFile))
        XCTAssertThrowsError(try store.latest()) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("damaged") && text.contains("model.safetensors") && text.contains("--resume-from"), text)
        }
        XCTAssertNoThrow(try store.verify(store.stepFolders()[0]))
        // A half-written commit (no manifest) is not a checkpoint.
        try FileManager.default.createDirectory(atPath: store.directory + "/.incoming-step-000000099", withIntermediateDirectories: true)
        XCTAssertEqual(store.stepFolders().count, 2)
        try FileManager.default.removeItem(atPath: newest + "/manifest.json")
        XCTAssertThrowsError(try store.verify(newest)) { XCTAssertTrue("\($0)".contains("incomplete"), "\($0)") }
    }

    /// The run's model.safetensors always equals a committed checkpoint's: the newest, or the best one
    /// for classifiers; early stopping stops `patience` epochs after the best.
    func testBestCheckpointAndEarlyStopping() throws {
        let task = TinyRegressionTask()
        task.monitoredValues = [3, 1, 2, 2.5, 0.5, 9]
        let trainer = try makeTrainer(task, "best", epochs: 6, patience: 2, modelIsBest: true)
        try trainer.fit()
        XCTAssertEqual(trainer.progress.bestEpoch, 2)
        XCTAssertTrue(trainer.progress.stoppedEarly)
        XCTAssertEqual(trainer.progress.epoch, 4, "stops 2 epochs after the best")
        let run = RunFolder(path: dir + "/best")
        XCTAssertEqual(FileManager.default.contents(atPath: run.modelPath),
                       FileManager.default.contents(atPath: trainer.store.bestPath + "/model.safetensors"))
        XCTAssertNotEqual(FileManager.default.contents(atPath: run.modelPath),
                          FileManager.default.contents(atPath: trainer.store.stepFolders().last! + "/model.safetensors"))
        let best = run.readMetrics().filter { $0["best"] as? Bool == true }.map { $0["epoch"] as? Int }
        XCTAssertEqual(best, [1, 2])
    }

    /// A second training into the same folder is refused while the first holds the lock; a lock
    /// left by a dead process is taken over.
    func testRunLockRefusesASecondTrainer() throws {
        let run = RunFolder(path: dir + "/locked")
        try run.create()
        let first = try RunLock(run: run)
        try "1\n".write(toFile: run.file(".lock"), atomically: true, encoding: .utf8)  // PID 1 is alive (init)
        XCTAssertThrowsError(try RunLock(run: run)) { XCTAssertTrue("\($0)".contains("PID 1"), "\($0)") }
        first.release()
        try "2147483000\n".write(toFile: run.file(".lock"), atomically: true, encoding: .utf8)  // no such process
        let second = try RunLock(run: run)
        XCTAssertEqual(try String(contentsOfFile: run.file(".lock"), encoding: .utf8), "\(getpid())\n")
        second.release()
        XCTAssertFalse(FileManager.default.fileExists(atPath: run.file(".lock")))
    }

    /// --clip-grad-norm acts between backward and the update: the gradients the optimizer used have
    /// global norm ≤ the limit, and the update shrinks accordingly.
    func testClipGradNormLimitsTheGradient() throws {
        let task = TinyRegressionTask()
        let context = StepContext(clipGradNorm: 1e-3, epoch: 0, globalStep: 0, runPath: dir)
        let loss = meanSquaredError(task.net(task.x), task.y * 100)
        try context.minimize(loss, with: task.optimizer)
        let norm = task.net.parameters.reduce(0.0) { s, p in s + (p.grad ?? []).reduce(0.0) { $0 + Double($1) * Double($1) } }.squareRoot()
        XCTAssertLessThanOrEqual(norm, 1e-3 * 1.0001)
        XCTAssertGreaterThan(norm, 0.5e-3)
        let nan = Tensor(Float.nan, requiresGrad: true)
        XCTAssertThrowsError(try context.minimize(nan * 2, with: task.optimizer)) { XCTAssertTrue("\($0)".contains("diverged"), "\($0)") }
    }

    /// The schedule scales every optimizer from its own rate (a GAN's two rates keep their ratio).
    func testScheduleKeepsEachOptimizersOwnRate() {
        let cosine = ScheduleKind.cosine
        for e in 0..<5 {
            let a = cosine.schedule(initial: 2e-4, epochs: 5).learningRate(epoch: e)
            let b = cosine.schedule(initial: 8e-4, epochs: 5).learningRate(epoch: e)
            XCTAssertEqual(Double(b / a), 4, accuracy: 1e-5)
        }
        XCTAssertEqual(cosine.schedule(initial: 1, epochs: 5).learningRate(epoch: 4), 1 / 50, accuracy: 1e-7)
        XCTAssertEqual(ScheduleKind.step.schedule(initial: 1, epochs: 9).learningRate(epoch: 3), 0.3, accuracy: 1e-7)
    }
}

/// `--limit` cuts training images and, unless `--eval-limit` says otherwise, the test split to a sixth.
final class DataLimitTests: XCTestCase {
    func testLimitAndEvalLimit() throws {
        XCTAssertNil(DatasetSpec(name: "fashion-mnist", imageSize: 28).testLimit)
        XCTAssertEqual(DatasetSpec(name: "fashion-mnist", imageSize: 28, limit: 600).testLimit, 100)
        XCTAssertEqual(DatasetSpec(name: "fashion-mnist", imageSize: 28, limit: 600, evalLimit: 250).testLimit, 250)
        XCTAssertEqual(DatasetSpec(name: "fashion-mnist", imageSize: 28, evalLimit: 40).testLimit, 40)
        XCTAssertThrowsError(try DatasetSpec(name: "fashion-mnist", imageSize: 28, evalLimit: 0).validate()) {
            XCTAssertTrue("\($0)".contains("--eval-limit"), "\($0)")
        }
        try requireData(FileManager.default.fileExists(atPath: FashionMNIST.defaultDirectory + "/t10k-images-idx3-ubyte.gz"),
                        "Fashion-MNIST is not installed (make test installs dataset-fashion-mnist)")
        let (train, test) = try DatasetSpec(name: "fashion-mnist", imageSize: 28, limit: 120, evalLimit: 50).load()
        XCTAssertEqual(train.count, 120)
        XCTAssertEqual(test.count, 50)
    }
}
