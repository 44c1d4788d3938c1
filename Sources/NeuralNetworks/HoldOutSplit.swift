/// A seeded train/validation hold-out split of sample indices `0..<count`.
///
/// The indices are shuffled with ``RandomGenerator`` (PCG32) seeded by `seed`, the first
/// `validationCount = round(count · validationFraction)` go to validation and the rest to
/// training; both lists are then sorted, so the split depends only on (count, fraction, seed).
public struct HoldOutSplit: Sendable, Equatable {
    public let training: [Int]
    public let validation: [Int]

    public init(count: Int, validationFraction: Double, seed: UInt64) {
        precondition(count >= 0, "HoldOutSplit: count must be non-negative, got \(count)")
        precondition(validationFraction >= 0 && validationFraction <= 1,
                     "HoldOutSplit: validationFraction must be in [0, 1], got \(validationFraction)")
        var rng = RandomGenerator(seed: seed)
        let order = rng.permutation(count)
        let validationCount = Int((Double(count) * validationFraction).rounded())
        validation = order[..<validationCount].sorted()
        training = order[validationCount...].sorted()
    }
}
