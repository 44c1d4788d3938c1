import Foundation
import IllusionTensors
import CMicroKernels

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
            return exactGELU(self)
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
    /// Exact (erf) or tanh approximation (PyTorch's `approximate`).
    public let approximate: GELUApproximation
    public var isTraining = true
    /// `torch.nn.GELU(approximate='none')` by default.
    public init(approximate: GELUApproximation = .none) { self.approximate = approximate }
    public var summaryName: String { approximate == .none ? "GELU" : "GELU(tanh)" }
    public func forward(_ x: Tensor) -> Tensor { x.gelu(approximate: approximate) }
}

/// Exact GELU as one tape op: y = x·Φ(x); the forward also stores y' = Φ(x) + x·φ(x), so the
/// backward is one multiply. Φ uses ``fastErf`` (|error| ≤ 1.5·10⁻⁷, below Float32's resolution of
/// Φ ∈ [0, 1]). The forward runs the C kernel `ic_gelu_forward` (AVX-512 / AVX2 / portable, chosen
/// at run time), bit-identical to the Swift loop ``referenceExactGELU`` (tested), on
/// ``ParallelLoops`` parts.
func exactGELU(_ x: Tensor, kernel: PackedKernel = .best) -> Tensor {
    let n = x.count
    var y = uninitializedFloats(n), slope = uninitializedFloats(n)
    x.storage.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in slope.withUnsafeMutableBufferPointer { sp in
        let X = xp.baseAddress!, Y = yp.baseAddress!, S = sp.baseAddress!
        ParallelLoops.forEachPart(n, cost: 4) { r in
            ic_gelu_forward(kernel.rawValue, X + r.lowerBound, Y + r.lowerBound, S + r.lowerBound, r.count)
        }
    } } }
    return Tensor.result("gelu", shape: x.shape, storage: y, inputs: [x]) { _, g in
        // dx = g·slope (`ic_gelu_backward`, the same one multiply at every width), added straight
        // into x's gradient when it has one.
        g.withUnsafeBufferPointer { gp in slope.withUnsafeBufferPointer { sp in
            let G = gp.baseAddress!, S = sp.baseAddress!
            func pass(into D: UnsafeMutablePointer<Float>, accumulate: Bool) {
                ParallelLoops.forEachPart(n) { r in
                    ic_gelu_backward(kernel.rawValue, G + r.lowerBound, S + r.lowerBound, D + r.lowerBound, r.count, accumulate ? 1 : 0)
                }
            }
            if x.grad != nil {
                x.grad!.withUnsafeMutableBufferPointer { pass(into: $0.baseAddress!, accumulate: true) }
            } else {
                var dx = uninitializedFloats(n)
                dx.withUnsafeMutableBufferPointer { pass(into: $0.baseAddress!, accumulate: false) }
                x.accumulateGrad(dx)
            }
        } }
    }
}

/// The Swift loop the C kernel of ``exactGELU`` equals bit for bit: y = x·Φ(x) and
/// slope = Φ(x) + x·φ(x) over `count` values (plain arithmetic; the compiler vectorises it at
/// the build's baseline width).
func referenceExactGELU(_ X: UnsafePointer<Float>, y Y: UnsafeMutablePointer<Float>, slope S: UnsafeMutablePointer<Float>,
                        count: Int) {
    for i in 0..<count {
        let v = X[i]
        let gauss = fastExp(-0.5 * v * v)                 // e^{−x²/2}
        let cdf = 0.5 * (1 + fastErf(v * 0.70710678, gaussian: gauss))
        Y[i] = v * cdf
        S[i] = cdf + v * 0.39894228 * gauss               // Φ(x) + x·φ(x)
    }
}

/// erf(z) by Abramowitz & Stegun 7.1.26: 1 − (a₁t + … + a₅t⁵)·e^{−z²}, t = 1/(1 + p|z|), odd in z;
/// max |error| 1.5·10⁻⁷. `gaussian` must be e^{−z²} (the caller has it already).
@inline(__always)
func fastErf(_ z: Float, gaussian: Float) -> Float {
    let a = Swift.abs(z)
    let t = 1 / (1 + 0.3275911 * a)
    let poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    let e = 1 - poly * gaussian
    return z < 0 ? -e : e
}

/// eˣ for x ≤ 0 to about 2 ulp (Cephes' expf: x = n·ln 2 + r, |r| ≤ ln2/2, a degree-6 polynomial
/// in r, times 2ⁿ built in the exponent bits); flushes to 0 below −87. Branch-free and call-free,
/// so loops vectorise: n = round(x·log₂e) comes from adding and subtracting 1.5·2²³ (the float
/// addition rounds to nearest-even, exactly as `rounded(.toNearestOrEven)`, which would be a
/// `rintf` call per element), and the integer n is read from the low mantissa bits of the sum.
@inline(__always)
public func fastExp(_ x: Float) -> Float {
    let c = Swift.max(x, -87)
    let shifted = c * 1.44269504 + 12582912             // 1.5·2²³ + n, with n in the low 22 bits
    let n = shifted - 12582912
    var r = c - n * 0.693359375
    r = r - n * -2.12194440e-4
    let z = r * r
    let p = ((((((1.9875691500e-4 * r + 1.3981999507e-3) * r + 8.3334519073e-3) * r + 4.1665795894e-2) * r
        + 1.6666665459e-1) * r + 5.0000001201e-1) * z + r + 1)
    let exponent = Int32(bitPattern: shifted.bitPattern) &- 0x4B40_0000 &+ 127   // n + 127 ≥ 1 for c ≥ −87
    let scale = Float(bitPattern: UInt32(bitPattern: exponent) &<< 23)
    return x < -87 ? 0 : p * scale
}
