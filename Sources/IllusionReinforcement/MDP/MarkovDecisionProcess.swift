/// One possible result of taking an action: the next state, its probability and the reward R(s, a, s′).
public struct Outcome: Sendable, Equatable {
    public var next: Int
    public var probability: Double
    public var reward: Double

    public init(next: Int, probability: Double, reward: Double) {
        self.next = next
        self.probability = probability
        self.reward = reward
    }
}

/// The dynamics of one (state, action) pair: p(s′, r | s, a) as a list of outcomes, plus a reward paid
/// on taking the action whatever happens next (`actionReward`, e.g. Jack's −$2 per car moved).
///
/// Environments whose outcomes depend only on an "afterstate" (Jack's cars after the overnight move)
/// assign the same `outcomes` array to many pairs; Swift arrays share their storage, so the table is
/// stored once per afterstate.
public struct ActionModel: Sendable {
    public var outcomes: [Outcome]
    public var actionReward: Double

    public init(outcomes: [Outcome], actionReward: Double = 0) {
        self.outcomes = outcomes
        self.actionReward = actionReward
    }
}

/// How a state index maps to a picture: a grid of `rows × columns` cells, state `s` at row `s / columns`,
/// column `s % columns`, row 0 drawn at the top. Actions may carry a direction (for arrows).
public struct GridLayout: Sendable, Equatable {
    public var rows: Int
    public var columns: Int
    public init(rows: Int, columns: Int) { self.rows = rows; self.columns = columns }
}

/// A direction on a grid picture: (row step, column step) with row steps pointing down.
public struct GridDirection: Sendable, Equatable {
    public var dRow: Int
    public var dColumn: Int
    public init(dRow: Int, dColumn: Int) { self.dRow = dRow; self.dColumn = dColumn }
    public static let up = GridDirection(dRow: -1, dColumn: 0)
    public static let down = GridDirection(dRow: 1, dColumn: 0)
    public static let left = GridDirection(dRow: 0, dColumn: -1)
    public static let right = GridDirection(dRow: 0, dColumn: 1)
}

/// A finite Markov decision process (S, A, P, R, γ).
///
/// - States are `0..<stateCount` with names; `isTerminal[s]` states have no actions and value 0
///   (reaching one ends the episode).
/// - Actions are global ids `0..<actionNames.count`; `actions[s]` lists the ids available in `s`
///   (non-empty for every non-terminal state) and `models[s][k]` is the dynamics of `actions[s][k]`.
/// - Every model's probabilities are non-negative and sum to 1 (checked by ``init(...)``).
///
/// Expected rewards r(s, a) = actionReward + Σ p·r are precomputed (`expectedRewards[s][k]`).
public struct MarkovDecisionProcess: Sendable {
    public let name: String
    public let stateNames: [String]
    public let actionNames: [String]
    public let actions: [[Int]]
    public let models: [[ActionModel]]
    public let isTerminal: [Bool]
    public let gamma: Double
    /// The state episodes start from (used for value gaps and sampling).
    public let startState: Int
    /// Optional picture layout and arrow direction per action id.
    public let layout: GridLayout?
    public let actionDirections: [GridDirection?]
    public let expectedRewards: [[Double]]

    public var stateCount: Int { stateNames.count }

    /// Checks the MDP and throws ``MDPError`` naming the state and action of the first problem.
    public init(name: String, stateNames: [String], actionNames: [String], actions: [[Int]], models: [[ActionModel]],
                isTerminal: [Bool], gamma: Double, startState: Int = 0, layout: GridLayout? = nil,
                actionDirections: [GridDirection?]? = nil, probabilityTolerance: Double = 1e-6) throws {
        let n = stateNames.count
        guard n > 0 else { throw MDPError.invalid("\(name): the MDP has no states") }
        guard gamma > 0 && gamma <= 1 else { throw MDPError.gammaOutOfRange(gamma) }
        guard actions.count == n, models.count == n, isTerminal.count == n else {
            throw MDPError.invalid("\(name): actions, models and terminal flags must have one entry per state (\(n))")
        }
        guard startState >= 0 && startState < n else { throw MDPError.invalid("\(name): start state \(startState) is not a state") }
        var expected: [[Double]] = []
        for s in 0..<n {
            if isTerminal[s] {
                guard actions[s].isEmpty else {
                    throw MDPError.invalid("\(name): terminal state '\(stateNames[s])' must not have actions")
                }
                expected.append([])
                continue
            }
            guard !actions[s].isEmpty else { throw MDPError.emptyActionSet(state: stateNames[s]) }
            guard models[s].count == actions[s].count else {
                throw MDPError.invalid("\(name): state '\(stateNames[s])' has \(actions[s].count) actions but \(models[s].count) models")
            }
            var row: [Double] = []
            for (k, a) in actions[s].enumerated() {
                guard a >= 0 && a < actionNames.count else {
                    throw MDPError.invalid("\(name): state '\(stateNames[s])' uses action id \(a), not one of the \(actionNames.count) actions")
                }
                let model = models[s][k]
                var total = 0.0, reward = model.actionReward
                for o in model.outcomes {
                    guard o.next >= 0 && o.next < n else {
                        throw MDPError.unknownState(state: stateNames[s], action: actionNames[a], next: "#\(o.next)")
                    }
                    guard o.probability >= 0 && o.probability.isFinite else {
                        throw MDPError.negativeProbability(state: stateNames[s], action: actionNames[a],
                                                           next: stateNames[o.next], probability: o.probability)
                    }
                    guard o.reward.isFinite else {
                        throw MDPError.invalid("\(name): state '\(stateNames[s])', action '\(actionNames[a])': reward is not finite")
                    }
                    total += o.probability
                    reward += o.probability * o.reward
                }
                guard abs(total - 1) <= probabilityTolerance else {
                    throw MDPError.probabilitiesDoNotSumToOne(state: stateNames[s], action: actionNames[a], sum: total)
                }
                row.append(reward)
            }
            expected.append(row)
        }
        if let layout, layout.rows * layout.columns != n {
            throw MDPError.invalid("\(name): grid \(layout.rows)x\(layout.columns) does not hold \(n) states")
        }
        self.name = name
        self.stateNames = stateNames
        self.actionNames = actionNames
        self.actions = actions
        self.models = models
        self.isTerminal = isTerminal
        self.gamma = gamma
        self.startState = startState
        self.layout = layout
        self.actionDirections = actionDirections ?? Array(repeating: nil, count: actionNames.count)
        self.expectedRewards = expected
    }

    /// The same MDP with another discount (throws when γ ∉ (0, 1]).
    public func withGamma(_ newGamma: Double) throws -> MarkovDecisionProcess {
        try MarkovDecisionProcess(name: name, stateNames: stateNames, actionNames: actionNames, actions: actions,
                                  models: models, isTerminal: isTerminal, gamma: newGamma, startState: startState,
                                  layout: layout, actionDirections: actionDirections)
    }

    /// One-step lookahead q(s, a) = r(s, a) + γ Σ p(s′|s, a) V(s′) for the k-th available action of s.
    @inlinable
    public func qValue(state s: Int, choice k: Int, values: [Double]) -> Double {
        var sum = 0.0
        for o in models[s][k].outcomes { sum += o.probability * values[o.next] }
        return expectedRewards[s][k] + gamma * sum
    }

    /// The index k of action id `a` among `actions[s]`, or nil.
    public func choiceIndex(state s: Int, action a: Int) -> Int? { actions[s].firstIndex(of: a) }
}
