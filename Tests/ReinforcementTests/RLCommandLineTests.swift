import Foundation
import XCTest
import IllusionTestSupport

/// `illusion rl` on bad input (one line on stderr naming the state and action, non-zero exit) and a
/// small good run (result.json with values and policy, --json on stdout). Skipped when the
/// executable has not been built beside the tests (a failure under CI=true).
final class RLCommandLineTests: XCTestCase {
    var binary: URL? { IllusionExecutable.url }

    func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try IllusionExecutable.run(arguments)
    }

    func testBadMDPFilesGiveOneLineNamingStateAndAction() throws {
        try requireData(binary != nil, "illusion executable not built next to the tests")
        let tmp = NSTemporaryDirectory() + "rl-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let head = #"{"gamma": GAMMA, "states": ["A", "B"], "terminal": ["B"], "transitions": ["#
        let cases: [(String, String, String)] = [
            ("0.9", #"{"state": "A", "action": "go", "next": "B", "probability": 0.7}"#,
             "state 'A', action 'go': probabilities sum to 0.7, expected 1 (within 1e-6)"),
            ("0.9", #"{"state": "A", "action": "go", "next": "B", "probability": 1.5}, {"state": "A", "action": "go", "next": "A", "probability": -0.5}"#,
             "state 'A', action 'go': probability -0.5 of reaching 'A' is negative"),
            ("0.9", #"{"state": "A", "action": "go", "next": "C", "probability": 1}"#, "state 'A', action 'go': transition to unknown state 'C'"),
            ("1.2", #"{"state": "A", "action": "go", "next": "B", "probability": 1}"#, "gamma must be in (0, 1], got 1.2"),
        ]
        for (i, (gamma, rows, expected)) in cases.enumerated() {
            let path = tmp + "/mdp\(i).json"
            try (head.replacingOccurrences(of: "GAMMA", with: gamma) + rows + "]}").write(toFile: path, atomically: true, encoding: .utf8)
            let r = try run(["rl", "value-iteration", "--env", path, "--out", tmp + "/out"])
            XCTAssertEqual(r.status, 1, expected)
            XCTAssertEqual(r.stderr, "illusion: error: \(path): \(expected)\n")
        }
        // γ = 1 and a policy that loops forever: evaluation of the random policy never ends.
        let loop = tmp + "/loop.json"
        try #"{"gamma": 1, "states": ["A"], "transitions": [{"state": "A", "action": "stay", "next": "A", "probability": 1, "reward": -1}]}"#
            .write(toFile: loop, atomically: true, encoding: .utf8)
        let r = try run(["rl", "evaluate", "--env", loop, "--max-sweeps", "200", "--out", tmp + "/out"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.hasPrefix("illusion: error: policy evaluation did not converge after 200 sweeps"), r.stderr)
        XCTAssertTrue(r.stderr.contains("state 'A', action 'stay'"), r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1)
    }

    func testValueIterationWritesValuesPolicyAndPictures() throws {
        try requireData(binary != nil, "illusion executable not built next to the tests")
        let tmp = NSTemporaryDirectory() + "rl-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let r = try run(["rl", "value-iteration", "--env", "gridworld", "--out", tmp, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let result = try XCTUnwrap(json["result"] as? [String: Any])
        let values = try XCTUnwrap(result["values"] as? [Double])
        XCTAssertEqual(values[3], -3)        // three steps from a corner
        XCTAssertEqual((result["policy"] as? [String])?[1], "left")
        for picture in ["value_iteration.png", "value_iteration_residual.png", "result.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: tmp + "/" + picture), picture)
        }
    }
}
