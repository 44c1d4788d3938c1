import XCTest
@testable import IllusionReinforcement

final class SampleBasedTests: XCTestCase {
    /// Q-learning's greedy policy on slippery FrozenLake 4×4 reaches the optimal success rate
    /// (within 100 steps, computed exactly) within 6000 episodes (seed 1; checked every 1000), and is
    /// optimal at the end of 20 000 (constant α = 0.05 makes it dip now and then in between).
    func testQLearningReachesTheOptimalSuccessRateOnFrozenLake4x4() throws {
        let mdp = try FrozenLake.make(map: "4x4", slippery: true)
        let settings = TabularLearningSettings(method: .qLearning, episodes: 20_000, learningRate: 0.05,
                                               exploration: EpsilonGreedy(start: 1, end: 0.05, decayEpisodes: 10_000),
                                               timeLimit: 100, checkpointEvery: 1000, seed: 1)
        let result = try TabularLearning.train(mdp, settings: settings)
        XCTAssertEqual(result.optimalReturnWithinLimit, 0.74, accuracy: 0.005)  // Gymnasium's note: optimum = 0.74
        let first = result.checkpoints.first!, last = result.checkpoints.last!
        XCTAssertLessThan(first.greedyReturnWithinLimit, result.optimalReturnWithinLimit - 0.05)  // not optimal at the start
        let reached = try XCTUnwrap(result.checkpoints.first { $0.greedyReturnWithinLimit >= result.optimalReturnWithinLimit - 1e-9 })
        XCTAssertLessThanOrEqual(reached.episode, 6000)
        XCTAssertEqual(reached.optimalActionShare, 1)
        XCTAssertEqual(last.greedyReturnWithinLimit, result.optimalReturnWithinLimit, accuracy: 1e-9)
        XCTAssertLessThan(last.startValueGap, 0.005)
    }

    func testQLearningFindsTheOptimalPolicyOnTheDeterministicLake() throws {
        let mdp = try FrozenLake.make(map: "4x4", slippery: false)
        let settings = TabularLearningSettings(method: .qLearning, episodes: 2000, learningRate: 0.5,
                                               exploration: EpsilonGreedy(start: 1, end: 0.1, decayEpisodes: 1000),
                                               timeLimit: 100, checkpointEvery: 500, seed: 2)
        let result = try TabularLearning.train(mdp, settings: settings)
        XCTAssertEqual(result.checkpoints.last!.greedyReturnWithinLimit, 1, accuracy: 1e-12)
        XCTAssertEqual(result.checkpoints.last!.startValueGap, 0, accuracy: 1e-6)
    }

    /// With exploring starts every state is visited; SARSA's greedy policy is then optimal everywhere.
    func testSarsaLearnsTheGridworld() throws {
        let mdp = try Gridworld.make()
        var settings = TabularLearningSettings(method: .sarsa, episodes: 3000, learningRate: 0.2,
                                               exploration: EpsilonGreedy(start: 0.5, end: 0.01, decayEpisodes: 2000),
                                               timeLimit: 100, checkpointEvery: 500, seed: 5)
        settings.exploringStarts = true
        let result = try TabularLearning.train(mdp, settings: settings)
        XCTAssertEqual(result.checkpoints.last!.optimalActionShare, 1, accuracy: 1e-12)
        XCTAssertEqual(result.checkpoints.last!.startValueGap, 0, accuracy: 1e-9)
    }

    func testSameSeedSameTable() throws {
        let mdp = try FrozenLake.make(map: "4x4", slippery: true)
        let settings = TabularLearningSettings(method: .sarsa, episodes: 300, checkpointEvery: 100, seed: 9)
        let a = try TabularLearning.train(mdp, settings: settings), b = try TabularLearning.train(mdp, settings: settings)
        XCTAssertEqual(a.q, b.q)
        var other = settings
        other.seed = 10
        XCTAssertNotEqual(try TabularLearning.train(mdp, settings: other).q, a.q)
    }

    func testEpsilonScheduleAndChoice() {
        let schedule = EpsilonGreedy(start: 1, end: 0.1, decayEpisodes: 10)
        XCTAssertEqual(schedule.epsilon(episode: 0), 1)
        XCTAssertEqual(schedule.epsilon(episode: 5), 0.55, accuracy: 1e-12)
        XCTAssertEqual(schedule.epsilon(episode: 50), 0.1)
        var rng = RandomGenerator(seed: 1)
        var counts = [0, 0, 0]
        for _ in 0..<3000 { counts[EpsilonGreedy.choose([0, 1, 0.5], epsilon: 0.3, rng: &rng)] += 1 }
        // Greedy action: 0.7 + 0.3/3 = 0.8 of the time.
        XCTAssertEqual(Double(counts[1]) / 3000, 0.8, accuracy: 0.03)
    }
}
