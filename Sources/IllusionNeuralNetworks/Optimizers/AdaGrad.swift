import Foundation

/// AdaGrad (Duchi et al. 2011) as `torch.optim.Adagrad`: per parameter θ with gradient g,
///
///     g = g + λθ                          (weight decay λ)
///     s = s + g²                          (buffer `sum`, starts at `initialAccumulator`)
///     η_t = η / (1 + (t − 1)·decay)       (learning-rate decay)
///     θ = θ − η_t · g / (√s + ε)          (ε = 1e-10 by default)
///
/// t counts the steps *this parameter* has taken, as PyTorch's per-parameter `state['step']`: a
/// parameter skipped by a step (nil gradient) keeps its own count, so its decay does not advance.
/// The counts are saved as scalars `step.<index>` beside `sum.<index>`; a state from before they
/// existed (only the global `step`) loads with every parameter that has a `sum` at the global count.
///
/// ``ParameterGroup``s give subsets of the parameters their own learning rate and weight decay.
public final class AdaGrad: Optimizer {
    public let parameters: [Tensor]
    /// The parameter groups (one group holding every parameter unless created with `groups:`).
    public var groups: [ParameterGroup] { table.groups }
    let table: ParameterGroupTable
    public var learningRate: Float
    /// The decay of η_t = η / (1 + (t − 1)·decay) (PyTorch `lr_decay`, default 0).
    public var learningRateDecay: Float
    /// L2 penalty λ added to the gradient (PyTorch `weight_decay`).
    public var weightDecay: Float
    /// ε in the denominator (PyTorch default 1e-10).
    public var epsilon: Float
    /// Starting value of every `sum` buffer (PyTorch `initial_accumulator_value`).
    public let initialAccumulator: Float
    public private(set) var stepCount = 0
    var sums: ParameterBuffers
    /// Steps taken by each parameter (its t in the decay), PyTorch's per-parameter `step`.
    var parameterSteps: [Int]

    /// `torch.optim.Adagrad(params, lr, lr_decay, weight_decay, initial_accumulator_value, eps)` over one group.
    public convenience init(parameters: [Tensor], learningRate: Float = 0.01, learningRateDecay: Float = 0,
                            weightDecay: Float = 0, initialAccumulator: Float = 0, epsilon: Float = 1e-10) {
        self.init(groups: [ParameterGroup(parameters: parameters)], learningRate: learningRate,
                  learningRateDecay: learningRateDecay, weightDecay: weightDecay, initialAccumulator: initialAccumulator,
                  epsilon: epsilon)
    }

    /// AdaGrad over parameter groups; `learningRate` and `weightDecay` apply to groups that set none.
    public init(groups: [ParameterGroup], learningRate: Float = 0.01, learningRateDecay: Float = 0,
                weightDecay: Float = 0, initialAccumulator: Float = 0, epsilon: Float = 1e-10) {
        table = ParameterGroupTable(groups, learningRate: learningRate, optimizer: "AdaGrad")
        parameters = table.parameters
        self.learningRate = learningRate
        self.learningRateDecay = learningRateDecay
        self.weightDecay = weightDecay
        self.initialAccumulator = initialAccumulator
        self.epsilon = epsilon
        sums = ParameterBuffers("sum", count: parameters.count)
        parameterSteps = [Int](repeating: 0, count: parameters.count)
    }

    public func step() {
        stepCount += 1
        let eps = epsilon
        for (i, p) in parameters.enumerated() {
            guard let grad = p.grad else { continue }
            require(grad.count == p.count, "AdaGrad: gradient of \(grad.count) values for parameter of shape \(p.shape)")
            parameterSteps[i] += 1
            let lr = table.learningRate(i, current: learningRate), wd = table.weightDecay(i, current: weightDecay)
            let clr = lr / (1 + Float(parameterSteps[i] - 1) * learningRateDecay)
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
        var out = exportOptimizerState(parameters: parameters, stepCount: stepCount, buffers: [sums])
        for (i, v) in sums.values.enumerated() where !v.isEmpty { out["step.\(i)"] = Tensor(Float(parameterSteps[i])) }
        return out
    }

    public func loadState(_ state: [String: Tensor]) throws {
        var perParameter: [Int: Int] = [:], rest = state
        for (name, tensor) in state where name.hasPrefix("step.") {
            guard let i = Int(name.dropFirst(5)), i >= 0, i < parameters.count else {
                throw OptimizerError.unexpectedState(name)
            }
            guard tensor.count == 1 else { throw OptimizerError.stateShapeMismatch(name: name, expected: [], found: tensor.shape) }
            let s = tensor.storage[0]
            guard s.isFinite, s >= 0, s == s.rounded() else { throw OptimizerError.invalidStep(s) }
            perParameter[i] = Int(s)
            rest[name] = nil
        }
        let (step, values) = try importOptimizerState(rest, parameters: parameters, buffers: [sums])
        if let i = perParameter.keys.first(where: { values[0][$0].isEmpty && parameters[$0].count > 0 }) {
            throw OptimizerError.missingState("sum.\(i)")
        }
        if !perParameter.isEmpty, let i = values[0].indices.first(where: { !values[0][$0].isEmpty && perParameter[$0] == nil }) {
            throw OptimizerError.missingState("step.\(i)")
        }
        stepCount = step
        sums.values = values[0]
        // Old states have only the global count: every parameter with a buffer took every step.
        parameterSteps = parameters.indices.map { perParameter[$0] ?? (values[0][$0].isEmpty ? 0 : step) }
    }
}
