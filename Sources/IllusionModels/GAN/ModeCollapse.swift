import Foundation

/// Cheap alarms for the two classic GAN failures, checked after every epoch:
///
/// - **discriminator collapse**: D's loss −E[log D(x)] − E[log(1 − D(G(z)))] falls towards 0, i.e. D
///   separates real from generated almost perfectly (at the game's equilibrium it is 2 ln 2 ≈ 1.386);
///   the generator then learns little (with the minimax loss its gradient vanishes);
/// - **mode collapse**: the generator maps different noise to (nearly) the same image. Measured as the
///   mean pairwise Euclidean distance of a fixed-noise batch divided by that of a batch of real images
///   (≈ 1 for a diverse generator, → 0 when it collapses).
public enum ModeCollapse {
    /// Warn when the epoch's mean discriminator loss is below this (nats; equilibrium 1.386).
    public static let discriminatorLossThreshold = 0.05
    /// Warn when generated diversity is below this fraction of the data's.
    public static let diversityRatioThreshold = 0.25

    /// Mean Euclidean distance over all pairs i < j of the rows of `x` `[N, …]` (0 for N < 2).
    public static func meanPairwiseDistance(_ x: Tensor) -> Double {
        let n = x.shape[0]
        guard n >= 2 else { return 0 }
        let d = x.count / n
        var total = 0.0
        x.storage.withUnsafeBufferPointer { p in
            for i in 0..<n {
                for j in (i + 1)..<n {
                    var s = 0.0
                    for k in 0..<d { let v = Double(p[i * d + k]) - Double(p[j * d + k]); s += v * v }
                    total += s.squareRoot()
                }
            }
        }
        return total / Double(n * (n - 1) / 2)
    }

    /// Mean of ``meanPairwiseDistance(_:)`` within consecutive groups of `groupSize` rows (e.g. one class each).
    public static func meanWithinGroupDistance(_ x: Tensor, groupSize: Int) -> Double {
        let n = x.shape[0]
        guard groupSize >= 2, n >= groupSize else { return meanPairwiseDistance(x) }
        let groups = n / groupSize
        return (0..<groups).map { meanPairwiseDistance(x.batch(($0 * groupSize)..<(($0 + 1) * groupSize))) }
            .reduce(0, +) / Double(groups)
    }

    /// Generated versus real diversity.
    public struct DiversityCheck: Equatable {
        public var generated: Double
        public var real: Double
        public var ratio: Double { real > 0 ? generated / real : 0 }
        public var collapsed: Bool { ratio < ModeCollapse.diversityRatioThreshold }
        public init(generated: Double, real: Double) { self.generated = generated; self.real = real }
    }

    /// The stderr warning for a collapsed diversity check (nil when healthy).
    public static func modeCollapseWarning(_ check: DiversityCheck, epoch: Int) -> String? {
        guard check.collapsed else { return nil }
        return String(format: "warning: possible mode collapse at epoch %d: the fixed-noise samples' mean pairwise distance is %.3f, %.0f%% of the data's %.3f (threshold %.0f%%); the generator maps different noise to nearly the same image. Look at samples.png; try a lower learning rate, a smaller batch, or restarting with another --seed.",
                      epoch, check.generated, 100 * check.ratio, check.real, 100 * diversityRatioThreshold)
    }

    /// The stderr warning for a discriminator whose loss fell towards 0 (nil when healthy).
    public static func discriminatorCollapseWarning(meanLoss: Double, meanFakeProbability: Double, epoch: Int,
                                                    generatorLoss: GeneratorLossKind) -> String? {
        guard meanLoss < discriminatorLossThreshold else { return nil }
        let why = generatorLoss == .minimax
            ? "with the minimax generator loss its gradient −D(G(z)) is now ≈ 0, so the generator has stopped learning (use the default non-saturating loss)"
            : "the generator is losing the game and may not recover"
        return String(format: "warning: the discriminator's loss collapsed towards 0 at epoch %d (%.4f nats; equilibrium 2 ln 2 = 1.386): D(G(z)) ≈ %.4f, D tells generated from real almost perfectly; ",
                      epoch, meanLoss, meanFakeProbability)
            + why + ". Look at samples.png; consider a lower discriminator learning rate or restarting with another --seed."
    }
}
