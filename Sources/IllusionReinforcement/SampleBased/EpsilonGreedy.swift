/// ε-greedy action selection over one state's q-values: with probability ε a uniformly random action,
/// otherwise a best one (ties broken uniformly at random, so an all-zero table does not always pick
/// the first action). ε follows a linear schedule from `start` to `end` over `decayEpisodes` episodes.
public struct EpsilonGreedy: Sendable, Equatable {
    public var start: Double
    public var end: Double
    public var decayEpisodes: Int

    public init(start: Double = 1, end: Double = 0.05, decayEpisodes: Int = 1000) {
        self.start = start
        self.end = end
        self.decayEpisodes = decayEpisodes
    }

    /// A constant ε.
    public static func constant(_ epsilon: Double) -> EpsilonGreedy { EpsilonGreedy(start: epsilon, end: epsilon, decayEpisodes: 1) }

    /// ε for episode `e` (0-based).
    public func epsilon(episode e: Int) -> Double {
        guard decayEpisodes > 0, e < decayEpisodes else { return end }
        return start + (end - start) * Double(e) / Double(decayEpisodes)
    }

    /// Picks an index into `q`.
    public static func choose(_ q: [Double], epsilon: Double, rng: inout RandomGenerator) -> Int {
        if rng.nextDouble() < epsilon { return rng.nextInt(below: q.count) }
        let best = q.max()!
        let ties = q.indices.filter { q[$0] == best }
        return ties.count == 1 ? ties[0] : ties[rng.nextInt(below: ties.count)]
    }
}
