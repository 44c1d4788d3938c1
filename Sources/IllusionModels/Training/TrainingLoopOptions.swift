import Foundation

/// Learning-rate schedules of the shared loop, each applied per epoch to every optimizer from its
/// own initial rate η₀ (so a GAN's two rates keep their ratio).
public enum ScheduleKind: String, Codable, CaseIterable, Sendable {
    /// η₀ every epoch.
    case constant
    /// Cosine from η₀ at the first epoch to η₀/50 at the last (`CosineAnnealingLR`'s closed form).
    case cosine
    /// η₀ · 0.3^⌊e / (E/3)⌋: three plateaus (`StepLR`).
    case step

    /// The schedule for `epochs` epochs starting from `initial`.
    public func schedule(initial: Float, epochs: Int) -> LearningRateSchedule {
        switch self {
        case .constant: return ConstantLearningRate(initial)
        case .cosine: return CosineAnnealing(initial: initial, minimum: initial / 50, period: max(epochs - 1, 1))
        case .step: return StepDecay(initial: initial, stepSize: max(epochs / 3, 1), gamma: 0.3)
        }
    }
}

/// What the monitored value of ``EpochOutcome/monitored`` means.
public enum MonitorMode: String, Codable, Sendable {
    /// Lower is better (a validation loss).
    case minimum
    /// Higher is better (an accuracy).
    case maximum
}

/// The flags every trainer shares (config.json `training.loop`; absent in runs written before it
/// existed, which then mean the defaults). Per-workflow options keep `epochs` and `maxStepsPerEpoch`.
public struct TrainingLoopOptions: Codable, Equatable, Sendable {
    /// Write a resumable checkpoint every N optimisation steps (0: only at epoch ends).
    public var checkpointEvery: Int = 0
    /// Keep the newest N checkpoints in `checkpoints/` (the best one is kept besides).
    public var keepCheckpoints: Int = 2
    /// Clip the global gradient norm to this before every update (nil: never).
    public var clipGradNorm: Float?
    /// The learning-rate schedule (nil: the workflow's own default; constant for most).
    public var schedule: ScheduleKind?
    /// Stop after this many epochs without a better monitored value (0: never).
    public var patience: Int = 0
    /// Steps per step-level line in metrics.jsonl (0: epoch lines only).
    public var logEvery: Int = 0

    public init() {}

    enum CodingKeys: String, CodingKey { case checkpointEvery, keepCheckpoints, clipGradNorm, schedule, patience, logEvery }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        checkpointEvery = try c.decodeIfPresent(Int.self, forKey: .checkpointEvery) ?? 0
        keepCheckpoints = try c.decodeIfPresent(Int.self, forKey: .keepCheckpoints) ?? 2
        clipGradNorm = try c.decodeIfPresent(Float.self, forKey: .clipGradNorm)
        schedule = try c.decodeIfPresent(ScheduleKind.self, forKey: .schedule)
        patience = try c.decodeIfPresent(Int.self, forKey: .patience) ?? 0
        logEvery = try c.decodeIfPresent(Int.self, forKey: .logEvery) ?? 0
    }

    /// Checks every field; `source` names where the values came from ("--" flags or a config file).
    public func validate(source: String? = nil) throws {
        func fail(_ field: String, _ flag: String, _ expected: String, _ got: Any) -> ModelError {
            .invalidArgument(source.map { "\($0): training.loop.\(field) must be \(expected), got \(got)" }
                             ?? "--\(flag) must be \(expected), got \(got)")
        }
        guard checkpointEvery >= 0 else { throw fail("checkpointEvery", "checkpoint-every", "≥ 0", checkpointEvery) }
        guard keepCheckpoints >= 1 && keepCheckpoints <= 1000 else { throw fail("keepCheckpoints", "keep-checkpoints", "in 1…1000", keepCheckpoints) }
        if let c = clipGradNorm { guard c > 0 && c.isFinite else { throw fail("clipGradNorm", "clip-grad-norm", "a positive number", c) } }
        guard patience >= 0 else { throw fail("patience", "patience", "≥ 0", patience) }
        guard logEvery >= 0 else { throw fail("logEvery", "log-every", "≥ 0", logEvery) }
    }
}
