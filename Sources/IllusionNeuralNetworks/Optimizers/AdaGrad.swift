import Foundation

/// AdaGrad (Duchi et al. 2011) as `torch.optim.Adagrad`: per parameter θ with gradient g,
///
///     g = g + λθ                          (weight decay λ)
///     s = s + g²                          (buffer `sum`, starts at `initialAccumulator`)
///     η_t = η / (1 + (t − 1)·decay)       (learning-rate decay)
///     θ = θ − η_t · g / (√s + ε)          (ε = 1e-10 by default)
public final class AdaGrad: Optimizer {
    public let parameters: [Tensor]
    public var learningRate: Float
    public var learningRateDecay: Float
    public var weightDecay: Float
    public var epsilon: Float
    public let initialAccumulator: Float
    public private(set) var stepCount = 0
    var sums: ParameterBuffers

    public init(parameters: [Tensor], learningRate: Float = 0.01, learningRateDecay: Float = 0,
                weightDecay: Float = 0, initialAccumulator: Float = 0, epsilon: Float = 1e-10) {
        require(learningRate >= 0, "AdaGrad: learning rate must be non-negative, got \(learningRate)")
        self.parameters = parameters
        self.learningRate = learningRate
        self.learningRateDecay = learningRateDecay
        self.weightDecay = weightDecay
        self.initialAccumulator = initialAccumulator
        self.epsilon = epsilon
        sums = ParameterBuffers("sum", count: parameters.count)
    }

    public func step() {
        stepCount += 1
        let clr = learningRate / (1 + Float(stepCount - 1) * learningRateDecay)
        let wd = weightDecay, eps = epsilon
        for (i, p) in parameters.enumerated() {
            guard let grad = p.grad else { continue }
            require(grad.count == p.count, "AdaGrad: gradient of \(grad.count) values for parameter of shape \(p.shape)")
            sums.allocate(i, count: p.count, initial: initialAccumulator)
            grad.withUnsafeBufferPointer { g in p.storage.withUnsafeMutableBufferPointer { w in
                sums.values[i].withUnsafeMutableBufferPointer { s in
                    for j in 0..<w.count {
                        let d = g[j] + wd * w[j]
                        s[j] += d * d
                        w[j] -= clr * d / (s[j].squareRoot() + eps)
                    }
                }
            } }
        }
    }

    public func state() -> [String: Tensor] {
        exportOptimizerState(parameters: parameters, stepCount: stepCount, buffers: [sums])
    }

    public func loadState(_ state: [String: Tensor]) throws {
        let (step, values) = try importOptimizerState(state, parameters: parameters, buffers: [sums])
        stepCount = step
        sums.values = values[0]
    }
}
