import XCTest
import Foundation
import IllusionModels

/// Negative numbers reach the range checks (options parse `-1` as a value, not as a flag), and
/// `illusion --version` prints the one version constant.
extension CLITests {
    func testNegativeNumbersGiveTheRangeErrorNotMissingValue() throws {
        try XCTSkipIf(binary == nil, "illusion executable not built next to the tests")
        let tmp = NSTemporaryDirectory() + "cli-negative-\(UUID().uuidString)"
        let cases: [([String], String)] = [
            (["sample", "--run", tmp, "--count", "-1", "--out", tmp + "/s.png"], "--count must be in 1…10000, got -1"),
            (["reconstruct", "--run", tmp, "--count", "-3", "--out", tmp + "/r.png"], "--count must be in 1…1000, got -3"),
            (["interpolate", "--run", tmp, "--from", "0", "--to", "1", "--steps", "-2", "--out", tmp + "/i.png"],
             "--steps must be in 2…100, got -2"),
            (["latent-plot", "--run", tmp, "--limit", "-5", "--out", tmp], "--limit must be ≥ 1, got -5"),
            (["eval", "--run", tmp, "--iwae-samples", "-10"], "--iwae-samples must be ≥ 0, got -10"),
            (["eval", "--run", tmp, "--iwae-images", "-1"], "--iwae-images must be ≥ 1, got -1"),
            (["summary", "--arch", "fashion", "--latent-dim", "-2"], "latent"),
            (["augment", "--count", "-4", "--out", tmp + "/a.png"], "--count must be in 1…100, got -4"),
            (["sample", "--run", tmp, "--seed", "-1", "--out", tmp + "/s.png"], "'-1' is invalid for '--seed"),
            (["train", "vae", "--epochs", "-1", "--out", tmp + "/t"], "--epochs must be ≥ 1, got -1"),
            (["train", "cnn", "--batch-size", "-8", "--out", tmp + "/t"], "--batch-size must be ≥ 1, got -8"),
            (["train", "dcgan", "--lr", "-0.1", "--out", tmp + "/t"], "--lr must be a positive number, got -0.1"),
            (["train", "vae", "--checkpoint-every", "-2", "--out", tmp + "/t"], "--checkpoint-every must be ≥ 0, got -2"),
        ]
        for (args, needle) in cases {
            let r = try run(args)
            XCTAssertNotEqual(r.status, 0, "\(args) should fail")
            XCTAssertFalse(r.stderr.contains("Missing value"), "\(args): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(needle), "\(args): stderr was \(r.stderr)")
        }
    }

    func testVersionFlagPrintsTheVersionConstant() throws {
        try XCTSkipIf(binary == nil, "illusion executable not built next to the tests")
        let r = try run(["--version"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines), BuildInfo.version)
    }
}
