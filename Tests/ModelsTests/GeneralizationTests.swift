import XCTest
@testable import IllusionModels

/// The measured claims of docs/theory/generalization.md, on small but real configurations.
final class GeneralizationTests: XCTestCase {
    func testLegendreFitRecoversAPolynomialExactly() throws {
        XCTAssertEqual(PolynomialFit.legendre(0.5, degree: 2)[2], (3 * 0.25 - 1) / 2, accuracy: 1e-15)
        let xs = stride(from: -1.0, through: 1.0, by: 0.1).map { $0 }
        let ys = xs.map { 2 - $0 + 0.5 * $0 * $0 * $0 }
        let fit = try PolynomialFit(degree: 3, xs: xs, ys: ys)
        for x in [-0.9, 0.13, 0.77] { XCTAssertEqual(fit(x), 2 - x + 0.5 * x * x * x, accuracy: 1e-10) }
        XCTAssertLessThan(fit.meanSquaredError(xs: xs, ys: ys), 1e-20)
        XCTAssertThrowsError(try PolynomialFit(degree: 3, xs: [0, 1, 2], ys: [0, 1, 2]))
    }

    /// Training MSE never rises with the degree; test MSE is U-shaped with an interior minimum.
    func testCapacityTrainingErrorFallsAndTestErrorIsUShaped() throws {
        var e = CapacityExperiment()
        e.maxDegree = 12; e.samples = 15; e.repeats = 10; e.testSamples = 500
        e.widths = [1, 64]; e.mlpEpochs = 400; e.mlpSeeds = 2
        let r = try e.run()
        XCTAssertTrue(r.trainingErrorMonotone)
        XCTAssertLessThan(r.trainMSE.last!, r.noiseVariance)                     // fits the noise
        XCTAssertTrue((2...7).contains(r.bestDegree), "best degree \(r.bestDegree)")
        XCTAssertGreaterThan(r.testMSE.last!, 2 * r.testMSE[r.bestDegree])       // climbs again
        XCTAssertGreaterThan(r.testMSE[0], 2 * r.testMSE[r.bestDegree])          // underfit at degree 0
        XCTAssertLessThan(r.mlpTrainError[1], r.mlpTrainError[0])                // wider fits the training set better
    }

    /// E[MSE] = bias² + variance + σ² within 4 Monte-Carlo standard errors; bias falls and variance rises with the degree.
    func testBiasVarianceIdentityHoldsWithinMonteCarloError() throws {
        var e = BiasVarianceExperiment()
        e.maxDegree = 10; e.repeats = 100; e.testPoints = 100
        let r = try e.run()
        for row in r.rows {
            XCTAssertLessThan(abs(row.identityGap), 4 * row.identityStandardError + 1e-12, "degree \(row.degree)")
            XCTAssertGreaterThan(row.identityStandardError, 0)
        }
        XCTAssertGreaterThan(r.rows[0].biasSquared, 20 * r.rows[5].biasSquared)
        XCTAssertGreaterThan(r.rows[10].variance, 3 * r.rows[3].variance)
        XCTAssertTrue((3...7).contains(r.bestDegree), "best degree \(r.bestDegree)")
    }

    func testRegularisersEachBeatTheOverfittingBaselineOnTestLoss() throws {
        var e = RegularisationExperiment()
        e.seeds = 2; e.epochs = 300; e.width = 128
        let r = try e.run()
        let baseline = r.rows.first { $0.method == .baseline }!
        XCTAssertLessThan(baseline.trainError.mean, 0.02)   // it does overfit: the noisy training set is fitted
        for row in r.rows where row.method != .baseline {
            XCTAssertLessThan(row.testLoss.mean, baseline.testLoss.mean, "\(row.method.rawValue)")
        }
    }

    func testDistancesConcentrateAndTheBallVanishes() throws {
        var e = DimensionalityExperiment()
        e.dimensions = [1, 10, 100, 1000]; e.points = 200; e.queries = 20; e.volumeSamples = 20000; e.fashion = false
        let r = try e.run()
        XCTAssertEqual(r.kendallTau, 1)
        XCTAssertLessThan(r.distances[0].nearestToFarthest, 0.05)
        XCTAssertGreaterThan(r.distances[3].nearestToFarthest, 0.8)
        XCTAssertEqual(DimensionalityExperiment.inscribedBallShare(dimension: 2), Double.pi / 4, accuracy: 1e-12)
        XCTAssertEqual(DimensionalityExperiment.inscribedBallShare(dimension: 3), Double.pi / 6, accuracy: 1e-12)
        XCTAssertEqual(r.distances[1].ballVolumeShareMonteCarlo!, r.distances[1].ballVolumeShare, accuracy: 0.003)
        XCTAssertLessThan(r.distances[2].ballVolumeShare, 1e-60)
    }

    func testNearestNeighbourVotesByMajorityThenDistance() {
        let train = Tensor(shape: [5, 1], storage: [0, 0.1, 0.2, 5, 5.1]), labels = [0, 0, 0, 1, 1]
        func accuracy(_ x: [Float], _ y: [Int], k: Int) -> Double {
            DimensionalityExperiment.nearestNeighbourAccuracy(train: train, trainLabels: labels, test: Tensor(shape: [x.count, 1], storage: x),
                                                              testLabels: y, k: k)
        }
        XCTAssertEqual(accuracy([3.0], [1], k: 3), 1)   // 5, 5.1 (class 1) outvote 0.2
        XCTAssertEqual(accuracy([3.0], [0], k: 5), 1)   // all five: three 0s
        XCTAssertEqual(accuracy([2.55], [0], k: 2), 1)  // a 1–1 tie goes to the nearer (0.2)
        XCTAssertEqual(accuracy([0.05, 4.9, 3.0], [0, 1, 0], k: 1), 2.0 / 3.0, accuracy: 1e-12)
    }

    func testConvolutionCountsFromTheMatrixMatchTheFormula() {
        let counted = ConvolutionExperiment.countFromMatrix(channels: 2, outChannels: 3, height: 6, width: 7)
        let formula = ConvolutionExperiment.countByFormula(channels: 2, outChannels: 3, height: 6, width: 7)
        XCTAssertEqual(counted.denseParameters, formula.denseParameters)
        XCTAssertEqual(counted.nonZeroEntries, formula.nonZeroEntries)
        XCTAssertEqual(counted.convolutionParameters, 3 * 2 * 9 + 3)
        XCTAssertEqual(counted.convolutionParameters, formula.convolutionParameters)
        XCTAssertEqual(counted.denseParameters, 3 * 42 * 2 * 42 + 3 * 42)
    }

    func testCircularConvolutionIsExactlyEquivariantAndZeroPaddingIsNot() {
        let eq = ConvolutionExperiment.measureEquivariance(seed: 3)
        XCTAssertEqual(eq.circularMaxError, 0)
        XCTAssertGreaterThan(eq.zeroPaddingRelativeError, 0.05)
        XCTAssertLessThan(eq.zeroPaddingAffectedShare, 0.9)
        XCTAssertGreaterThan(eq.zeroPaddingAffectedShare, 0.1)
        XCTAssertEqual(eq.conv2DLayerRelativeError, eq.zeroPaddingRelativeError, accuracy: 1e-4)   // the layer is the zero-padded map
    }

    func testBudgetMLPMatchesTheCNNsParameterCount() {
        var rng = RandomGenerator(seed: 0)
        let cnn = ConvolutionExperiment.smallCNN(rng: &rng)
        let mlp = ConvolutionExperiment.budgetMLP(budget: cnn.parameterCounts.trainable, rng: &rng)
        XCTAssertEqual(Double(mlp.parameterCounts.trainable), Double(cnn.parameterCounts.trainable), accuracy: 0.03 * Double(cnn.parameterCounts.trainable))
    }

    func testOutOfRangeSettingsAreRejectedWithTheFlagNamed() {
        func message(_ body: () throws -> Void) -> String {
            do { try body(); return "" } catch { return "\(error)" }
        }
        var capacity = CapacityExperiment(); capacity.maxDegree = -1
        XCTAssertTrue(message { try capacity.validate() }.contains("--max-degree"))
        var bv = BiasVarianceExperiment(); bv.samples = 0
        XCTAssertTrue(message { try bv.validate() }.contains("--samples"))
        var dim = DimensionalityExperiment(); dim.dimensions = [3, 0]
        XCTAssertTrue(message { try dim.validate() }.contains("--dimensions"))
        var reg = RegularisationExperiment(); reg.seeds = 0
        XCTAssertTrue(message { try reg.validate() }.contains("--seeds"))
        var conv = ConvolutionExperiment(); conv.trainImages = 0
        XCTAssertTrue(message { try conv.validate() }.contains("--samples"))
    }
}
