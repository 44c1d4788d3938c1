import Foundation

/// A learning rate as a function of the (0-based) epoch. Apply one at the start of each epoch
/// with ``Optimizer/applySchedule(_:epoch:)``. Closed forms, so resuming at epoch e needs no state.
public protocol LearningRateSchedule {
    /// The rate for 0-based `epoch`.
    func learningRate(epoch: Int) -> Float
}

/// The same rate every epoch.
public struct ConstantLearningRate: LearningRateSchedule, Sendable {
    /// η₀.
    public var initial: Float
    /// Always `initial`.
    public init(_ initial: Float) { self.initial = initial }
    public func learningRate(epoch: Int) -> Float { initial }
}

/// η_e = η₀ · γ^⌊e / stepSize⌋ (`torch.optim.lr_scheduler.StepLR`).
public struct StepDecay: LearningRateSchedule, Sendable {
    /// η₀ for epochs 0..<stepSize.
    public var initial: Float
    /// Epochs per plateau.
    public var stepSize: Int
    /// Factor applied at the end of each plateau.
    public var gamma: Float
    /// `StepLR(step_size, gamma)` from `initial`.
    public init(initial: Float, stepSize: Int, gamma: Float = 0.1) {
        require(stepSize > 0, "StepDecay: stepSize must be positive, got \(stepSize)")
        self.initial = initial; self.stepSize = stepSize; self.gamma = gamma
    }
    public func learningRate(epoch: Int) -> Float {
        Float(Double(initial) * Foundation.pow(Double(gamma), Double(Swift.max(epoch, 0) / stepSize)))
    }
}

/// η_e = η₀ · γ^e (`torch.optim.lr_scheduler.ExponentialLR`).
public struct ExponentialDecay: LearningRateSchedule, Sendable {
    /// η₀ at epoch 0.
    public var initial: Float
    /// Factor per epoch (e.g. 0.95).
    public var gamma: Float
    /// `ExponentialLR(gamma)` from `initial`.
    public init(initial: Float, gamma: Float) { self.initial = initial; self.gamma = gamma }
    public func learningRate(epoch: Int) -> Float {
        Float(Double(initial) * Foundation.pow(Double(gamma), Double(Swift.max(epoch, 0))))
    }
}

/// η_e = η_min + ½(η₀ − η_min)(1 + cos(π·e / T)) (`CosineAnnealingLR`'s closed form, T = `period`):
/// η₀ at epoch 0, η_min at epoch T. Past T the cosine continues (rising again), as PyTorch's.
public struct CosineAnnealing: LearningRateSchedule, Sendable {
    /// η₀ at epoch 0 (the top of the cosine).
    public var initial: Float
    /// η_min at epoch T (PyTorch `eta_min`).
    public var minimum: Float
    /// T: epochs from η₀ down to η_min (PyTorch `T_max`).
    public var period: Int
    /// `CosineAnnealingLR(T_max=period, eta_min=minimum)` from `initial`.
    public init(initial: Float, minimum: Float = 0, period: Int) {
        require(period > 0, "CosineAnnealing: period must be positive, got \(period)")
        self.initial = initial; self.minimum = minimum; self.period = period
    }
    public func learningRate(epoch: Int) -> Float {
        let c = Foundation.cos(Double.pi * Double(Swift.max(epoch, 0)) / Double(period))
        return Float(Double(minimum) + 0.5 * Double(initial - minimum) * (1 + c))
    }
}
