/// Stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight decay,
/// in PyTorch's formulation (`torch.optim.SGD`).
///
/// Full-batch gradient descent and mini-batch SGD are the same update — the difference is only
/// how many samples the loss (and so the gradient) covers. Per parameter θ with gradient g:
///
///     d = g + λθ                                  (weight decay λ)
///     b = d on the first step, else μ·b + (1 − τ)·d   (momentum μ, dampening τ; buffer `momentum_buffer`)
///     d = d + μ·b  (Nesterov)   or   d = b  (classical momentum)   (only when μ ≠ 0)
///     θ = θ − η·d
///
/// ``ParameterGroup``s give subsets of the parameters their own learning rate and weight decay.
public final class SGD: Optimizer {
    public let parameters: [Tensor]
    /// The parameter groups (one group holding every parameter unless created with `groups:`).
    public var groups: [ParameterGroup] { table.groups }
    let table: ParameterGroupTable
    public var learningRate: Float
    /// μ (0 = plain SGD).
    public var momentum: Float
    /// τ: the share of the new gradient left out of the momentum buffer.
    public var dampening: Float
    /// Nesterov's look-ahead form of momentum (needs μ > 0 and τ = 0, as PyTorch checks).
    public var nesterov: Bool
    /// L2 penalty λ added to the gradient.
    public var weightDecay: Float
    public private(set) var stepCount = 0
    var momentumBuffers: ParameterBuffers

    /// `torch.optim.SGD(params, lr, momentum, dampening, weight_decay, nesterov)` over one group.
    public convenience init(parameters: [Tensor], learningRate: Float, momentum: Float = 0, dampening: Float = 0,
                            nesterov: Bool = false, weightDecay: Float = 0) {
        self.init(groups: [ParameterGroup(parameters: parameters)], learningRate: learningRate, momentum: momentum,
                  dampening: dampening, nesterov: nesterov, weightDecay: weightDecay)
    }

    /// SGD over parameter groups; `learningRate` and `weightDecay` apply to groups that set none.
    public init(groups: [ParameterGroup], learningRate: Float, momentum: Float = 0, dampening: Float = 0,
                nesterov: Bool = false, weightDecay: Float = 0) {
        table = ParameterGroupTable(groups, learningRate: learningRate, optimizer: "SGD")
        require(momentum >= 0, "SGD: momentum must be non-negative, got \(momentum)")
        require(!nesterov || (momentum > 0 && dampening == 0),
                     "SGD: Nesterov momentum needs momentum > 0 and zero dampening (got \(momentum), \(dampening))")
        parameters = table.parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        self.weightDecay = weightDecay
        momentumBuffers = ParameterBuffers("momentum_buffer", count: parameters.count)
    }

    public func step() {
        stepCount += 1
        let mu = momentum, keep = 1 - dampening, nesterov = nesterov
        for (i, p) in parameters.enumerated() {
            guard let grad = p.grad else { continue }
            require(grad.count == p.count, "SGD: gradient of \(grad.count) values for parameter of shape \(p.shape)")
            let lr = table.learningRate(i, current: learningRate), wd = table.weightDecay(i, current: weightDecay)
            grad.withUnsafeBufferPointer { g in p.storage.withUnsafeMutableBufferPointer { w in
                if mu == 0 {
                    for j in 0..<w.count { w[j] -= lr * (g[j] + wd * w[j]) }
                    return
                }
                let first = momentumBuffers.allocate(i, count: w.count)
                momentumBuffers.values[i].withUnsafeMutableBufferPointer { b in
                    for j in 0..<w.count {
                        let d = g[j] + wd * w[j]
                        b[j] = first ? d : mu * b[j] + keep * d
                        w[j] -= lr * (nesterov ? d + mu * b[j] : b[j])
                    }
                }
            } }
        }
    }

    public func state() -> [String: Tensor] {
        exportOptimizerState(parameters: parameters, stepCount: stepCount, buffers: activeBuffers)
    }

    public func loadState(_ state: [String: Tensor]) throws {
        let (step, values) = try importOptimizerState(state, parameters: parameters, buffers: activeBuffers)
        stepCount = step
        if momentum != 0 { momentumBuffers.values = values[0] }
    }

    var activeBuffers: [ParameterBuffers] { momentum != 0 ? [momentumBuffers] : [] }
}
