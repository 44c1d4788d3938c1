/// Samples a finite MDP step by step (for the sample-based agents and for replaying Gymnasium):
/// draws the next state from p(· | s, a) with our seeded generator. An optional time limit truncates
/// episodes as Gymnasium's TimeLimit wrapper does.
public struct EpisodeSampler: Sendable {
    public let mdp: MarkovDecisionProcess
    public var timeLimit: Int?
    public private(set) var state: Int
    public private(set) var steps = 0

    public init(_ mdp: MarkovDecisionProcess, timeLimit: Int? = nil) {
        self.mdp = mdp
        self.timeLimit = timeLimit
        state = mdp.startState
    }

    @discardableResult
    public mutating func reset() -> Int {
        state = mdp.startState
        steps = 0
        return state
    }

    /// Starts an episode in a given state.
    @discardableResult
    public mutating func reset(to start: Int) -> Int {
        require(start >= 0 && start < mdp.stateCount, "EpisodeSampler.reset: no state \(start)")
        state = start
        steps = 0
        return state
    }

    /// Takes the k-th available action of the current state (`mdp.actions[state][k]`).
    public mutating func step(choice k: Int, rng: inout RandomGenerator)
        -> (next: Int, reward: Double, terminated: Bool, truncated: Bool) {
        let model = mdp.models[state][k]
        let u = rng.nextDouble()
        var acc = 0.0, pick = model.outcomes[model.outcomes.count - 1]
        for o in model.outcomes {
            acc += o.probability
            if u < acc { pick = o; break }
        }
        state = pick.next
        steps += 1
        let terminated = mdp.isTerminal[state]
        let truncated = !terminated && timeLimit.map { steps >= $0 } == true
        return (state, model.actionReward + pick.reward, terminated, truncated)
    }
}
