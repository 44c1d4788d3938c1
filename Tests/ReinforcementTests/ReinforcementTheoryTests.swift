import XCTest
@testable import IllusionReinforcement

/// The claims of docs/theory/reinforcement.md that are about the operators themselves.
final class ReinforcementTheoryTests: XCTestCase {
    /// ‖V_{k+1} − v*‖∞ ≤ γ ‖V_k − v*‖∞ for synchronous value iteration, sweep by sweep.
    func testValueIterationContractsByGammaPerSweep() throws {
        var rng = RandomGenerator(seed: 7)
        for mdp in [try CarRental.make(), try FrozenLake.make(map: "8x8", slippery: true), try FrozenLake.make(map: "4x4", slippery: true).withGamma(0.5)] {
            let vStar = try ValueIteration.run(mdp, theta: 1e-13).values
            let scale = vStar.map(abs).max()!
            // From zero and from a random table.
            for start in [[Double](repeating: 0, count: mdp.stateCount),
                          (0..<mdp.stateCount).map { mdp.isTerminal[$0] ? 0 : scale * (2 * rng.nextDouble() - 1) }] {
                var v = start
                var error = zip(v, vStar).map { abs($0 - $1) }.max()!
                var worstRatio = 0.0
                for _ in 0..<30 {
                    ValueIteration.sweep(mdp, mode: .synchronous, values: &v)
                    let next = zip(v, vStar).map { abs($0 - $1) }.max()!
                    XCTAssertLessThanOrEqual(next, mdp.gamma * error + 1e-9 * scale, mdp.name)
                    if error > 1e-6 * scale { worstRatio = max(worstRatio, next / error) }
                    error = next
                }
                // The bound is not loose by much: some sweep shrinks the error by barely more than γ.
                XCTAssertGreaterThan(worstRatio, 0.5 * mdp.gamma, mdp.name)
            }
        }
    }

    /// The Bellman expectation backup of a fixed policy is a γ-contraction too (why evaluation converges for γ < 1).
    func testPolicyEvaluationContractsByGammaPerSweep() throws {
        let mdp = try CarRental.make()
        let policy = Policy.uniform(mdp)
        let vPi = try PolicyEvaluation.evaluate(mdp, policy: policy, mode: .synchronous, theta: 1e-12).values
        var v = [Double](repeating: 0, count: mdp.stateCount)
        var error = vPi.map(abs).max()!
        for _ in 0..<20 {
            PolicyEvaluation.sweep(mdp, policy: policy, mode: .synchronous, values: &v)
            let next = zip(v, vPi).map { abs($0 - $1) }.max()!
            XCTAssertLessThanOrEqual(next, mdp.gamma * error + 1e-9)
            error = next
        }
    }

    /// γ = 1 with a policy that never reaches a terminal state: evaluation stops at the sweep limit with a
    /// message naming the state and action instead of looping forever.
    func testNonTerminatingPolicyWithGammaOneStopsAtTheSweepLimit() throws {
        let mdp = try Gridworld.make()
        // "up" everywhere: the top row bumps into the wall forever.
        let up = Policy.deterministic(mdp, choices: Array(repeating: 0, count: 16))
        XCTAssertThrowsError(try PolicyEvaluation.evaluate(mdp, policy: up, theta: 1e-6, maxSweeps: 500)) { error in
            guard case MDPError.evaluationDidNotConverge(let sweeps, _, let state, let action, _) = error else {
                return XCTFail("unexpected \(error)")
            }
            XCTAssertEqual(sweeps, 500)
            XCTAssertEqual(action, "up")
            XCTAssertTrue(["s1", "s2", "s3"].contains(state), state)
            XCTAssertTrue("\(error)".contains("gamma = 1"))
        }
    }

    /// Exploration versus exploitation: with the same seed and episodes, a purely greedy learner (ε = 0)
    /// settles on a worse policy on slippery FrozenLake 4×4 than an ε-greedy one.
    func testPureExploitationFindsAWorsePolicyThanEpsilonGreedy() throws {
        let mdp = try FrozenLake.make(map: "4x4", slippery: true)
        let vStar = try ValueIteration.run(mdp).values
        let greedy = TabularLearningSettings(method: .qLearning, episodes: 3000, learningRate: 0.1,
                                             exploration: .constant(0), timeLimit: 100, checkpointEvery: 3000, seed: 3)
        var explore = greedy
        explore.exploration = EpsilonGreedy(start: 1, end: 0.05, decayEpisodes: 2000)
        let exploit = try TabularLearning.train(mdp, settings: greedy, optimum: vStar)
        let explored = try TabularLearning.train(mdp, settings: explore, optimum: vStar)
        XCTAssertLessThan(exploit.checkpoints.last!.greedyReturnWithinLimit + 0.05, explored.checkpoints.last!.greedyReturnWithinLimit)
    }
}
