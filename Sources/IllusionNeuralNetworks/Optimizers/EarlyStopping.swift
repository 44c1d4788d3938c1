/// Stops training when a validation metric has not improved for `patience` consecutive epochs.
///
/// `mode` `.min` for losses (lower is better), `.max` for accuracies. An epoch improves when its
/// value beats the best so far by more than `minDelta` (NaN never improves). Call ``record(_:)``
/// once per epoch; save a checkpoint when it returns true; stop when ``shouldStop`` is true.
public struct EarlyStopping: Sendable {
    /// Which direction of the metric is better.
    public enum Mode: String, Sendable {
        /// Lower is better (losses, error rates).
        case min
        /// Higher is better (accuracies).
        case max
    }

    /// Epochs without improvement tolerated before shouldStop.
    public let patience: Int
    /// Whether lower or higher values are better.
    public let mode: Mode
    /// The margin by which a value must beat the best to count as an improvement.
    public let minDelta: Float
    /// Best value recorded so far (nil before the first record).
    public private(set) var bestValue: Float?
    /// 0-based index of the epoch that produced ``bestValue``.
    public private(set) var bestEpoch: Int?
    /// Epochs recorded so far.
    public private(set) var epochsRecorded = 0
    /// Consecutive epochs since the last improvement.
    public private(set) var epochsWithoutImprovement = 0

    /// Keras' `EarlyStopping(patience, mode, min_delta)`; `patience` must be ≥ 0.
    public init(patience: Int, mode: Mode = .min, minDelta: Float = 0) {
        require(patience >= 0, "EarlyStopping: patience must be non-negative, got \(patience)")
        require(minDelta >= 0, "EarlyStopping: minDelta must be non-negative, got \(minDelta)")
        self.patience = patience
        self.mode = mode
        self.minDelta = minDelta
    }

    /// Records one epoch's metric; returns true when it is a new best.
    @discardableResult
    public mutating func record(_ value: Float) -> Bool {
        defer { epochsRecorded += 1 }
        let improved: Bool
        if value.isNaN {
            improved = false
        } else if let best = bestValue {
            improved = mode == .min ? value < best - minDelta : value > best + minDelta
        } else {
            improved = true
        }
        if improved {
            bestValue = value
            bestEpoch = epochsRecorded
            epochsWithoutImprovement = 0
        } else {
            epochsWithoutImprovement += 1
        }
        return improved
    }

    /// True once `patience` epochs in a row have not improved (patience 0 stops at the first one).
    public var shouldStop: Bool { epochsWithoutImprovement >= Swift.max(patience, 1) }
}
