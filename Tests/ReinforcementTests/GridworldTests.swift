import XCTest
@testable import IllusionReinforcement

/// Sutton & Barto, Figure 4.1: iterative policy evaluation of the equiprobable random policy on the 4×4 gridworld.
final class GridworldTests: XCTestCase {
    /// The book's panels (left column), row by row; terminal corners are 0.
    static let printed: [Int: [Double]] = [
        1: [0, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0],
        2: [0, -1.7, -2.0, -2.0, -1.7, -2.0, -2.0, -2.0, -2.0, -2.0, -2.0, -1.7, -2.0, -2.0, -1.7, 0],
        3: [0, -2.4, -2.9, -3.0, -2.4, -2.9, -3.0, -2.9, -2.9, -3.0, -2.9, -2.4, -3.0, -2.9, -2.4, 0],
        10: [0, -6.1, -8.4, -9.0, -6.1, -7.7, -8.4, -8.4, -8.4, -8.4, -7.7, -6.1, -9.0, -8.4, -6.1, 0],
    ]
    static let converged: [Double] = [0, -14, -20, -22, -14, -18, -20, -20, -20, -20, -18, -14, -22, -20, -14, 0]

    func testRandomPolicyConvergesToTheBooksValues() throws {
        let mdp = try Gridworld.make()
        for mode in SweepMode.allCases {
            let result = try PolicyEvaluation.evaluate(mdp, policy: .uniform(mdp), mode: mode, theta: 1e-10)
            for (v, book) in zip(result.values, Self.converged) { XCTAssertEqual(v, book, accuracy: 1e-7, "\(mode)") }
        }
    }

    func testSynchronousSweepsEqualFigure41PanelsToThePrintedDigits() throws {
        let mdp = try Gridworld.make()
        let result = try PolicyEvaluation.evaluate(mdp, policy: .uniform(mdp), mode: .synchronous, theta: 1e-10,
                                                   recordSweeps: [1, 2, 3, 10])
        for (k, book) in Self.printed {
            let values = try XCTUnwrap(result.snapshots[k])
            for s in 0..<16 {
                // One printed decimal: the value lies within half a unit of the last digit.
                XCTAssertLessThanOrEqual(abs(values[s] - book[s]), 0.05 + 1e-12, "k = \(k), state \(s): \(values[s]) vs \(book[s])")
            }
        }
        // And not trivially: k = 3 differs from k = 2.
        XCTAssertNotEqual(result.snapshots[3]![5], result.snapshots[2]![5])
    }

    func testInPlaceSweepsConvergeInFewerSweeps() throws {
        let mdp = try Gridworld.make()
        let sync = try PolicyEvaluation.evaluate(mdp, policy: .uniform(mdp), mode: .synchronous, theta: 1e-6)
        let inPlace = try PolicyEvaluation.evaluate(mdp, policy: .uniform(mdp), mode: .inPlace, theta: 1e-6)
        XCTAssertLessThan(inPlace.sweeps, sync.sweeps)
    }

    func testGreedyPolicyOfTheRandomValuesIsOptimal() throws {
        // Figure 4.1's right column: greedy w.r.t. v_random is already optimal (−1 per step to the nearest corner).
        let mdp = try Gridworld.make()
        let random = try PolicyEvaluation.evaluate(mdp, policy: .uniform(mdp))
        let greedy = Policy.deterministic(mdp, choices: GreedyPolicy.choices(mdp, values: random.values).map { max($0, 0) })
        let v = try PolicyEvaluation.evaluate(mdp, policy: greedy)
        let distance = (0..<16).map { s -> Double in
            let r = s / 4, c = s % 4
            return -Double(min(r + c, (3 - r) + (3 - c)))
        }
        for s in 0..<16 { XCTAssertEqual(v.values[s], distance[s], accuracy: 1e-9) }
    }
}
