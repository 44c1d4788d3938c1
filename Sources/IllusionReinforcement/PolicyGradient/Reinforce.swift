import Foundation

public struct ReinforceSettings: Sendable {
    /// Budget: at most this many training episodes.
    public var episodes = 3000
    public var hidden = [64]
    public var learningRate: Float = 0.005
    public var baselineLearningRate: Float = 0.005
    public var gamma = 0.99
    /// Episodes per gradient step (their steps are one batch).
    public var episodesPerUpdate = 1
    /// Stop once the mean return of the last `solvedWindow` episodes reaches `solvedThreshold`.
    public var solvedThreshold = 475.0
    public var solvedWindow = 100
    public var stopWhenSolved = true
    /// After training, this many further episodes with the final (stochastic) policy and no updates.
    public var evaluationEpisodes = 100
    public var seed: UInt64 = 0
    public init() {}
}

public struct ReinforceResult: Sendable {
    public var episodeReturns: [Double]
    /// Mean return of the last `solvedWindow` episodes after each episode (over fewer at the start).
    public var movingAverage: [Double]
    /// The first episode (1-based) at which the moving average of the last `solvedWindow` episodes
    /// reached the threshold; nil when the budget ran out first.
    public var solvedAtEpisode: Int?
    public var updates: Int
    public var totalSteps: Int
    /// Returns of `evaluationEpisodes` fresh episodes of the final policy (sampled actions, no learning).
    public var evaluationReturns: [Double]
}

/// REINFORCE with a learned baseline (Williams 1992; Sutton & Barto §13.4) on ``CartPole``.
///
/// Each update collects `episodesPerUpdate` episodes with the stochastic policy π(a|s) = softmax(MLP(s)),
/// computes the discounted returns G_t, and descends on
///
///     L_π = −(1/T) Σ_t Â_t log π(a_t|s_t),   Â = normalise(G_t − b(s_t))     (policy, our Adam)
///     L_b = (1/T) Σ_t (b(s_t) − G_t/scale)²                                 (baseline MLP, our Adam)
///
/// through the autograd tape (one batched forward/backward per update). Truncated episodes (500 steps)
/// are treated as ended. `scale` = 1/(1 − γ) keeps the baseline's targets near 1.
public enum Reinforce {
    public static func train(settings: ReinforceSettings, progress: ((Int, Double, Double) -> Void)? = nil) -> ReinforceResult {
        var rng = RandomGenerator(seed: settings.seed)
        let policy = MLPPolicy(sizes: [4] + settings.hidden + [2], rng: &rng)
        let baseline = MLPPolicy(sizes: [4] + settings.hidden + [1], rng: &rng)
        let policyOptimizer = Adam(parameters: policy.parameters, learningRate: settings.learningRate)
        let baselineOptimizer = Adam(parameters: baseline.parameters, learningRate: settings.baselineLearningRate)
        var env = CartPole()
        var returns: [Double] = [], averages: [Double] = []
        var solvedAt: Int?
        var updates = 0, totalSteps = 0
        let scale = Float(1 / (1 - settings.gamma))
        while returns.count < settings.episodes {
            var states: [Float] = [], actions: [Int] = [], targets: [Float] = []
            for _ in 0..<settings.episodesPerUpdate where returns.count < settings.episodes {
                let run = episode(policy, env: &env, rng: &rng)
                states += run.states
                actions += run.actions
                // CartPole pays 1 per step, the terminating one included.
                let rewards = [Double](repeating: 1, count: run.count)
                totalSteps += rewards.count
                var g = 0.0, episodeTargets = [Float](repeating: 0, count: rewards.count)
                for t in stride(from: rewards.count - 1, through: 0, by: -1) {
                    g = rewards[t] + settings.gamma * g
                    episodeTargets[t] = Float(g)
                }
                targets += episodeTargets
                returns.append(rewards.reduce(0, +))
                let window = returns.suffix(settings.solvedWindow)
                averages.append(window.reduce(0, +) / Double(window.count))
                if solvedAt == nil, returns.count >= settings.solvedWindow, averages.last! >= settings.solvedThreshold {
                    solvedAt = returns.count
                }
                progress?(returns.count, returns.last!, averages.last!)
            }
            if settings.stopWhenSolved, solvedAt != nil { break }
            update(policy: policy, baseline: baseline, policyOptimizer: policyOptimizer, baselineOptimizer: baselineOptimizer,
                   states: states, actions: actions, returns: targets, scale: scale)
            updates += 1
        }
        let evaluation = (0..<settings.evaluationEpisodes).map { _ in Double(episode(policy, env: &env, rng: &rng).count) }
        return ReinforceResult(episodeReturns: returns, movingAverage: averages, solvedAtEpisode: solvedAt,
                               updates: updates, totalSteps: totalSteps, evaluationReturns: evaluation)
    }

    /// One episode with actions sampled from the policy: the states visited (as Float) and actions taken.
    static func episode(_ policy: MLPPolicy, env: inout CartPole, rng: inout RandomGenerator) -> (states: [Float], actions: [Int], count: Int) {
        var s = env.reset(rng: &rng)
        var states: [Float] = [], actions: [Int] = []
        while true {
            let x = s.map { Float($0) }
            let p = policy.actionProbabilities(x)
            let a = Float(rng.nextDouble()) < p[0] ? 0 : 1
            states += x
            actions.append(a)
            let step = env.step(a)
            s = step.state
            if step.terminated || step.truncated { return (states, actions, actions.count) }
        }
    }

    /// One gradient step on both networks from a batch of T steps.
    /// states: [T·4], actions: [T], returns: [T] (discounted G_t).
    static func update(policy: MLPPolicy, baseline: MLPPolicy, policyOptimizer: Adam, baselineOptimizer: Adam,
                       states: [Float], actions: [Int], returns: [Float], scale: Float) {
        let t = actions.count
        let x = Tensor(shape: [t, 4], storage: states)
        // Baseline: b(s) in units of `scale`.
        baselineOptimizer.zeroGrad()
        let b = baseline(x).reshaped([t])                                   // [T]
        let target = Tensor(shape: [t], storage: returns.map { $0 / scale })
        let baselineLoss = (b - target).squared().mean()
        baselineLoss.backward()
        baselineOptimizer.step()
        // Advantages from the baseline before its step (detached), normalised over the batch.
        var advantage = zip(returns, b.storage).map { $0 - $1 * scale }
        let mean = advantage.reduce(0, +) / Float(t)
        let std = (advantage.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(t)).squareRoot()
        advantage = advantage.map { ($0 - mean) / (std + 1e-8) }
        // Policy: −mean Â_t log π(a_t|s_t), the log-probability picked by a one-hot mask.
        policyOptimizer.zeroGrad()
        let logp = policy(x).logSoftmax()                                   // [T, 2]
        var weights = [Float](repeating: 0, count: 2 * t)
        for i in 0..<t { weights[2 * i + actions[i]] = -advantage[i] / Float(t) }
        let policyLoss = (logp * Tensor(shape: [t, 2], storage: weights)).sum()
        policyLoss.backward()
        policyOptimizer.step()
    }
}
