/// How a sweep updates the value table.
public enum SweepMode: String, Sendable, CaseIterable {
    /// V_{k+1}(s) from V_k only (two arrays; Sutton & Barto's Figure 4.1 panels are these sweeps).
    case synchronous
    /// Gauss–Seidel: each state's new value is used at once by the states after it (usually fewer sweeps).
    case inPlace = "in-place"
}

/// The result of iterative policy evaluation.
public struct EvaluationResult: Sendable {
    /// v_π (the last sweep's table).
    public var values: [Double]
    /// Sweeps performed.
    public var sweeps: Int
    /// max_s |V_k(s) − V_{k−1}(s)| of the last sweep.
    public var residual: Double
    /// Value tables recorded after the requested sweeps (sweep number → table; 0 is the initial table).
    public var snapshots: [Int: [Double]]
}

/// Iterative policy evaluation (Sutton & Barto §4.1): repeated Bellman expectation backups
///
///     V(s) ← Σ_a π(a|s) [ r(s, a) + γ Σ_s′ p(s′|s, a) V(s′) ]
///
/// until the largest change of a sweep is below `theta`. Terminal states keep value 0.
public enum PolicyEvaluation {
    /// Throws ``MDPError/evaluationDidNotConverge`` after `maxSweeps` sweeps without convergence
    /// (e.g. γ = 1 and a policy that never reaches a terminal state: its values run off to −∞).
    public static func evaluate(_ mdp: MarkovDecisionProcess, policy: Policy, mode: SweepMode = .inPlace,
                                theta: Double = 1e-10, maxSweeps: Int = 100_000, initial: [Double]? = nil,
                                recordSweeps: Set<Int> = []) throws -> EvaluationResult {
        require(policy.probabilities.count == mdp.stateCount, "PolicyEvaluation: policy has \(policy.probabilities.count) rows for \(mdp.stateCount) states")
        var values = initial ?? Array(repeating: 0.0, count: mdp.stateCount)
        require(values.count == mdp.stateCount, "PolicyEvaluation: initial table has \(values.count) values for \(mdp.stateCount) states")
        var snapshots: [Int: [Double]] = recordSweeps.contains(0) ? [0: values] : [:]
        var residual = Double.infinity, worst = 0
        var sweeps = 0
        while sweeps < maxSweeps {
            (residual, worst) = sweep(mdp, policy: policy, mode: mode, values: &values)
            sweeps += 1
            if recordSweeps.contains(sweeps) { snapshots[sweeps] = values }
            if residual < theta { return EvaluationResult(values: values, sweeps: sweeps, residual: residual, snapshots: snapshots) }
        }
        let k = policy.choices[worst]
        throw MDPError.evaluationDidNotConverge(sweeps: sweeps, residual: residual, state: mdp.stateNames[worst],
                                                action: k < 0 ? "-" : mdp.actionNames[mdp.actions[worst][k]], gamma: mdp.gamma)
    }

    /// Exactly `steps` synchronous sweeps from V = 0 with the MDP's own γ: the expected return of the
    /// first `steps` steps (with FrozenLake's reward, the probability of reaching the goal within them).
    public static func finiteHorizon(_ mdp: MarkovDecisionProcess, policy: Policy, steps: Int) -> [Double] {
        var values = Array(repeating: 0.0, count: mdp.stateCount)
        for _ in 0..<steps { _ = sweep(mdp, policy: policy, mode: .synchronous, values: &values) }
        return values
    }

    /// One sweep; returns the largest change and the state where it happened.
    @discardableResult
    public static func sweep(_ mdp: MarkovDecisionProcess, policy: Policy, mode: SweepMode,
                             values: inout [Double]) -> (residual: Double, state: Int) {
        let old = mode == .synchronous ? values : []
        var residual = 0.0, worst = 0
        for s in 0..<mdp.stateCount where !mdp.isTerminal[s] {
            var v = 0.0
            for (k, p) in policy.probabilities[s].enumerated() where p > 0 {
                v += p * mdp.qValue(state: s, choice: k, values: mode == .synchronous ? old : values)
            }
            let change = abs(v - values[s])
            if change > residual { residual = change; worst = s }
            values[s] = v
        }
        return (residual, worst)
    }
}
