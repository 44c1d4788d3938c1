/// RMSProp (Tieleman & Hinton 2012) as `torch.optim.RMSprop` (defaults α = 0.99, ε = 1e-8):
///
///     g = g + λθ                                   (weight decay λ)
///     v = α·v + (1 − α)·g²                         (buffer `square_avg`)
///     centered:  ḡ = α·ḡ + (1 − α)·g,  a = √(v − ḡ²) + ε   (buffer `grad_avg`)
///     otherwise: a = √v + ε
///     momentum μ > 0:  b = μ·b + g/a,  θ = θ − η·b        (buffer `momentum_buffer`)
///     otherwise:       θ = θ − η·g/a
///
/// ``ParameterGroup``s give subsets of the parameters their own learning rate and weight decay.
public final class RMSProp: Optimizer {
    public let parameters: [Tensor]
    /// The parameter groups (one group holding every parameter unless created with `groups:`).
    public var groups: [ParameterGroup] { table.groups }
    let table: ParameterGroupTable
    public var learningRate: Float
    /// α: decay of the squared-gradient average (default 0.99).
    public var alpha: Float
    /// ε added to the root (default 1e-8).
    public var epsilon: Float
    /// μ of the momentum buffer (0 = none).
    public var momentum: Float
    /// Divide by the estimated standard deviation √(v − ḡ²) instead of the root mean square.
    public let centered: Bool
    /// L2 penalty λ added to the gradient.
    public var weightDecay: Float
    public private(set) var stepCount = 0
    var squareAverages: ParameterBuffers
    var gradientAverages: ParameterBuffers
    var momentumBuffers: ParameterBuffers

    /// `torch.optim.RMSprop(params, lr, alpha, eps, weight_decay, momentum, centered)` over one group.
    public convenience init(parameters: [Tensor], learningRate: Float = 0.01, alpha: Float = 0.99, epsilon: Float = 1e-8,
                            momentum: Float = 0, centered: Bool = false, weightDecay: Float = 0) {
        self.init(groups: [ParameterGroup(parameters: parameters)], learningRate: learningRate, alpha: alpha,
                  epsilon: epsilon, momentum: momentum, centered: centered, weightDecay: weightDecay)
    }

    /// RMSProp over parameter groups; `learningRate` and `weightDecay` apply to groups that set none.
    public init(groups: [ParameterGroup], learningRate: Float = 0.01, alpha: Float = 0.99, epsilon: Float = 1e-8,
                momentum: Float = 0, centered: Bool = false, weightDecay: Float = 0) {
        require(alpha >= 0 && alpha <= 1, "RMSProp: alpha must be in [0, 1], got \(alpha)")
        table = ParameterGroupTable(groups, learningRate: learningRate, optimizer: "RMSProp")
        parameters = table.parameters
        self.learningRate = learningRate
        self.alpha = alpha
        self.epsilon = epsilon
        self.momentum = momentum
        self.centered = centered
        self.weightDecay = weightDecay
        squareAverages = ParameterBuffers("square_avg", count: parameters.count)
        gradientAverages = ParameterBuffers("grad_avg", count: parameters.count)
        momentumBuffers = ParameterBuffers("momentum_buffer", count: parameters.count)
    }

    public func step() {
        stepCount += 1
        let a = alpha, eps = epsilon, mu = momentum, centered = centered
        for (i, p) in parameters.enumerated() {
            guard let grad = p.grad else { continue }
            require(grad.count == p.count, "RMSProp: gradient of \(grad.count) values for parameter of shape \(p.shape)")
            let lr = table.learningRate(i, current: learningRate), wd = table.weightDecay(i, current: weightDecay)
            let n = p.count
            squareAverages.allocate(i, count: n)
            if centered { gradientAverages.allocate(i, count: n) }
            if mu > 0 { momentumBuffers.allocate(i, count: n) }
            grad.withUnsafeBufferPointer { g in p.storage.withUnsafeMutableBufferPointer { w in
                squareAverages.values[i].withUnsafeMutableBufferPointer { v in
                    gradientAverages.values[i].withUnsafeMutableBufferPointer { gAvg in
                        momentumBuffers.values[i].withUnsafeMutableBufferPointer { b in
                            for j in 0..<n {
                                let d = g[j] + wd * w[j]
                                v[j] = a * v[j] + (1 - a) * d * d
                                var denominator: Float
                                if centered {
                                    gAvg[j] = a * gAvg[j] + (1 - a) * d
                                    denominator = (v[j] - gAvg[j] * gAvg[j]).squareRoot() + eps
                                } else {
                                    denominator = v[j].squareRoot() + eps
                                }
                                if mu > 0 {
                                    b[j] = mu * b[j] + d / denominator
                                    w[j] -= lr * b[j]
                                } else {
                                    w[j] -= lr * d / denominator
                                }
                            }
                        }
                    }
                }
            } }
        }
    }

    var activeBuffers: [ParameterBuffers] {
        [squareAverages] + (centered ? [gradientAverages] : []) + (momentum > 0 ? [momentumBuffers] : [])
    }

    public func state() -> [String: Tensor] {
        exportOptimizerState(parameters: parameters, stepCount: stepCount, buffers: activeBuffers)
    }

    public func loadState(_ state: [String: Tensor]) throws {
        let (step, values) = try importOptimizerState(state, parameters: parameters, buffers: activeBuffers)
        stepCount = step
        squareAverages.values = values[0]
        var k = 1
        if centered { gradientAverages.values = values[k]; k += 1 }
        if momentum > 0 { momentumBuffers.values = values[k] }
    }
}
