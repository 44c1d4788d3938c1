/// The result of value iteration.
public struct ValueIterationResult: Sendable {
    public var values: [Double]
    /// The greedy policy of `values` (choice indices into `mdp.actions[s]`).
    public var policy: [Int]
    public var sweeps: Int
    /// max_s |V_k(s) − V_{k−1}(s)| after each sweep.
    public var residuals: [Double]
    /// Value tables after the requested sweeps.
    public var snapshots: [Int: [Double]]
}

/// Value iteration (Sutton & Barto §4.4): repeated Bellman optimality backups
///
///     V(s) ← max_a [ r(s, a) + γ Σ_s′ p(s′|s, a) V(s′) ]
///
/// until a sweep changes no value by `theta` or more. Synchronous sweeps are a γ-contraction in the max
/// norm: ‖V_{k+1} − v*‖∞ ≤ γ ‖V_k − v*‖∞ (ReinforcementTheoryTests.testValueIterationContractsByGammaPerSweep).
public enum ValueIteration {
    public static func run(_ mdp: MarkovDecisionProcess, theta: Double = 1e-10, maxSweeps: Int = 100_000,
                           mode: SweepMode = .synchronous, initial: [Double]? = nil,
                           recordSweeps: Set<Int> = []) throws -> ValueIterationResult {
        var values = initial ?? Array(repeating: 0.0, count: mdp.stateCount)
        var residuals: [Double] = []
        var snapshots: [Int: [Double]] = recordSweeps.contains(0) ? [0: values] : [:]
        var worst = 0
        while residuals.count < maxSweeps {
            let (r, w) = sweep(mdp, mode: mode, values: &values)
            residuals.append(r)
            worst = w
            if recordSweeps.contains(residuals.count) { snapshots[residuals.count] = values }
            if r < theta {
                return ValueIterationResult(values: values, policy: GreedyPolicy.choices(mdp, values: values),
                                            sweeps: residuals.count, residuals: residuals, snapshots: snapshots)
            }
        }
        throw MDPError.valueIterationDidNotConverge(sweeps: residuals.count, residual: residuals.last ?? .infinity,
                                                    state: mdp.stateNames[worst])
    }

    /// One Bellman optimality sweep; returns the largest change and its state.
    @discardableResult
    public static func sweep(_ mdp: MarkovDecisionProcess, mode: SweepMode, values: inout [Double]) -> (residual: Double, state: Int) {
        let old = mode == .synchronous ? values : []
        var residual = 0.0, worst = 0
        for s in 0..<mdp.stateCount where !mdp.isTerminal[s] {
            var best = -Double.infinity
            for k in mdp.actions[s].indices {
                best = max(best, mdp.qValue(state: s, choice: k, values: mode == .synchronous ? old : values))
            }
            let change = abs(best - values[s])
            if change > residual { residual = change; worst = s }
            values[s] = best
        }
        return (residual, worst)
    }
}
