import XCTest
@testable import IllusionModels

/// Precision/recall/density/coverage against the reference package `prdc` and KID against a NumPy
/// reference, from the committed fixture of scripts/prdc_check.py (no Python needed here).
final class GenerativeMetricsTests: XCTestCase {
    struct Fixture: Decodable {
        struct Case: Decodable { var k: Int; var fake_rows: Int; var precision, recall, density, coverage: Double }
        struct Four: Decodable { var precision, recall, density, coverage: Double }
        var columns: Int
        var real: [Float]
        var fake: [Float]
        var prdc: [Case]
        var prdc_real_vs_real_k3: Four
        var kid_all_rows: Double
    }

    func fixture() throws -> Fixture {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "prdc_reference", withExtension: "json", subdirectory: "Fixtures"))
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    func testManifoldMetricsMatchThePrdcPackage() throws {
        let f = try fixture()
        let real = FeatureRows(values: f.real, rows: f.real.count / f.columns, columns: f.columns)
        for c in f.prdc {
            let fake = FeatureRows(values: Array(f.fake[..<(c.fake_rows * f.columns)]), rows: c.fake_rows, columns: f.columns)
            let m = try ManifoldMetrics.compute(real: real, fake: fake, k: c.k)
            XCTAssertEqual(m.precision, c.precision, accuracy: 1e-12, "k = \(c.k)")
            XCTAssertEqual(m.recall, c.recall, accuracy: 1e-12, "k = \(c.k)")
            XCTAssertEqual(m.density, c.density, accuracy: 1e-12, "k = \(c.k)")
            XCTAssertEqual(m.coverage, c.coverage, accuracy: 1e-12, "k = \(c.k)")
        }
        let reversed = FeatureRows(values: (0..<real.count).reversed().flatMap { f.real[($0 * f.columns)..<(($0 + 1) * f.columns)] },
                                   rows: real.count, columns: f.columns)
        let same = try ManifoldMetrics.compute(real: real, fake: reversed)
        XCTAssertEqual([same.precision, same.recall, same.density, same.coverage],
                       [f.prdc_real_vs_real_k3.precision, f.prdc_real_vs_real_k3.recall, f.prdc_real_vs_real_k3.density, f.prdc_real_vs_real_k3.coverage])
    }

    func testKIDMatchesTheNumPyReference() throws {
        let f = try fixture()
        let n = f.real.count / f.columns
        let kid = try KernelDistance.compute(real: FeatureRows(values: f.real, rows: n, columns: f.columns),
                                             fake: FeatureRows(values: f.fake, rows: n, columns: f.columns), subsets: 1, subsetSize: n)
        XCTAssertEqual(kid.mean, f.kid_all_rows, accuracy: 1e-5 * abs(f.kid_all_rows))
    }

    /// Unbiased: two samples of one distribution average ≈ 0 (and can go negative); a shifted one does not.
    func testKIDIsNearZeroForOneDistributionAndPositiveForAShift() throws {
        var g = RandomGenerator(seed: 5)
        func sample(_ n: Int, shift: Float) -> FeatureRows {
            FeatureRows(values: (0..<(n * 4)).map { _ in g.nextNormal() + shift }, rows: n, columns: 4)
        }
        let a = sample(400, shift: 0), b = sample(400, shift: 0), c = sample(400, shift: 0.5)
        let same = try KernelDistance.compute(real: a, fake: b, subsets: 50, subsetSize: 100, seed: 1)
        let shifted = try KernelDistance.compute(real: a, fake: c, subsets: 50, subsetSize: 100, seed: 1)
        XCTAssertLessThan(abs(same.mean), 3 * same.standardDeviation / (50.0).squareRoot() + 0.02)
        XCTAssertGreaterThan(shifted.mean, 10 * abs(same.mean))
        XCTAssertGreaterThan(shifted.mean, 0.1)
    }

    func testPrecisionFallsForOutliersAndRecallForACollapsedGenerator() throws {
        var g = RandomGenerator(seed: 9)
        let real = FeatureRows(values: (0..<(300 * 2)).map { _ in g.nextNormal() }, rows: 300, columns: 2)
        let collapsed = FeatureRows(values: (0..<(300 * 2)).map { _ in 0.1 * g.nextNormal() }, rows: 300, columns: 2)
        let spread = FeatureRows(values: (0..<(300 * 2)).map { _ in 3 * g.nextNormal() }, rows: 300, columns: 2)
        let c = try ManifoldMetrics.compute(real: real, fake: collapsed), s = try ManifoldMetrics.compute(real: real, fake: spread)
        XCTAssertGreaterThan(c.precision, 0.95); XCTAssertLessThan(c.recall, 0.3); XCTAssertLessThan(c.coverage, 0.3)
        XCTAssertLessThan(s.precision, 0.65); XCTAssertGreaterThan(s.recall, 0.9)   // 0.55 measured
        XCTAssertThrowsError(try ManifoldMetrics.compute(real: real, fake: FeatureRows(values: [0, 0, 1, 1], rows: 2, columns: 2)))
    }

    /// The judge is named by a fingerprint of its weights; any other judge than the reference gets a warning.
    func testJudgeIdentityFingerprintsTheWeightsAndWarnsForAnotherJudge() throws {
        XCTAssertEqual(JudgeIdentity.fnv1a(Array("a".utf8)), "af63dc4c8601ec8c")   // the published FNV-1a 64 test vector
        XCTAssertEqual(JudgeIdentity.fnv1a([UInt8]()), "cbf29ce484222325")
        let tmp = NSTemporaryDirectory() + "judge-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        XCTAssertThrowsError(try JudgeIdentity(classifierRun: tmp))                 // no weights: one clear error
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: tmp + "/model.safetensors"))
        let judge = try JudgeIdentity(classifierRun: tmp)
        XCTAssertEqual(judge.fingerprint, JudgeIdentity.fnv1a([1, 2, 3]))
        XCTAssertFalse(judge.isReference)
        XCTAssertTrue(judge.warning?.contains("comparable only with figures from the same judge") ?? false)
        XCTAssertEqual(judge.json["is_reference"] as? Bool, false)
    }

    /// The judge shipped in the repository is the reference (its fingerprint is the recorded one), and
    /// it loads as the FD-FMNIST feature extractor.
    func testTheShippedJudgeIsTheReference() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let folder = root.appendingPathComponent(JudgeIdentity.referenceFolder).path
        let judge = try JudgeIdentity(classifierRun: folder)
        XCTAssertTrue(judge.isReference, "shipped \(judge.fingerprint), recorded \(JudgeIdentity.referenceFingerprint ?? "none")")
        XCTAssertNil(judge.warning)
        XCTAssertEqual(judge.testAccuracy ?? 0, 0.8857, accuracy: 1e-9)
        XCTAssertNoThrow(try FMNISTFeatureExtractor(classifierRun: folder))
    }
}
