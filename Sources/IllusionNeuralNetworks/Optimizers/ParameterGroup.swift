/// A subset of an optimizer's parameters with its own learning rate and/or weight decay — a
/// PyTorch param group (`{'params': [...], 'lr': ..., 'weight_decay': ...}`). A nil setting takes
/// the optimizer's own value.
///
/// Weight decay on the 2-D weights only, for example:
///
///     AdamW(groups: [ParameterGroup(parameters: matrices),
///                    ParameterGroup(parameters: biasesAndNorms, weightDecay: 0)], learningRate: 3e-4)
///
/// The optimizer's ``Optimizer/parameters`` are the groups' parameters concatenated in order, so the
/// state names (`exp_avg.<index>`, …) index them exactly as PyTorch's `state_dict()` does.
public struct ParameterGroup {
    /// The group's tensors (each belongs to exactly one group of an optimizer).
    public var parameters: [Tensor]
    /// This group's learning rate when the optimizer's ``Optimizer/learningRate`` is still the one
    /// it was created with. A schedule that changes the optimizer's rate scales this one by the same
    /// factor (as PyTorch's schedulers scale every group's rate).
    public var learningRate: Float?
    /// This group's weight decay (L2 or decoupled, as the optimizer defines it).
    public var weightDecay: Float?

    /// A group; nil settings take the optimizer's.
    public init(parameters: [Tensor], learningRate: Float? = nil, weightDecay: Float? = nil) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.weightDecay = weightDecay
    }
}

/// The groups resolved per parameter: which group each parameter belongs to, and its rate and decay.
struct ParameterGroupTable {
    let groups: [ParameterGroup]
    let parameters: [Tensor]
    let groupOfParameter: [Int]
    /// The optimizer's learning rate at creation; group rates scale with `current / initialLearningRate`.
    let initialLearningRate: Float

    init(_ groups: [ParameterGroup], learningRate: Float, optimizer: String) {
        require(learningRate >= 0, "\(optimizer): learning rate must be non-negative, got \(learningRate)")
        var seen = Set<ObjectIdentifier>()
        for (g, group) in groups.enumerated() {
            if let r = group.learningRate {
                require(r >= 0, "\(optimizer): learning rate of parameter group \(g) must be non-negative, got \(r)")
            }
            for p in group.parameters {
                require(seen.insert(ObjectIdentifier(p)).inserted,
                        "\(optimizer): a parameter of shape \(p.shape) appears twice (parameter group \(g))")
            }
        }
        self.groups = groups
        parameters = groups.flatMap(\.parameters)
        groupOfParameter = groups.enumerated().flatMap { g, group in [Int](repeating: g, count: group.parameters.count) }
        initialLearningRate = learningRate
    }

    /// Learning rate of parameter `i` when the optimizer's rate is `current`.
    func learningRate(_ i: Int, current: Float) -> Float {
        guard let own = groups[groupOfParameter[i]].learningRate else { return current }
        return initialLearningRate > 0 ? own * (current / initialLearningRate) : own
    }

    /// Weight decay of parameter `i` when the optimizer's own decay is `current`.
    func weightDecay(_ i: Int, current: Float) -> Float { groups[groupOfParameter[i]].weightDecay ?? current }
}
