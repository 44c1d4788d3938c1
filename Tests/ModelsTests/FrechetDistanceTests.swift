import XCTest
import IllusionTestSupport
@testable import IllusionModels

/// The Fréchet distance maths on its own, then FD-FMNIST through a CNN run folder.
final class FrechetDistanceTests: XCTestCase {
    /// Rows of correlated Gaussian features: x = A·u + μ with u ~ N(0, I).
    static func correlated(rows n: Int, d: Int, shift: Float = 0, seed: UInt64) -> [Float] {
        var g = RandomGenerator(seed: seed)
        var out = [Float](repeating: 0, count: n * d)
        for i in 0..<n {
            let u = (0..<d).map { _ in g.nextNormal() }
            for j in 0..<d {
                var v: Float = shift
                for k in 0...j { v += u[k] * (k == j ? 1 : 0.5) }
                out[i * d + j] = v
            }
        }
        return out
    }

    func testIdenticalSetsScoreZero() {
        let x = Self.correlated(rows: 400, d: 12, seed: 1)
        XCTAssertEqual(FrechetDistance.distance(features: x, rows: 400, x, rows: 400, columns: 12), 0, accuracy: 1e-6)
    }

    /// Closed form for diagonal covariances: ‖μ₁ − μ₂‖² + Σ (σ₁ − σ₂)².
    func testDiagonalGaussiansMatchClosedForm() {
        let a = GaussianStatistics(mean: [0, 1, 2], covariance: [4, 0, 0, 0, 1, 0, 0, 0, 9])
        let b = GaussianStatistics(mean: [1, 1, 0], covariance: [1, 0, 0, 0, 1, 0, 0, 0, 0.25])
        let expected = (1.0 + 0 + 4) + (1.0 + 0 + 6.25)
        XCTAssertEqual(FrechetDistance.distance(a, b), expected, accuracy: 1e-9)
        XCTAssertEqual(FrechetDistance.distance(b, a), expected, accuracy: 1e-9)
    }

    /// Non-commuting 2×2 covariances against the closed-form square root of a 2×2 PSD matrix,
    /// √M = (M + √det M · I)/√(tr M + 2√det M), applied to M = Σ₁^½ Σ₂ Σ₁^½.
    func testNonCommutingCovariancesMatchTwoByTwoFormula() {
        let s1: [Double] = [2, 0.8, 0.8, 1], s2: [Double] = [1, -0.3, -0.3, 0.5]
        func sqrt2(_ m: [Double]) -> [Double] {
            let det = m[0] * m[3] - m[1] * m[2], tr = m[0] + m[3]
            let s = det.squareRoot(), t = (tr + 2 * s).squareRoot()
            return [(m[0] + s) / t, m[1] / t, m[2] / t, (m[3] + s) / t]
        }
        func mul(_ a: [Double], _ b: [Double]) -> [Double] {
            [a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3], a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3]]
        }
        let r = sqrt2(s1)
        let root = sqrt2(mul(mul(r, s2), r))
        let expected = 0.25 + 1 + (s1[0] + s1[3] + s2[0] + s2[3]) - 2 * (root[0] + root[3])
        let value = FrechetDistance.distance(GaussianStatistics(mean: [0.5, 0], covariance: s1), GaussianStatistics(mean: [0, -1], covariance: s2))
        XCTAssertEqual(value, expected, accuracy: 1e-9)
        // The matrix square root itself: (√S)² = S.
        let sq = FrechetDistance.symmetricSquareRoot(s1, 2)
        for (x, y) in zip(mul(sq, sq), s1) { XCTAssertEqual(x, y, accuracy: 1e-12) }
    }

    /// Samples of one distribution score near 0; moving every point by δ in each of d coordinates scores dδ²;
    /// uniform noise scores far higher than either.
    func testSampleEstimatesSeparateSameShiftedAndNoise() {
        let d = 8, n = 2000
        let a = Self.correlated(rows: n, d: d, seed: 1), b = Self.correlated(rows: n, d: d, seed: 2)
        let shifted = Self.correlated(rows: n, d: d, shift: 0.5, seed: 1)  // the same points moved by 0.5
        var g = RandomGenerator(seed: 4)
        let noise = (0..<(n * d)).map { _ in g.nextFloat() * 10 - 5 }
        let same = FrechetDistance.distance(features: a, rows: n, b, rows: n, columns: d)
        let shift = FrechetDistance.distance(features: a, rows: n, shifted, rows: n, columns: d)
        let far = FrechetDistance.distance(features: a, rows: n, noise, rows: n, columns: d)
        XCTAssertLessThan(same, 0.1)
        XCTAssertEqual(shift, Double(d) * 0.25, accuracy: 1e-3)
        XCTAssertGreaterThan(far, 50 * max(same, 0.01))
    }

    /// FD-FMNIST end to end through a CNN run folder (a randomly initialised classifier suffices for the
    /// property): the test images against themselves ≈ 0, against two disjoint halves small, against noise high.
    func testFDFMNISTIdenticalZeroNoiseHigh() throws {
        try requireData(FileManager.default.fileExists(atPath: FashionMNIST.defaultDirectory + "/t10k-images-idx3-ubyte.gz"),
                          "Fashion-MNIST is not installed")
        let dir = NSTemporaryDirectory() + "illusion-fd-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let folder = RunFolder(path: dir)
        try folder.create()
        var model = CNNConfig(classNames: FashionMNIST.classNames)
        model.denseUnits = 32
        var rng = RandomGenerator(seed: 5)
        let network = CNNClassifier.make(model, rng: &rng)
        try Checkpoint.save(network, to: folder.modelPath)
        try folder.writeJSON(CNNRunConfig(model: model, training: ImageClassifierTrainingOptions(),
                                          dataset: DatasetSpec(name: "fashion-mnist", imageSize: 28)), to: "config.json")
        let extractor = try FMNISTFeatureExtractor(classifierRun: dir)
        let real = try FDFMNIST.referenceImages(count: 1000)
        XCTAssertEqual(extractor.extract(real.batch(0..<4)).columns, 32)
        let identical = FDFMNIST.score(generated: real, reference: real, extractor: extractor)
        let halves = FDFMNIST.score(generated: real.batch(0..<500), reference: real.batch(500..<1000), extractor: extractor)
        var g = RandomGenerator(seed: 6)
        let noise = Tensor.uniform([500, 1, 28, 28], low: 0, high: 1, rng: &g)
        let noisy = FDFMNIST.score(generated: noise, reference: real.batch(500..<1000), extractor: extractor)
        XCTAssertEqual(identical, 0, accuracy: 1e-6)
        XCTAssertGreaterThan(noisy, 10 * halves, "identical \(identical), halves \(halves), noise \(noisy)")
        // The real-vs-real floor (train vs test images): small and far below noise, not zero.
        let floor = try FDFMNIST.realBaseline(classifierRun: dir, count: 500)
        XCTAssertGreaterThan(floor, 0)
        XCTAssertLessThan(floor, noisy / 10, "train vs test \(floor), noise \(noisy)")
        // 32×32 padded images (the fashion VAE's) are centre-cropped to the same 28×28 input.
        let padded = try FashionMNIST.load(.test, options: IDXImageOptions(padding: 2, limit: 8)).floatImages(at: Array(0..<8))
        XCTAssertEqual(FDFMNIST.classifierInput(padded).storage, real.batch(0..<8).storage)
    }
}
