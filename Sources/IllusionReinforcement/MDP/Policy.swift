/// A policy π(a | s): for each state, one probability per available action (`mdp.actions[s]` order).
/// Terminal states have an empty row. Deterministic policies have a single 1 per row.
public struct Policy: Sendable, Equatable {
    public var probabilities: [[Double]]

    public init(probabilities: [[Double]]) { self.probabilities = probabilities }

    /// The equiprobable random policy (Sutton & Barto's π for Figure 4.1).
    public static func uniform(_ mdp: MarkovDecisionProcess) -> Policy {
        Policy(probabilities: mdp.actions.map { a in a.isEmpty ? [] : Array(repeating: 1 / Double(a.count), count: a.count) })
    }

    /// A deterministic policy from the chosen index k (into `mdp.actions[s]`) per state; terminal states ignore theirs.
    public static func deterministic(_ mdp: MarkovDecisionProcess, choices: [Int]) -> Policy {
        require(choices.count == mdp.stateCount, "Policy.deterministic: \(choices.count) choices for \(mdp.stateCount) states")
        return Policy(probabilities: (0..<mdp.stateCount).map { s in
            let n = mdp.actions[s].count
            guard n > 0 else { return [] }
            require(choices[s] >= 0 && choices[s] < n, "Policy.deterministic: choice \(choices[s]) out of range in state \(s)")
            var row = Array(repeating: 0.0, count: n)
            row[choices[s]] = 1
            return row
        })
    }

    /// The most likely choice index per state (−1 for terminal states); ties go to the lowest index.
    public var choices: [Int] {
        probabilities.map { row in
            guard var best = row.indices.first else { return -1 }
            for k in row.indices where row[k] > row[best] { best = k }
            return best
        }
    }

    /// The most likely action id per state (−1 for terminal states).
    public func actionIDs(_ mdp: MarkovDecisionProcess) -> [Int] {
        choices.enumerated().map { s, k in k < 0 ? -1 : mdp.actions[s][k] }
    }
}
