import Foundation

/// Precision and recall for distributions (Kynkäänniemi et al. 2019) and density and coverage
/// (Naeem et al. 2020), from k-nearest-neighbour balls in a feature space; defined exactly as the
/// reference implementation `prdc` (PyPI, clovaai/generative-evaluation-prdc), checked against it
/// by a committed fixture (scripts/prdc_check.py):
///
///     r_i  = distance of real feature i to its k-th nearest other real feature; s_j the same among fakes
///     precision = (1/M) Σ_j [∃ i: d(real_i, fake_j) < r_i]       fakes inside the real manifold
///     recall    = (1/N) Σ_i [∃ j: d(real_i, fake_j) < s_j]       reals inside the fake manifold
///     density   = (1/(kM)) Σ_j Σ_i [d(real_i, fake_j) < r_i]     how many real balls hold each fake
///     coverage  = (1/N) Σ_i [min_j d(real_i, fake_j) < r_i]      real balls that hold any fake
///
/// Distances are decided exactly near each ball's edge (``FeatureRows``), so a fake that is a
/// real's k-th neighbour is outside its ball on every CPU, as in exact arithmetic.
///
/// Precision ≈ quality (are samples realistic?), recall ≈ diversity (is all of the data reached?);
/// density and coverage are the outlier-robust versions. The real–real values are the reference.
public struct ManifoldMetrics: Codable, Equatable, Sendable {
    public var precision: Double
    public var recall: Double
    public var density: Double
    public var coverage: Double
    public var k: Int

    /// The default neighbourhood size of both papers.
    public static let defaultK = 3

    public init(precision: Double, recall: Double, density: Double, coverage: Double, k: Int) {
        self.precision = precision; self.recall = recall; self.density = density; self.coverage = coverage; self.k = k
    }

    /// The four figures for `real` and `fake` features (each needs more than k rows).
    public static func compute(real: FeatureRows, fake: FeatureRows, k: Int = defaultK) throws -> ManifoldMetrics {
        guard k >= 1 else { throw ModelError.invalidArgument("precision/recall: k must be ≥ 1, got \(k)") }
        guard real.count > k, fake.count > k else {
            throw ModelError.invalidArgument("precision/recall with k = \(k) needs more than \(k) real and fake samples, got \(real.count) and \(fake.count)")
        }
        guard real.columns == fake.columns else {
            throw ModelError.invalidArgument("precision/recall: real features have \(real.columns) columns, fake \(fake.columns)")
        }
        let realRadii = real.kthNeighbourDistances(k: k), fakeRadii = fake.kthNeighbourDistances(k: k)
        var fakeInReal = [Bool](repeating: false, count: fake.count)   // precision
        var ballsHoldingFake = [Int](repeating: 0, count: fake.count)  // density
        var realInFake = [Bool](repeating: false, count: real.count)   // recall
        var realCovered = [Bool](repeating: false, count: real.count)  // coverage
        real.forEachDistanceBlock(to: fake) { start, d in
            let rows = d.count / fake.count
            for i in 0..<rows {
                let r = start + i
                var covered = false
                for j in 0..<fake.count {
                    let v = d[i * fake.count + j]
                    if real.isCloser(r, to: fake, j, approximate: v, than: realRadii[r]) {
                        fakeInReal[j] = true; ballsHoldingFake[j] += 1; covered = true
                    }
                    if real.isCloser(r, to: fake, j, approximate: v, than: fakeRadii[j]) { realInFake[r] = true }
                }
                realCovered[r] = covered  // min_j d < r_i: some fake inside the ball
            }
        }
        func share(_ flags: [Bool]) -> Double { Double(flags.filter { $0 }.count) / Double(flags.count) }
        return ManifoldMetrics(precision: share(fakeInReal), recall: share(realInFake),
                               density: Double(ballsHoldingFake.reduce(0, +)) / Double(k * fake.count),
                               coverage: share(realCovered), k: k)
    }
}
