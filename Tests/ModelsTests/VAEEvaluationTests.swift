import XCTest
@testable import IllusionModels

/// `illusion eval`'s figures: each measurement has its own noise stream.
final class VAEEvaluationTests: XCTestCase {
    func untrainedLinearVAE() -> VariationalAutoencoder {
        var config = VAEConfig(architecture: .linear, latentDim: 3, imageSize: 4, channels: 1)
        config.imageSize = 4
        var rng = RandomGenerator(seed: 9)
        return VariationalAutoencoder(config: config, rng: &rng)
    }

    /// The IWAE samples are drawn in the first batches; with one shared stream they shifted the ELBO's
    /// ε of every later batch, so neg_elbo changed when --iwae-samples was asked for.
    func testNegElboIsTheSameWithOrWithoutIWAE() {
        let (data, _) = LinearSubspaceData.make(count: 600, seed: 3)
        let model = untrainedLinearVAE()
        let plain = VAEEvaluator.evaluate(model, on: data, batchSize: 100)
        let withIWAE = VAEEvaluator.evaluate(model, on: data, iwaeSamples: 5, iwaeImages: 250, batchSize: 100)
        XCTAssertNil(plain.iwaeNLL)
        XCTAssertNotNil(withIWAE.iwaeNLL)
        XCTAssertEqual(withIWAE.negElbo, plain.negElbo)
        XCTAssertEqual(withIWAE.reconstruction, plain.reconstruction)
        XCTAssertEqual(withIWAE.kl, plain.kl)
        // …and the IWAE figure does not depend on how many images the ELBO covers beyond its own.
        let fewer = VAEEvaluator.evaluate(model, on: data.subset(Array(0..<300)), iwaeSamples: 5, iwaeImages: 250, batchSize: 100)
        XCTAssertEqual(fewer.iwaeNLL, withIWAE.iwaeNLL)
    }

    func testProgressStepsCountBatchesAndIWAESamples() {
        XCTAssertEqual(VAEEvaluator.progressSteps(images: 600, iwaeSamples: 0, iwaeImages: 250, batchSize: 100), 6)
        // 6 ELBO batches + 3 IWAE batches × 5 samples.
        XCTAssertEqual(VAEEvaluator.progressSteps(images: 600, iwaeSamples: 5, iwaeImages: 250, batchSize: 100), 21)
    }
}
