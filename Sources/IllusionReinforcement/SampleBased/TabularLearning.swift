import Foundation

/// The two tabular temporal-difference control methods (Sutton & Barto §6.4–6.5).
public enum TabularMethod: String, Sendable, CaseIterable {
    /// Off-policy: Q(s,a) ← Q(s,a) + α [r + γ max_a′ Q(s′,a′) − Q(s,a)].
    case qLearning = "q-learning"
    /// On-policy: Q(s,a) ← Q(s,a) + α [r + γ Q(s′,a′) − Q(s,a)] with a′ the ε-greedy action actually taken next.
    case sarsa
}

public struct TabularLearningSettings: Sendable {
    public var method: TabularMethod
    public var episodes: Int
    public var learningRate: Double
    public var exploration: EpsilonGreedy
    /// Episodes are truncated after this many steps (Gymnasium's TimeLimit); truncation bootstraps.
    public var timeLimit: Int
    /// Compare with the optimum every this many episodes.
    public var checkpointEvery: Int
    /// Exploring starts: each episode begins in a uniformly random non-terminal state (instead of
    /// `mdp.startState`), so that states far from the start are visited too.
    public var exploringStarts = false
    public var seed: UInt64

    public init(method: TabularMethod = .qLearning, episodes: Int = 10_000, learningRate: Double = 0.1,
                exploration: EpsilonGreedy = EpsilonGreedy(), timeLimit: Int = 100, checkpointEvery: Int = 500, seed: UInt64 = 0) {
        self.method = method
        self.episodes = episodes
        self.learningRate = learningRate
        self.exploration = exploration
        self.timeLimit = timeLimit
        self.checkpointEvery = checkpointEvery
        self.seed = seed
    }
}

/// The greedy policy of the table at one point of training, measured exactly against the MDP's optimum.
public struct TabularCheckpoint: Sendable, Codable, Equatable {
    public var episode: Int
    /// v*(start) − v_greedy(start) (exact policy evaluation; 0 when the greedy policy is optimal).
    public var startValueGap: Double
    /// Share of non-terminal states whose greedy action is one of the optimal actions.
    public var optimalActionShare: Double
    /// The greedy policy's expected undiscounted return within the time limit from the start state
    /// (FrozenLake: its success rate, computed exactly, not sampled).
    public var greedyReturnWithinLimit: Double
    /// Mean return of the training episodes since the previous checkpoint (ε-greedy behaviour).
    public var meanTrainingReturn: Double
}

public struct TabularLearningResult: Sendable {
    /// Q(s, a) per state and available action (`mdp.actions[s]` order).
    public var q: [[Double]]
    public var episodeReturns: [Double]
    public var checkpoints: [TabularCheckpoint]
    public var greedyChoices: [Int]
    /// The optimal policy's expected undiscounted return within the time limit (the target of `greedyReturnWithinLimit`).
    public var optimalReturnWithinLimit: Double
    public var totalSteps: Int
}

/// Tabular Q-learning and SARSA with seeded ε-greedy exploration, compared with the dynamic-programming
/// optimum (value iteration on the same MDP) as training proceeds.
public enum TabularLearning {
    public static func train(_ mdp: MarkovDecisionProcess, settings: TabularLearningSettings,
                             optimum: [Double]? = nil) throws -> TabularLearningResult {
        require(settings.episodes > 0 && settings.checkpointEvery > 0, "TabularLearning: episodes and checkpointEvery must be positive")
        let vStar = try optimum ?? ValueIteration.run(mdp).values
        let optimalSets = GreedyPolicy.optimalChoiceSets(mdp, values: vStar, tolerance: 1e-6 * max(1, vStar.map(abs).max() ?? 1))
        let undiscounted = try mdp.withGamma(1)
        let optimalChoices = GreedyPolicy.choices(mdp, values: vStar)
        let optimalWithin = PolicyEvaluation.finiteHorizon(
            undiscounted, policy: .deterministic(mdp, choices: optimalChoices.map { max($0, 0) }), steps: settings.timeLimit)[mdp.startState]
        var rng = RandomGenerator(seed: settings.seed)
        var q = mdp.actions.map { Array(repeating: 0.0, count: $0.count) }
        var sampler = EpisodeSampler(mdp, timeLimit: settings.timeLimit)
        var returns: [Double] = [], checkpoints: [TabularCheckpoint] = []
        let alpha = settings.learningRate, gamma = mdp.gamma
        var totalSteps = 0
        let starts = (0..<mdp.stateCount).filter { !mdp.isTerminal[$0] }
        for episode in 0..<settings.episodes {
            let epsilon = settings.exploration.epsilon(episode: episode)
            var s = settings.exploringStarts ? sampler.reset(to: starts[rng.nextInt(below: starts.count)]) : sampler.reset()
            var total = 0.0
            var a = mdp.isTerminal[s] ? -1 : EpsilonGreedy.choose(q[s], epsilon: epsilon, rng: &rng)
            while a >= 0 {
                let step = sampler.step(choice: a, rng: &rng)
                totalSteps += 1
                total += step.reward
                let s2 = step.next
                var target = step.reward
                var a2 = -1
                if !step.terminated {
                    a2 = EpsilonGreedy.choose(q[s2], epsilon: epsilon, rng: &rng)
                    target += gamma * (settings.method == .qLearning ? q[s2].max()! : q[s2][a2])
                }
                q[s][a] += alpha * (target - q[s][a])
                if step.terminated || step.truncated { break }
                s = s2
                a = a2
            }
            returns.append(total)
            if (episode + 1) % settings.checkpointEvery == 0 || episode + 1 == settings.episodes {
                let recent = returns.suffix((episode + 1) - (checkpoints.last?.episode ?? 0))
                checkpoints.append(checkpoint(mdp, undiscounted: undiscounted, q: q, vStar: vStar, optimalSets: optimalSets,
                                              timeLimit: settings.timeLimit, episode: episode + 1,
                                              meanReturn: recent.reduce(0, +) / Double(recent.count)))
            }
        }
        return TabularLearningResult(q: q, episodeReturns: returns, checkpoints: checkpoints,
                                     greedyChoices: greedyChoices(q), optimalReturnWithinLimit: optimalWithin, totalSteps: totalSteps)
    }

    /// argmax per state (lowest index on ties; −1 for terminals).
    public static func greedyChoices(_ q: [[Double]]) -> [Int] {
        q.map { row in row.isEmpty ? -1 : row.firstIndex(of: row.max()!)! }
    }

    static func checkpoint(_ mdp: MarkovDecisionProcess, undiscounted: MarkovDecisionProcess, q: [[Double]], vStar: [Double],
                           optimalSets: [Set<Int>], timeLimit: Int, episode: Int, meanReturn: Double) -> TabularCheckpoint {
        let greedy = greedyChoices(q)
        let policy = Policy.deterministic(mdp, choices: greedy.map { max($0, 0) })
        // A greedy policy may never terminate (γ = 1 gridworld): a long finite horizon keeps this total.
        let horizon = mdp.gamma < 1 ? max(timeLimit, Int((log(1e-9) / log(mdp.gamma)).rounded(.up))) : 10 * timeLimit
        let v = PolicyEvaluation.finiteHorizon(mdp, policy: policy, steps: horizon)
        let nonTerminal = (0..<mdp.stateCount).filter { !mdp.isTerminal[$0] }
        let optimal = nonTerminal.filter { optimalSets[$0].contains(greedy[$0]) }.count
        let within = PolicyEvaluation.finiteHorizon(undiscounted, policy: policy, steps: timeLimit)[mdp.startState]
        return TabularCheckpoint(episode: episode, startValueGap: vStar[mdp.startState] - v[mdp.startState],
                                 optimalActionShare: Double(optimal) / Double(max(1, nonTerminal.count)),
                                 greedyReturnWithinLimit: within, meanTrainingReturn: meanReturn)
    }
}
