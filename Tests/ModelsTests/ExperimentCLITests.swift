import XCTest
import IllusionTestSupport
import Foundation

/// `illusion experiment` on out-of-range settings: one clear line, non-zero exit.
/// (Skipped when the executable has not been built beside the tests.)
final class ExperimentCLITests: XCTestCase {
    var binary: URL? { IllusionExecutable.url }
    func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) { try IllusionExecutable.run(arguments) }

    func testOutOfRangeExperimentFlagsGiveOneLineErrors() throws {
        try XCTSkipIf(binary == nil, "illusion executable not built next to the tests")
        let tmp = NSTemporaryDirectory() + "exp-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let cases: [([String], String)] = [
            (["experiment", "capacity", "--max-degree=-1", "--out", tmp], "--max-degree"),
            (["experiment", "bias-variance", "--samples", "0", "--out", tmp], "--samples"),
            (["experiment", "dimensionality", "--dimensions", "0,2", "--out", tmp], "--dimensions"),
            (["experiment", "dimensionality", "--dimensions", "2,x", "--out", tmp], "--dimensions"),
            (["experiment", "regularisation", "--seeds", "0", "--out", tmp], "--seeds"),
            (["experiment", "convolution", "--samples", "0", "--out", tmp], "--samples"),
        ]
        for (args, needle) in cases {
            let r = try run(args)
            XCTAssertNotEqual(r.status, 0, "\(args) should fail")
            XCTAssertTrue(r.stderr.contains(needle), "\(args): stderr was \(r.stderr)")
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, "\(args): expected one line, got \(r.stderr)")
            XCTAssertEqual(r.stdout, "")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: tmp), "a rejected experiment must not create its folder")
    }
}
