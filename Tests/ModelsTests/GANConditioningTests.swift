import XCTest
@testable import IllusionModels

/// Conditioning augmentation (StackGAN Stage-I) and the matching-aware discriminator.
final class GANConditioningTests: XCTestCase {
    /// KL(N(μ, σ²) ‖ N(0, I)) = −½ Σ(1 + ln σ² − μ² − σ²) (batch mean), and its gradient reaches the Dense
    /// layer as ∂KL/∂μ = μ/N, ∂KL/∂ln σ² = ½(σ² − 1)/N, chained through h = cWᵀ + b.
    func testKLTermValueAndGradient() {
        var rng = RandomGenerator(seed: 4)
        let ca = ConditioningAugmentation(conditionDim: 3, augmentedDim: 2, rng: &rng)
        ca.fc.weight.storage = (0..<12).map { _ in rng.nextNormal() * 0.7 }
        ca.fc.bias!.storage = (0..<4).map { _ in rng.nextNormal() * 0.3 }
        let c = Tensor(shape: [2, 3], storage: [1, 0, 0, 0, 1, 1])
        let (mu, logVar) = ca.gaussian(c)
        let kl = ConditioningAugmentation.klDivergence(mean: mu, logVariance: logVar)
        var expected = 0.0
        for i in 0..<4 {
            let m = Double(mu.storage[i]), l = Double(logVar.storage[i])
            expected += -0.5 * (1 + l - m * m - exp(l))
        }
        XCTAssertEqual(Double(kl.scalar), expected / 2, accuracy: 1e-5)
        kl.backward()
        // Hand-chained gradient: dh[n, 0..<2] = μ/N, dh[n, 2..<4] = ½(σ² − 1)/N; dW = dhᵀ·c, db = Σ_n dh.
        var dh = [Double](repeating: 0, count: 8)
        for n in 0..<2 {
            for j in 0..<2 {
                dh[n * 4 + j] = Double(mu.storage[n * 2 + j]) / 2
                dh[n * 4 + 2 + j] = 0.5 * (exp(Double(logVar.storage[n * 2 + j])) - 1) / 2
            }
        }
        for o in 0..<4 {
            for i in 0..<3 {
                let expectedW = (0..<2).reduce(0.0) { $0 + dh[$1 * 4 + o] * Double(c.storage[$1 * 3 + i]) }
                XCTAssertEqual(Double(ca.fc.weight.grad![o * 3 + i]), expectedW, accuracy: 1e-5)
            }
            XCTAssertEqual(Double(ca.fc.bias!.grad![o]), dh[o] + dh[4 + o], accuracy: 1e-5)
        }
        // And the finite-difference check of the whole path (Dense → split → KL).
        let report = checkGradients(of: [ca.fc.weight, ca.fc.bias!]) {
            let g = ca.gaussian(c)
            return ConditioningAugmentation.klDivergence(mean: g.mean, logVariance: g.logVariance)
        }
        XCTAssertLessThan(report.maxRelativeError, 2e-3, "\(report)")
    }

    /// The KL term pulls (μ, σ²) towards (0, 1): minimising it alone drives KL → 0.
    func testKLAloneDrivesTheConditionGaussianToStandardNormal() {
        var rng = RandomGenerator(seed: 8)
        let ca = ConditioningAugmentation(conditionDim: 4, augmentedDim: 3, rng: &rng)
        ca.fc.weight.storage = (0..<24).map { _ in rng.nextNormal() }
        let c = GANConditions.oneHot([0, 1, 2, 3], classes: 4)
        let adam = Adam(parameters: ca.parameters, learningRate: 0.05)
        func kl() -> Tensor { let g = ca.gaussian(c); return ConditioningAugmentation.klDivergence(mean: g.mean, logVariance: g.logVariance) }
        let before = noGrad { kl() }.scalar
        for _ in 0..<400 { adam.zeroGrad(); kl().backward(); adam.step() }
        XCTAssertGreaterThan(before, 1)
        XCTAssertLessThan(noGrad { kl() }.scalar, 1e-3)
    }

    /// ĉ = μ + σ·ε: ∂ĉ/∂μ = 1 and ∂ĉ/∂ln σ² = ½σε, so gradients flow through the sample.
    func testReparameterisedSampleGradient() {
        var rng = RandomGenerator(seed: 3)
        let ca = ConditioningAugmentation(conditionDim: 2, augmentedDim: 2, rng: &rng)
        let c = Tensor(shape: [1, 2], storage: [1, 0])
        var epsRNG = RandomGenerator(seed: 77)
        let out = ca.augment(c, rng: &epsRNG)
        var replay = RandomGenerator(seed: 77)
        let eps = Tensor.normal([1, 2], rng: &replay)
        for j in 0..<2 {
            let sigma = exp(0.5 * out.logVariance.storage[j])
            XCTAssertEqual(out.sample.storage[j], out.mean.storage[j] + sigma * eps.storage[j], accuracy: 1e-6)
        }
        out.sample.sum().backward()
        // h = W·c + b with c = e₀: ∂Σĉ/∂b = [1, 1, ½σ₀ε₀, ½σ₁ε₁].
        let b = ca.fc.bias!.grad!
        XCTAssertEqual(b[0], 1, accuracy: 1e-6); XCTAssertEqual(b[1], 1, accuracy: 1e-6)
        for j in 0..<2 {
            XCTAssertEqual(b[2 + j], 0.5 * exp(0.5 * out.logVariance.storage[j]) * eps.storage[j], accuracy: 1e-6)
        }
    }

    func testMismatchedConditionsAreWrong() {
        var rng = RandomGenerator(seed: 1)
        let labels = (0..<200).map { $0 % 10 }
        let c = GANConditions.oneHot(labels, classes: 10)
        let wrong = GANConditions.mismatched(c, kind: "class", rng: &rng)
        var seen = Set<Int>()
        for i in 0..<200 {
            let row = Array(wrong.storage[(i * 10)..<((i + 1) * 10)])
            XCTAssertEqual(row.reduce(0, +), 1)
            let l = row.firstIndex(of: 1)!
            XCTAssertNotEqual(l, labels[i]); seen.insert(l)
        }
        XCTAssertEqual(seen.count, 10)
        // Attribute rows: exactly one attribute flipped per row, and every attribute gets flipped somewhere.
        let d = 4
        let attributes = Tensor(shape: [200, d], storage: (0..<(200 * d)).map { Float(($0 * 7 / 3) % 2) })
        let flipped = GANConditions.mismatched(attributes, kind: "attributes", rng: &rng)
        var flippedColumns = Set<Int>()
        for i in 0..<200 {
            let changed = (0..<d).filter { flipped.storage[i * d + $0] != attributes.storage[i * d + $0] }
            XCTAssertEqual(changed.count, 1, "row \(i)")
            flippedColumns.formUnion(changed)
            XCTAssertTrue([0, 1].contains(flipped.storage[i * d + changed[0]]))
        }
        XCTAssertEqual(flippedColumns, Set(0..<d))
    }

    func testConditionParsing() throws {
        var classes = GANModelConfig(imageSize: 28, channels: 1)
        classes.conditionDim = 10; classes.conditionKind = "class"; classes.conditionNames = FashionMNIST.classNames
        XCTAssertEqual(try GANConditions.parse("trouser", config: classes)[1], 1)
        XCTAssertEqual(try GANConditions.parse("7", config: classes)[7], 1)
        XCTAssertThrowsError(try GANConditions.parse("12", config: classes))
        var attributes = GANModelConfig(imageSize: 64, channels: 3)
        attributes.conditionDim = SyntheticFaces.attributeNames.count; attributes.conditionKind = "attributes"
        attributes.conditionNames = SyntheticFaces.attributeNames
        let v = try GANConditions.parse("Smiling,Eyeglasses=1,Bald=0", config: attributes)
        XCTAssertEqual(v[0], 1); XCTAssertEqual(v[1], 1); XCTAssertEqual(v.reduce(0, +), 2)
        XCTAssertThrowsError(try GANConditions.parse("Wings", config: attributes)) { XCTAssertTrue("\($0)".contains("Smiling")) }
    }

    /// Matching-aware discriminator: after a few dozen steps on the two-mode data it scores real images with
    /// their own class above the same images with the wrong class.
    func testMatchingAwareDiscriminatorLearnsTheCondition() throws {
        let data = GANTrainingTests.twoModes(count: 64)
        var config = GANTrainingTests.tinyConfig(conditional: true)
        config.training.learningRate = 1e-3
        let dir = NSTemporaryDirectory() + "illusion-cgan-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let trainer = try GANTrainer(run: RunFolder(path: dir), config: config)
        var g = RandomGenerator(seed: 2)
        for _ in 0..<40 {
            let idx = (0..<16).map { _ in g.nextInt(below: data.count) }
            let f = try trainer.trainStep(real: data.floatImages(at: idx, encoding: .symmetricRange),
                                          condition: GANConditions.conditions(data, indices: idx, config: config.model))
            XCTAssertGreaterThan(f.kl, 0)
        }
        let idx = Array(0..<32)
        let x = data.floatImages(at: idx, encoding: .symmetricRange)
        let right = GANConditions.oneHot(idx.map { data.labels[$0] }, classes: 2)
        let wrong = GANConditions.oneHot(idx.map { 1 - data.labels[$0] }, classes: 2)
        let (pRight, pWrong) = noGrad {
            (GANLosses.meanProbability(trainer.gan.discriminator.logits(x, condition: right)),
             GANLosses.meanProbability(trainer.gan.discriminator.logits(x, condition: wrong)))
        }
        XCTAssertGreaterThan(pRight, pWrong + 0.2, "D(x, c) = \(pRight), D(x, wrong c) = \(pWrong)")
    }

    /// The attribute judge flips one attribute only on rows that stay real combinations both ways:
    /// column 0 = Smiling, column 1 = an open mouth that only occurs with a smile.
    func testFlippableRowsKeepOnlyCombinationsSeenBothWays() {
        let seen: Set<[Float]> = [[0, 0], [1, 0], [1, 1]]
        let test = Tensor(shape: [4, 2], storage: [1, 1, 0, 0, 1, 0, 0, 1])
        // Row 0 (smiling, open) flipped off would be [0, 1], never seen; rows 1 and 2 are [·, 0], fine;
        // row 3 ([0, 1]) is itself impossible.
        XCTAssertEqual(GANEvaluation.flippableRows(test, column: 0, seen: seen), [[1, 0], [1, 0]])
        // Flipping the open mouth: rows 0 and 2 ([1, ·]) occur both ways; rows 1 and 3 ([0, ·]) do not.
        XCTAssertEqual(GANEvaluation.flippableRows(test, column: 1, seen: seen), [[1, 1], [1, 1]])
    }

    /// `eval --judge-attribute`: one name, a comma list or `all`; unknown names and class runs are refused
    /// naming the flag. On a tiny attribute cGAN (8×8 synthetic faces) every judged attribute gets its
    /// fractions in [0, 1] and a judge accuracy; a single attribute also gets the flat keys.
    func testJudgedAttributesParsingAndAttributeControlTable() throws {
        var model = GANModelConfig(imageSize: 8, channels: 3, noiseDim: 4, generatorWidth: 4, discriminatorWidth: 4)
        let spec = DatasetSpec(name: "faces-synthetic", imageSize: 8, syntheticCount: 320)
        let data = try spec.load()
        try GANWorkflow.configureCondition(&model, kind: "attributes", data: data.train)
        model.augmentedDim = 4; model.discriminatorConditionDim = 4
        XCTAssertEqual(try GANEvaluation.judgedAttributes("all", config: model), SyntheticFaces.attributeNames)
        XCTAssertEqual(try GANEvaluation.judgedAttributes("Smiling, Bald", config: model), ["Smiling", "Bald"])
        XCTAssertThrowsError(try GANEvaluation.judgedAttributes("Smiling,Wings", config: model)) {
            XCTAssertTrue("\($0)".contains("--judge-attribute Wings") && "\($0)".contains("Eyeglasses"), "\($0)")
        }
        XCTAssertThrowsError(try GANEvaluation.judgedAttributes("Smiling", config: GANTrainingTests.tinyConfig(conditional: true).model)) {
            XCTAssertTrue("\($0)".contains("attribute-conditioned"), "\($0)")
        }

        var t = GANTrainingOptions()
        t.epochs = 1; t.batchSize = 32; t.maxStepsPerEpoch = 2; t.writePictures = false
        let dir = NSTemporaryDirectory() + "illusion-judge-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let trainer = try GANTrainer(run: RunFolder(path: dir), config: GANRunConfig(model: model, training: t, dataset: spec))
        trainer.quiet = true
        try trainer.train(on: data.train)
        try trainer.saveCheckpoint()
        let both = try GANEvaluation.evaluate(run: dir, classifierRun: nil, judgeAttribute: "Smiling,Black_Hair", count: 64)
        let table = try XCTUnwrap(both["attribute_control"] as? [String: [String: Double]])
        XCTAssertEqual(Set(table.keys), ["Smiling", "Black_Hair"])
        for (name, row) in table {
            for key in ["judged_positive_with_attribute", "judged_positive_without_attribute", "judge_test_accuracy"] {
                let v = try XCTUnwrap(row[key], "\(name) \(key)")
                XCTAssertTrue((0...1).contains(v), "\(name) \(key) = \(v)")
            }
        }
        XCTAssertNil(both["judged_attribute"])
        let one = try GANEvaluation.evaluate(run: dir, classifierRun: nil, judgeAttribute: "Black_Hair", count: 64)
        XCTAssertEqual(one["judged_attribute"] as? String, "Black_Hair")
        XCTAssertEqual(one["judged_positive_with_attribute"] as? Double,
                       table["Black_Hair"]?["judged_positive_with_attribute"], "the same judge and samples give the same figure")
    }
}
