/// A seeded train/validation hold-out split of sample indices `0..<count`, shared by the
/// training utilities and ``ImageDataset/split`` (Datasets).
///
/// The indices are shuffled with ``RandomGenerator`` (PCG32) seeded by `seed`; the first
/// `round(count · validationFraction)` — at least one when the fraction is positive — go to
/// validation and the rest to training; both lists are then sorted, so the split depends only
/// on (count, fraction, seed).
public struct HoldOutSplit: Sendable, Equatable {
    /// Indices kept for training, ascending.
    public let training: [Int]
    /// Indices held out for validation, ascending (empty when the fraction is 0).
    public let validation: [Int]

    /// Splits `0..<count`. Throws ``HoldOutSplitError`` when `count` is negative, the fraction is outside
    /// [0, 1), or the split would leave no training index.
    public init(count: Int, validationFraction: Double, seed: UInt64) throws {
        guard count >= 0 else { throw HoldOutSplitError("hold-out split: count must be non-negative, got \(count)") }
        guard validationFraction >= 0, validationFraction < 1 else {
            throw HoldOutSplitError("validation fraction must be in [0, 1), got \(validationFraction)")
        }
        var n = Int((Double(count) * validationFraction).rounded())
        if validationFraction > 0 && count > 0 { n = max(1, n) }
        guard n < count || count == 0 else {
            throw HoldOutSplitError("a validation fraction of \(validationFraction) leaves no training data out of \(count) items")
        }
        var rng = RandomGenerator(seed: seed)
        let order = rng.permutation(count)
        validation = order[..<n].sorted()
        training = order[n...].sorted()
    }
}

/// A hold-out fraction that leaves one side of the split empty; the message names the flag.
public struct HoldOutSplitError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
