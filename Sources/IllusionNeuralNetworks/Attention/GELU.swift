import Foundation
import IllusionTensors

/// Which GELU formula, as `torch.nn.GELU(approximate=…)`.
public enum GELUApproximation: String, Sendable {
    /// x·Φ(x) = x·½(1 + erf(x/√2))  (`approximate='none'`, nanoGPT's choice).
    case none
    /// x·½(1 + tanh(√(2/π)·(x + 0.044715·x³)))  (`approximate='tanh'`, GPT-2's).
    case tanh
}

extension Tensor {
    /// Gaussian error linear unit, elementwise. Backward:
    /// exact: Φ(x) + x·φ(x), φ(x) = e^{−x²/2}/√(2π);
    /// tanh: ½(1 + t) + ½x·(1 − t²)·√(2/π)·(1 + 3·0.044715·x²), t = tanh(√(2/π)(x + 0.044715x³)).
    public func gelu(approximate: GELUApproximation = .none) -> Tensor {
        switch approximate {
        case .none:
            return unary("gelu", { x in 0.5 * x * (1 + Foundation.erf(x * 0.70710678)) }) { x, _ in
                0.5 * (1 + Foundation.erf(x * 0.70710678)) + x * 0.39894228 * Foundation.exp(-0.5 * x * x)
            }
        case .tanh:
            let c: Float = 0.7978845608, a: Float = 0.044715
            return unary("gelu_tanh", { x in 0.5 * x * (1 + Foundation.tanh(c * (x + a * x * x * x))) }) { x, _ in
                let t = Foundation.tanh(c * (x + a * x * x * x))
                return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * a * x * x)
            }
        }
    }
}

/// GELU as a layer (`torch.nn.GELU`); no parameters.
public final class GELU: Layer {
    public let approximate: GELUApproximation
    public var isTraining = true
    public init(approximate: GELUApproximation = .none) { self.approximate = approximate }
    public var summaryName: String { approximate == .none ? "GELU" : "GELU(tanh)" }
    public func forward(_ x: Tensor) -> Tensor { x.gelu(approximate: approximate) }
}
