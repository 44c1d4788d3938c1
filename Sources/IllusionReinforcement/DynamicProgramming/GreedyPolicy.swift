/// Q-values, greedy policies and the Bellman optimality residual of a value table.
public enum GreedyPolicy {
    /// Two q-values closer than this (relative to their size) count as a tie.
    public static func tieTolerance(_ q: Double) -> Double { 1e-9 * max(1, abs(q)) }

    /// q(s, a) = r(s, a) + γ Σ p(s′|s, a) V(s′) for every state and available action (empty rows for terminals).
    public static func qValues(_ mdp: MarkovDecisionProcess, values: [Double]) -> [[Double]] {
        (0..<mdp.stateCount).map { s in mdp.actions[s].indices.map { mdp.qValue(state: s, choice: $0, values: values) } }
    }

    /// The greedy choice per state (index into `mdp.actions[s]`, −1 for terminals). Ties go to `keep[s]`
    /// when it is among the best (so policy iteration cannot cycle between equally good actions),
    /// else to the lowest index.
    public static func choices(_ mdp: MarkovDecisionProcess, values: [Double], keep: [Int]? = nil) -> [Int] {
        (0..<mdp.stateCount).map { s in
            guard !mdp.isTerminal[s] else { return -1 }
            let q = mdp.actions[s].indices.map { mdp.qValue(state: s, choice: $0, values: values) }
            let best = q.max()!
            if let keep, keep[s] >= 0, keep[s] < q.count, q[keep[s]] >= best - tieTolerance(best) { return keep[s] }
            return q.firstIndex { $0 >= best - tieTolerance(best) }!
        }
    }

    /// Every action index within the tie tolerance of the best q-value, per state.
    public static func optimalChoiceSets(_ mdp: MarkovDecisionProcess, values: [Double], tolerance: Double? = nil) -> [Set<Int>] {
        (0..<mdp.stateCount).map { s in
            guard !mdp.isTerminal[s] else { return [] }
            let q = mdp.actions[s].indices.map { mdp.qValue(state: s, choice: $0, values: values) }
            let best = q.max()!
            let tol = tolerance ?? tieTolerance(best)
            return Set(q.indices.filter { q[$0] >= best - tol })
        }
    }

    /// max_s | max_a q(s, a) − V(s) |: zero exactly at the optimal value function v*.
    public static func bellmanOptimalityResidual(_ mdp: MarkovDecisionProcess, values: [Double]) -> Double {
        var residual = 0.0
        for s in 0..<mdp.stateCount where !mdp.isTerminal[s] {
            let best = mdp.actions[s].indices.map { mdp.qValue(state: s, choice: $0, values: values) }.max()!
            residual = max(residual, abs(best - values[s]))
        }
        return residual
    }
}
