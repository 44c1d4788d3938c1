/// The result of policy iteration: the sequence of policies π₀, π₁, … and their values.
public struct PolicyIterationResult: Sendable {
    /// π₀ … π_K; the last one is stable (greedy with respect to its own values) and optimal.
    public var policies: [Policy]
    /// v_{π_k} for each policy.
    public var values: [[Double]]
    /// Evaluation sweeps spent on each policy.
    public var evaluationSweeps: [Int]
    /// States whose action changed in each improvement step (the last entry is 0).
    public var changedStates: [Int]
    /// min_s (v_{π_{k+1}}(s) − v_{π_k}(s)) per improvement: ≥ 0 (up to θ) by the policy improvement theorem.
    public var smallestGains: [Double]
    /// max_s (v_{π_{k+1}}(s) − v_{π_k}(s)) per improvement: > 0 while the policy changes.
    public var largestGains: [Double]

    /// Number of improvement steps that changed the policy (π₀ → … → π_K takes K).
    public var improvements: Int { policies.count - 1 }
    public var finalPolicy: [Int] { policies.last!.choices }
    public var finalValues: [Double] { values.last! }
}

/// Policy iteration (Sutton & Barto §4.3): evaluate π_k, make it greedy (π_{k+1}), stop when the greedy
/// policy is π_k itself. It terminates because there are finitely many deterministic policies and each
/// step is a strict improvement until the policy is stable (ties keep the current action, so it cannot cycle).
public enum PolicyIteration {
    /// `initial`: π₀ (default: the uniform random policy). Evaluations warm-start from the previous values.
    public static func run(_ mdp: MarkovDecisionProcess, initial: Policy? = nil, theta: Double = 1e-10,
                           maxSweeps: Int = 100_000, maxIterations: Int = 1000,
                           mode: SweepMode = .inPlace) throws -> PolicyIterationResult {
        var policy = initial ?? Policy.uniform(mdp)
        var evaluation = try PolicyEvaluation.evaluate(mdp, policy: policy, mode: mode, theta: theta, maxSweeps: maxSweeps)
        var result = PolicyIterationResult(policies: [policy], values: [evaluation.values], evaluationSweeps: [evaluation.sweeps],
                                           changedStates: [], smallestGains: [], largestGains: [])
        let stochastic = policy.probabilities.contains { $0.filter { $0 > 0 }.count > 1 }
        var current: [Int]? = stochastic ? nil : policy.choices
        for _ in 0..<maxIterations {
            let greedy = GreedyPolicy.choices(mdp, values: evaluation.values, keep: current)
            let changed = current.map { c in zip(c, greedy).filter { $0 != $1 }.count } ?? mdp.isTerminal.filter { !$0 }.count
            result.changedStates.append(changed)
            if changed == 0 { return result }
            policy = Policy.deterministic(mdp, choices: greedy.map { max($0, 0) })
            let previous = evaluation.values
            evaluation = try PolicyEvaluation.evaluate(mdp, policy: policy, mode: mode, theta: theta, maxSweeps: maxSweeps,
                                                  initial: previous)
            result.policies.append(policy)
            result.values.append(evaluation.values)
            result.evaluationSweeps.append(evaluation.sweeps)
            let gains = zip(evaluation.values, previous).map { $0 - $1 }
            result.smallestGains.append(gains.min() ?? 0)
            result.largestGains.append(gains.max() ?? 0)
            current = greedy
        }
        throw MDPError.invalid("policy iteration: no stable policy after \(maxIterations) improvements")
    }
}
