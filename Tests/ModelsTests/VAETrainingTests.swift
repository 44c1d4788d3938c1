import XCTest
import IllusionTestSupport
@testable import IllusionModels

/// Training, resuming, divergence handling and evaluation of the VAEs on small real and
/// synthetic data (Fashion-MNIST is installed by `make test`).
final class VAETrainingTests: XCTestCase {
    var tempDir: String!

    override func setUpWithError() throws {
        tempDir = try makeTemporaryFolder("vae")
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: tempDir) }

    func fashionConfig(arch: VAEArchitecture = .fashion, epochs: Int, limit: Int, maxSteps: Int = 0,
                       batch: Int = 50, lr: Float = 1e-3) -> VAERunConfig {
        let model = VAEConfig(architecture: arch)
        var t = VAETrainingOptions()
        t.epochs = epochs; t.batchSize = batch; t.learningRate = lr; t.maxStepsPerEpoch = maxSteps; t.seed = 3
        t.writePictures = false
        return VAERunConfig(model: model, training: t,
                            dataset: DatasetSpec(name: "fashion-mnist", imageSize: model.imageSize, padTo32: arch == .fashion, limit: limit))
    }

    func requireFashion() throws {
        try requireData(FileManager.default.fileExists(atPath: FashionMNIST.defaultDirectory + "/train-images-idx3-ubyte.gz"),
                          "Fashion-MNIST is not installed (make test installs dataset-fashion-mnist)")
    }

    /// 1 epoch + resume 1 epoch gives bit-identical weights to 2 epochs straight.
    func testResumeIsBitIdentical() throws {
        try requireFashion()
        let config = fashionConfig(epochs: 2, limit: 300, maxSteps: 3)
        let straight = try VAETrainer(run: RunFolder(path: tempDir + "/straight"), config: config)
        straight.quiet = true
        let data = try VAEWorkflow.loadData(config)
        try straight.train(on: data.train, validation: data.validation)

        var oneEpoch = config; oneEpoch.training.epochs = 1
        let first = try VAETrainer(run: RunFolder(path: tempDir + "/resumed"), config: oneEpoch)
        first.quiet = true
        try first.train(on: data.train, validation: data.validation)
        let resumed = try VAETrainer.resume(run: RunFolder(path: tempDir + "/resumed"), overridingEpochs: 2)
        resumed.quiet = true
        XCTAssertEqual(resumed.epoch, 1); XCTAssertEqual(resumed.step, 3)
        try resumed.train(on: data.train, validation: data.validation)
        XCTAssertEqual(resumed.step, 6)
        let a = try SafeTensors(contentsOf: tempDir + "/straight/model.safetensors")
        let b = try SafeTensors(contentsOf: tempDir + "/resumed/model.safetensors")
        XCTAssertEqual(a.names, b.names)
        for name in a.names { XCTAssertEqual(try a.floats(name), try b.floats(name), "tensor \(name) differs after resume") }
        XCTAssertEqual(RunFolder(path: tempDir + "/resumed").readMetrics().count, 2)
    }

    /// A NaN/inf loss stops training with a message naming the step, and the last good checkpoint is intact.
    func testDivergenceStopsAndKeepsLastCheckpoint() throws {
        try requireFashion()
        let config = fashionConfig(epochs: 1, limit: 200, maxSteps: 2)
        let run = RunFolder(path: tempDir + "/diverge")
        let trainer = try VAETrainer(run: run, config: config)
        trainer.quiet = true
        let data = try VAEWorkflow.loadData(config)
        try trainer.train(on: data.train, validation: data.validation)
        let before = FileManager.default.contents(atPath: run.modelPath)
        let again = try VAETrainer.resume(run: run, overridingEpochs: 3)
        again.quiet = true
        again.optimizer.learningRate = 1e12
        XCTAssertThrowsError(try again.train(on: data.train, validation: data.validation)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("diverged") && text.contains("step"), text)
        }
        XCTAssertEqual(FileManager.default.contents(atPath: run.modelPath), before, "checkpoint changed after divergence")
    }

    /// The fashion VAE learns: its test neg-ELBO falls well below the untrained model's.
    func testFashionVAELearns() throws {
        try requireFashion()
        let config = fashionConfig(epochs: 2, limit: 1500, batch: 50, lr: 2e-3)
        let trainer = try VAETrainer(run: RunFolder(path: tempDir + "/learn"), config: config)
        trainer.quiet = true
        let data = try VAEWorkflow.loadData(config)
        let untrained = VAEEvaluator.evaluate(trainer.model, on: data.test)
        try trainer.train(on: data.train, validation: data.validation)
        let trained = VAEEvaluator.evaluate(trainer.model, on: data.test)
        XCTAssertGreaterThan(untrained.negElbo, 600)  // ≈ 1024·ln 2 for an uninformed decoder
        XCTAssertLessThan(trained.negElbo, 0.6 * untrained.negElbo, "untrained \(untrained.negElbo), trained \(trained.negElbo)")
        // evaluation is deterministic
        XCTAssertEqual(VAEEvaluator.evaluate(trainer.model, on: data.test), trained)
    }

    /// The IWAE bound is ≤ the ELBO's bound (as −ln p) and tightens as K grows, on a trained model.
    func testIWAEBoundTightensWithK() throws {
        try requireFashion()
        let config = fashionConfig(arch: .mlp, epochs: 3, limit: 3000, batch: 100, lr: 1e-3)
        let trainer = try VAETrainer(run: RunFolder(path: tempDir + "/iwae"), config: config)
        trainer.quiet = true
        let data = try VAEWorkflow.loadData(config)
        try trainer.train(on: data.train, validation: data.validation)
        let test = data.test.subset(Array(0..<200))
        let k1 = VAEEvaluator.evaluate(trainer.model, on: test, iwaeSamples: 1, iwaeImages: 200)
        let k10 = VAEEvaluator.evaluate(trainer.model, on: test, iwaeSamples: 10, iwaeImages: 200)
        let k100 = VAEEvaluator.evaluate(trainer.model, on: test, iwaeSamples: 100, iwaeImages: 200)
        XCTAssertEqual(k1.iwaeNLL!, k1.negElbo, accuracy: 0.05 * k1.negElbo)  // K = 1 is the ELBO (other noise)
        XCTAssertLessThan(k10.iwaeNLL!, k10.negElbo)
        XCTAssertLessThan(k100.iwaeNLL!, k10.iwaeNLL!)
        XCTAssertGreaterThan(k100.activeUnits, 0)
    }

    /// A linear VAE trained on data with a 3-dimensional principal subspace learns a decoder whose
    /// columns span it (small principal angles to PCA's top 3 components).
    func testLinearVAEDecoderSpansPrincipalSubspace() throws {
        let (dataset, _) = LinearSubspaceData.make(count: 3000, seed: 5)
        var model = VAEConfig(architecture: .linear, latentDim: 3, imageSize: 4, channels: 1)
        model.imageSize = 4
        var t = VAETrainingOptions()
        t.epochs = 40; t.batchSize = 100; t.learningRate = 1e-2; t.writePictures = false; t.seed = 1
        let config = VAERunConfig(model: model, training: t, dataset: DatasetSpec(name: "faces-synthetic", imageSize: 4))
        let trainer = try VAETrainer(run: RunFolder(path: tempDir + "/linear"), config: config)
        trainer.quiet = true
        try trainer.train(on: dataset, validation: dataset)
        let angles = try LinearVAEAnalysis.principalAngles(trainer.model, data: dataset)
        XCTAssertEqual(angles.count, 3)
        XCTAssertLessThan(angles.max()! * 180 / .pi, 10, "principal angles (degrees): \(angles.map { $0 * 180 / .pi })")
    }
}

/// 4×4 grey images whose pixels lie near a 3-dimensional affine subspace (plus noise).
enum LinearSubspaceData {
    static func make(count: Int, seed: UInt64) -> (ImageDataset, [[Double]]) {
        var rng = RandomGenerator(seed: seed)
        let d = 16
        let basis = (0..<3).map { _ in (0..<d).map { _ in Double(rng.nextNormal()) } }
        let scales = [0.12, 0.09, 0.06]
        var bytes = [UInt8](repeating: 0, count: count * d)
        for i in 0..<count {
            let z = (0..<3).map { _ in Double(rng.nextNormal()) }
            for j in 0..<d {
                var v = 0.5 + 0.01 * Double(rng.nextNormal())
                for k in 0..<3 { v += scales[k] * z[k] * basis[k][j] }
                bytes[i * d + j] = UInt8(max(0, min(255, (v * 255).rounded())))
            }
        }
        return (ImageDataset(name: "linear subspace", channels: 1, height: 4, width: 4, images: bytes,
                             labels: [Int](repeating: 0, count: count)), basis)
    }
}
