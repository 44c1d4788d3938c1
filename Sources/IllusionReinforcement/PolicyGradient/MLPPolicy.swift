import Foundation

/// A small multilayer perceptron of our ``Dense`` layers with tanh between them:
/// `Dense(in→h) → tanh → … → Dense(h→out)`. Used both as the policy (out = number of actions, the
/// outputs are logits of a softmax) and as the learned baseline (out = 1, a state value).
///
/// Two forward paths with the same arithmetic: ``forward(_:)`` on the autograd tape for a batch
/// (x `[T, in]` → `[T, out]`), and ``evaluate(_:)`` in plain Swift for one state while acting (no tape,
/// no allocation of tensors; ReinforceTests checks that both agree).
public final class MLPPolicy: Layer {
    public let layers: [Dense]
    public var isTraining = true

    public init(sizes: [Int], rng: inout RandomGenerator) {
        require(sizes.count >= 2, "MLPPolicy: needs at least input and output sizes, got \(sizes)")
        layers = (0..<(sizes.count - 1)).map { Dense(sizes[$0], sizes[$0 + 1], rng: &rng) }
    }

    public var children: [(name: String, layer: Layer)] {
        // PyTorch nn.Sequential numbering with the Tanh modules in between: 0, 2, 4, …
        layers.enumerated().map { (String(2 * $0.offset), $0.element as Layer) }
    }

    public var summaryName: String { "MLP(" + ([layers[0].inputSize] + layers.map(\.outputSize)).map(String.init).joined(separator: "→") + ")" }

    // x: [T, in] → [T, out]
    public func forward(_ x: Tensor) -> Tensor {
        var h = x
        for (i, layer) in layers.enumerated() {
            h = layer(h)
            if i < layers.count - 1 { h = h.tanh() }
        }
        return h
    }

    /// The outputs for one input vector, computed directly from the weights (Float, as the tape).
    public func evaluate(_ x: [Float]) -> [Float] {
        var h = x
        for (i, layer) in layers.enumerated() {
            let n = layer.outputSize, m = layer.inputSize
            var out = [Float](repeating: 0, count: n)
            layer.weight.storage.withUnsafeBufferPointer { w in
                let b = layer.bias?.storage
                for j in 0..<n {
                    var s: Float = 0
                    for k in 0..<m { s += w[j * m + k] * h[k] }
                    out[j] = s + (b?[j] ?? 0)
                }
            }
            if i < layers.count - 1 { for j in 0..<n { out[j] = Foundation.tanh(out[j]) } }
            h = out
        }
        return h
    }

    /// softmax of ``evaluate(_:)``.
    public func actionProbabilities(_ x: [Float]) -> [Float] {
        let logits = evaluate(x)
        let m = logits.max()!
        let e = logits.map { Foundation.exp($0 - m) }
        let s = e.reduce(0, +)
        return e.map { $0 / s }
    }
}
