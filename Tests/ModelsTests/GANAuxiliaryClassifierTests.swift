import IllusionTestSupport
import XCTest
@testable import IllusionModels

/// The AC-GAN option of `train cgan --aux-weight`: D's auxiliary head, its loss, and that D learns
/// to name the condition of real images.
final class GANAuxiliaryClassifierTests: XCTestCase {
    var tempDir: String!

    override func setUpWithError() throws {
        tempDir = try makeTemporaryFolder("acgan")
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: tempDir) }

    static func auxiliaryConfig(epochs: Int = 1, maxSteps: Int = 0) -> GANRunConfig {
        var config = GANTrainingTests.tinyConfig(conditional: true, epochs: epochs, maxSteps: maxSteps)
        config.model.auxiliaryClassifier = true
        config.training.auxiliaryWeight = 1
        return config
    }

    /// The head exists only when asked for, reads D's features `[N, F, B, B]` and has one output per condition entry.
    func testHeadShapesAndNames() throws {
        var rng = RandomGenerator(seed: 1)
        let plain = DCGANDiscriminator(config: GANTrainingTests.tinyConfig(conditional: true).model, rng: &rng)
        XCTAssertNil(plain.auxiliary)
        XCTAssertFalse(plain.stateDict().contains { $0.name.hasPrefix("aux.") })
        let d = DCGANDiscriminator(config: Self.auxiliaryConfig().model, rng: &rng)
        let names = Dictionary(uniqueKeysWithValues: d.stateDict().map { ($0.name, $0.tensor.shape) })
        // 16×16 = 4·2²: features 16 channels × 4 × 4.
        XCTAssertEqual(names["aux.1.weight"], [2, 16 * 4 * 4])
        XCTAssertEqual(names["aux.1.bias"], [2])
        let x = Tensor.normal([3, 1, 16, 16], rng: &rng)
        let out = noGrad { d.outputs(x, condition: GANConditions.oneHot([0, 1, 1], classes: 2)) }
        XCTAssertEqual(out.logits.shape, [3, 1])
        XCTAssertEqual(out.auxiliary?.shape, [3, 2])
        // A weight without a head (or the reverse) is refused.
        var broken = GANTrainingTests.tinyConfig(conditional: true)
        broken.training.auxiliaryWeight = 1
        XCTAssertThrowsError(try GANTrainer(run: RunFolder(path: tempDir + "/broken"), config: broken)) {
            XCTAssertTrue("\($0)".contains("--aux-weight"), "\($0)")
        }
        var negative = Self.auxiliaryConfig()
        negative.training.auxiliaryWeight = -1
        XCTAssertThrowsError(try negative.training.validate()) { XCTAssertTrue("\($0)".contains("--aux-weight"), "\($0)") }
    }

    /// Classes: cross-entropy of the class logits; attributes: Σ over attributes of BCE, mean over images.
    func testLossMatchesHandComputation() {
        let logits = Tensor(shape: [2, 2], storage: [2, 0, 0.5, -1])
        let classes = GANConditions.oneHot([0, 1], classes: 2)
        // Row 0: −log softmax(2, 0)[0] = log(1 + e⁻²); row 1: −log softmax(0.5, −1)[1] = log(1 + e^1.5).
        let ce = (log(1 + exp(-2.0)) + log(1 + exp(1.5))) / 2
        XCTAssertEqual(Double(GANLosses.auxiliary(logits: logits, conditions: classes, kind: "class").scalar), ce, accuracy: 1e-5)
        let attributes = Tensor(shape: [2, 2], storage: [1, 0, 1, 1])
        // BCE(a, 1) = log(1 + e⁻ᵃ), BCE(a, 0) = log(1 + eᵃ); per image summed, then the batch mean.
        func bce(_ a: Double, _ t: Double) -> Double { t == 1 ? log(1 + exp(-a)) : log(1 + exp(a)) }
        let expected = (bce(2, 1) + bce(0, 0) + bce(0.5, 1) + bce(-1, 1)) / 2
        XCTAssertEqual(Double(GANLosses.auxiliary(logits: logits, conditions: attributes, kind: "attributes").scalar), expected, accuracy: 1e-5)
    }

    /// G's objective holds every term it is given, each with its weight (an earlier version let the KL
    /// term overwrite the auxiliary one), and its gradient reaches the auxiliary term.
    func testGeneratorObjectiveKeepsEveryTerm() {
        let adversarial = Tensor(shape: [], storage: [0.5]), kl = Tensor(shape: [], storage: [2])
        let aux = Tensor(shape: [], storage: [3], requiresGrad: true)
        let all = GANLosses.generatorObjective(adversarial: adversarial, kl: kl, klWeight: 0.1, auxiliary: aux, auxiliaryWeight: 4)
        XCTAssertEqual(all.scalar, 0.5 + 0.2 + 12, accuracy: 1e-6)
        all.backward()
        XCTAssertEqual(aux.grad, [4])
        XCTAssertEqual(GANLosses.generatorObjective(adversarial: adversarial, kl: kl, klWeight: 1, auxiliary: nil, auxiliaryWeight: 0).scalar, 2.5)
        XCTAssertEqual(GANLosses.generatorObjective(adversarial: adversarial, kl: nil, klWeight: 1, auxiliary: aux, auxiliaryWeight: 1).scalar, 3.5)
    }

    /// After 40 steps on the two-mode set, D's head names the class of real images it never saw
    /// labelled in a batch of its own, and training with the head resumes bit-identically.
    func testDiscriminatorLearnsToNameTheConditionAndResumes() throws {
        let data = GANTrainingTests.twoModes(count: 96)
        var config = Self.auxiliaryConfig()
        config.training.learningRate = 1e-3
        let trainer = try GANTrainer(run: RunFolder(path: tempDir + "/learn"), config: config)
        var g = RandomGenerator(seed: 4)
        for _ in 0..<40 {
            let idx = (0..<16).map { _ in g.nextInt(below: 64) }
            _ = try trainer.trainStep(real: data.floatImages(at: idx, encoding: .symmetricRange),
                                      condition: GANConditions.conditions(data, indices: idx, config: config.model))
        }
        let held = Array(64..<96)
        let aux = try XCTUnwrap(noGrad {
            trainer.gan.discriminator.outputs(data.floatImages(at: held, encoding: .symmetricRange),
                                              condition: GANConditions.conditions(data, indices: held, config: config.model)).auxiliary
        })
        let right = held.enumerated().filter { r, i in
            (aux.storage[r * 2 + 1] > aux.storage[r * 2]) == (data.labels[i] == 1)
        }.count
        XCTAssertGreaterThan(Double(right) / Double(held.count), 0.9)

        let resumable = Self.auxiliaryConfig(epochs: 2, maxSteps: 2)
        let (straight, resumed) = try GANTrainingTests.straightAndResumed(resumable, data: data, root: tempDir)
        try resumed.train(on: data)
        let weights = Dictionary(uniqueKeysWithValues: straight.gan.stateDict().map { ($0.name, $0.tensor.storage) })
        XCTAssertNotNil(weights["discriminator.aux.1.weight"])
        for (name, t) in resumed.gan.stateDict() { XCTAssertEqual(weights[name], t.storage, name) }
    }
}
