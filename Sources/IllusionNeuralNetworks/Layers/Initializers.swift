import Foundation

/// Weight initialisers. `fanIn`/`fanOut` follow PyTorch: for a weight `[out, in, k…]`,
/// fanIn = in·Πk and fanOut = out·Πk (for ConvTranspose2d's `[in, out, k…]` PyTorch computes
/// them from the stored layout the same way, so fanIn is then out·Πk).
public enum Initializer {
    /// Glorot/Xavier uniform: U(−a, a), a = gain·√(6/(fanIn+fanOut)).
    case glorotUniform(gain: Float = 1)
    /// Glorot/Xavier normal: N(0, gain²·2/(fanIn+fanOut)).
    case glorotNormal(gain: Float = 1)
    /// He/Kaiming uniform: U(−b, b), b = gain·√(3/fanIn), gain = √2 for ReLU.
    case heUniform(gain: Float = 1.4142135)
    /// He/Kaiming normal: N(0, gain²/fanIn).
    case heNormal(gain: Float = 1.4142135)
    /// PyTorch's default for Linear/Conv weights: kaiming_uniform(a=√5) = U(−1/√fanIn, 1/√fanIn).
    case pytorchDefault
    /// N(mean, std²) — DCGAN uses N(0, 0.02²).
    case normal(mean: Float = 0, std: Float)
    /// U(low, high).
    case uniform(low: Float, high: Float)
    /// All 0 (biases, the last layer of a residual branch).
    case zeros
    /// Every element the given value.
    case constant(Float)

    /// (fanIn, fanOut) of a weight shape as PyTorch's `_calculate_fan_in_and_fan_out`: `[out, in, k…]` →
    /// (in·Πk, out·Πk); a 1-D shape counts as fanIn = fanOut = its length.
    public static func fans(_ shape: [Int]) -> (fanIn: Int, fanOut: Int) {
        guard shape.count >= 2 else { return (shape.first ?? 1, shape.first ?? 1) }
        let receptive = shape.dropFirst(2).reduce(1, *)
        return (shape[1] * receptive, shape[0] * receptive)
    }

    /// A new tensor of `shape` initialised from `rng`.
    public func make(_ shape: [Int], rng: inout RandomGenerator) -> Tensor {
        let (fanIn, fanOut) = Initializer.fans(shape)
        switch self {
        case .glorotUniform(let gain):
            let a = gain * (6 / Float(fanIn + fanOut)).squareRoot()
            return Tensor.uniform(shape, low: -a, high: a, rng: &rng)
        case .glorotNormal(let gain):
            return Tensor.normal(shape, std: gain * (2 / Float(fanIn + fanOut)).squareRoot(), rng: &rng)
        case .heUniform(let gain):
            let b = gain * (3 / Float(fanIn)).squareRoot()
            return Tensor.uniform(shape, low: -b, high: b, rng: &rng)
        case .heNormal(let gain):
            return Tensor.normal(shape, std: gain / Float(fanIn).squareRoot(), rng: &rng)
        case .pytorchDefault:
            let b = 1 / Float(max(fanIn, 1)).squareRoot()
            return Tensor.uniform(shape, low: -b, high: b, rng: &rng)
        case .normal(let mean, let std):
            return Tensor.normal(shape, mean: mean, std: std, rng: &rng)
        case .uniform(let low, let high):
            return Tensor.uniform(shape, low: low, high: high, rng: &rng)
        case .zeros:
            return Tensor.zeros(shape)
        case .constant(let v):
            return Tensor(repeating: v, shape: shape)
        }
    }
}

/// A layer's weight of `shape` drawn by `weightInit`, then (when `useBias`) a bias of `biasCount`
/// values ~ U(−1/√fanIn, 1/√fanIn) — PyTorch's default for `Linear` and the convolutions. Both
/// require gradients. The weight is drawn first, as PyTorch's `reset_parameters` does.
public func makeWeightAndBias(shape: [Int], biasCount: Int, fanIn: Int, useBias: Bool, weightInit: Initializer,
                              rng: inout RandomGenerator) -> (weight: Tensor, bias: Tensor?) {
    let weight = weightInit.make(shape, rng: &rng)
    weight.requiresGrad = true
    guard useBias else { return (weight, nil) }
    let b = 1 / Float(fanIn).squareRoot()
    return (weight, Tensor.uniform([biasCount], low: -b, high: b, rng: &rng, requiresGrad: true))
}

/// `weight` and, when present, `bias` under their state-dict names.
public func weightAndBiasParameters(_ weight: Tensor, _ bias: Tensor?) -> [(name: String, tensor: Tensor)] {
    [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
}
