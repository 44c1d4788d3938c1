import Foundation
import XCTest
@testable import IllusionReinforcement

/// User-written MDP files: a good one solves; each bad one fails with one line naming the state and action.
final class MDPFileTests: XCTestCase {
    static func document(gamma: Double = 0.9, go: [(String, Double)] = [("B", 0.8), ("A", 0.2)], extra: String = "") -> Data {
        let rows = go.map { #"{"state": "A", "action": "go", "next": "\#($0.0)", "probability": \#($0.1), "reward": 1}"# }
        return Data("""
        {"name": "tiny", "gamma": \(gamma), "states": ["A", "B", "end"], "terminal": ["end"], "start": "A",
         "transitions": [\(rows.joined(separator: ",")),
           {"state": "A", "action": "stay", "next": "A", "probability": 1, "reward": 0},
           {"state": "B", "action": "finish", "next": "end", "probability": 1, "reward": 10}\(extra)]}
        """.utf8)
    }

    func testAValidFileSolves() throws {
        let mdp = try MDPFile.parse(Self.document())
        XCTAssertEqual(mdp.actions[0].map { mdp.actionNames[$0] }, ["go", "stay"])
        let vi = try ValueIteration.run(mdp)
        // v(B) = 10; v(A) = 1 + 0.9 (0.8·10 + 0.2·v(A)) → v(A) = 8.2 / 0.82 = 10.
        XCTAssertEqual(vi.values[1], 10, accuracy: 1e-9)
        XCTAssertEqual(vi.values[0], 8.2 / 0.82, accuracy: 1e-8)
        XCTAssertEqual(mdp.actionNames[mdp.actions[0][vi.policy[0]]], "go")
    }

    /// The example in docs/examples (Sutton & Barto's recycling robot): search when high, recharge when low,
    /// v(high) = 2 / (1 − 0.9·0.8 − 0.9·0.2·0.9) = 2 / 0.118, v(low) = 0.9 v(high).
    func testTheRecyclingRobotExample() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/examples/recycling_robot.json").path
        try XCTSkipUnless(FileManager.default.fileExists(atPath: path), "docs/examples not beside the tests")
        let mdp = try MDPFile.load(path: path)
        let vi = try ValueIteration.run(mdp)
        XCTAssertEqual(vi.values[0], 2 / 0.118, accuracy: 1e-8)
        XCTAssertEqual(vi.values[1], 0.9 * 2 / 0.118, accuracy: 1e-8)
        XCTAssertEqual(vi.policy.enumerated().map { mdp.actionNames[mdp.actions[$0.offset][$0.element]] }, ["search", "recharge"])
    }

    func message(_ data: Data) -> String {
        do { _ = try MDPFile.parse(data); return "no error" } catch { return "\(error)" }
    }

    func testProbabilitiesNotSummingToOne() {
        let m = message(Self.document(go: [("B", 0.8), ("A", 0.1)]))
        XCTAssertEqual(m, "state 'A', action 'go': probabilities sum to 0.9, expected 1 (within 1e-6)")
        // Within 1e-6 is accepted.
        XCTAssertEqual(message(Self.document(go: [("B", 0.8), ("A", 0.2000005)])), "no error")
    }

    func testNegativeProbability() {
        XCTAssertEqual(message(Self.document(go: [("B", 1.2), ("A", -0.2)])),
                       "state 'A', action 'go': probability -0.2 of reaching 'A' is negative")
    }

    func testUnknownState() {
        XCTAssertEqual(message(Self.document(go: [("B", 0.8), ("C", 0.2)])),
                       "state 'A', action 'go': transition to unknown state 'C'")
        let fromUnknown = #",{"state": "Z", "action": "jump", "next": "A", "probability": 1}"#
        XCTAssertEqual(message(Self.document(extra: fromUnknown)), "state 'Z', action 'jump': transition to unknown state 'Z'")
    }

    func testGammaOutsideTheUnitInterval() {
        XCTAssertEqual(message(Self.document(gamma: 0)), "gamma must be in (0, 1], got 0.0")
        XCTAssertEqual(message(Self.document(gamma: 1.5)), "gamma must be in (0, 1], got 1.5")
        XCTAssertEqual(message(Self.document(gamma: 1)), "no error")
    }

    func testEmptyActionSet() {
        let data = Data("""
        {"gamma": 0.9, "states": ["A", "B"], "transitions": [{"state": "A", "action": "go", "next": "B", "probability": 1}]}
        """.utf8)
        XCTAssertEqual(message(data), "state 'B' is not terminal but has no actions (empty action set)")
    }

    func testGammaOneWithANeverEndingPolicyStopsAtTheSweepLimit() throws {
        // "stay" forever in A with reward −1: v(A) = −∞ under γ = 1.
        let data = Data("""
        {"gamma": 1, "states": ["A", "end"], "terminal": ["end"],
         "transitions": [{"state": "A", "action": "stay", "next": "A", "probability": 1, "reward": -1},
                         {"state": "A", "action": "leave", "next": "end", "probability": 1, "reward": -5}]}
        """.utf8)
        let mdp = try MDPFile.parse(data)
        XCTAssertThrowsError(try PolicyEvaluation.evaluate(mdp, policy: .deterministic(mdp, choices: [0, -1]), maxSweeps: 1000)) {
            XCTAssertEqual("\($0)", "policy evaluation did not converge after 1000 sweeps (largest change 1.0 at state 'A', action 'stay') (gamma = 1: the policy may never reach a terminal state from here)")
        }
        // Value iteration still solves it (leaving is optimal).
        XCTAssertEqual(try ValueIteration.run(mdp).values[0], -5, accuracy: 1e-12)
    }

    func testMalformedJSONNamesTheProblem() {
        XCTAssertTrue(message(Data(#"{"gamma": 0.9, "states": ["A"]}"#.utf8)).contains("missing \"transitions\""))
    }
}
