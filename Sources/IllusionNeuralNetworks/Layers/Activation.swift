/// Activation layers (no parameters): wrappers over the tensor ops in `Tensors/Activations.swift`.
public final class ReLU: Layer {
    public var isTraining = true
    /// max(0, x) elementwise (`torch.nn.ReLU()`); no parameters.
    public init() {}
    public func forward(_ x: Tensor) -> Tensor { x.relu() }
}

/// x for x > 0, slope·x otherwise, as `torch.nn.LeakyReLU`.
public final class LeakyReLU: Layer {
    public var isTraining = true
    /// The factor applied to negative inputs.
    public let slope: Float
    /// PyTorch's default negative slope is 0.01; the VAEs here use 0.2.
    public init(slope: Float = 0.01) { self.slope = slope }
    public func forward(_ x: Tensor) -> Tensor { x.leakyReLU(slope: slope) }
    public var summaryName: String { "LeakyReLU(\(slope))" }
}

/// 1 / (1 + e⁻ˣ), as `torch.nn.Sigmoid`.
public final class Sigmoid: Layer {
    public var isTraining = true
    /// 1 / (1 + e⁻ˣ) elementwise; no parameters.
    public init() {}
    public func forward(_ x: Tensor) -> Tensor { x.sigmoid() }
}

/// tanh x, as `torch.nn.Tanh`.
public final class Tanh: Layer {
    public var isTraining = true
    /// tanh elementwise; no parameters.
    public init() {}
    public func forward(_ x: Tensor) -> Tensor { x.tanh() }
}

/// Softmax over the last axis, as `torch.nn.Softmax(dim=-1)`.
public final class Softmax: Layer {
    public var isTraining = true
    /// Softmax over the last axis (`torch.nn.Softmax(dim=-1)`), computed with the row maximum subtracted.
    public init() {}
    public func forward(_ x: Tensor) -> Tensor { x.softmax() }
}
