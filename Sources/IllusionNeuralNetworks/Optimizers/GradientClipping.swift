import Foundation
import IllusionTensors
import CMicroKernels

/// Rescales all gradients together so their global L2 norm is at most `maxNorm`, as
/// `torch.nn.utils.clip_grad_norm_`: norm = √(Σ over every parameter of Σ g²) (accumulated in
/// Double); when norm > maxNorm every gradient is multiplied by maxNorm / (norm + 1e-6).
///
/// Returns the norm **before** clipping (log it to watch for exploding gradients). Parameters
/// without a gradient are ignored. A non-finite norm is returned unchanged and the gradients are
/// left as they are, so the caller can skip the step.
@discardableResult
public func clipGradientNorm(parameters: [Tensor], maxNorm: Float) -> Float {
    require(maxNorm >= 0, "clipGradientNorm: maxNorm must be non-negative, got \(maxNorm)")
    // Four interleaved Double partial sums per parameter (independent chains, so the loop is not
    // latency-bound), combined in a fixed order: the result depends only on the gradients. The C
    // kernel `ic_sum_of_squares` (the four sums in one vector) gives the bits of
    // ``referenceSumOfSquares`` (tested).
    var sumOfSquares: Double = 0
    for p in parameters {
        p.grad?.withUnsafeBufferPointer { g in
            guard let base = g.baseAddress else { return }
            sumOfSquares += ic_sum_of_squares(PackedKernel.best.rawValue, base, g.count)
        }
    }
    let norm = Float(sumOfSquares.squareRoot())
    guard norm.isFinite else { return norm }
    let coefficient = Float(Double(maxNorm) / (sumOfSquares.squareRoot() + 1e-6))
    if coefficient < 1 {
        for p in parameters where p.grad != nil {
            p.grad!.withUnsafeMutableBufferPointer { g in
                guard let base = g.baseAddress else { return }
                for j in 0..<g.count { base[j] *= coefficient }
            }
        }
    }
    return norm
}

/// Clamps every gradient element to [−maxValue, maxValue] (`torch.nn.utils.clip_grad_value_`).
public func clipGradientValue(parameters: [Tensor], maxValue: Float) {
    require(maxValue >= 0, "clipGradientValue: maxValue must be non-negative, got \(maxValue)")
    for p in parameters where p.grad != nil {
        p.grad!.withUnsafeMutableBufferPointer { g in
            for j in 0..<g.count { g[j] = Swift.min(Swift.max(g[j], -maxValue), maxValue) }
        }
    }
}

/// Σ Double(x[j])² with four interleaved Double partial sums (j mod 4), added as (s₀ + s₁) + (s₂ + s₃):
/// the Swift loop `ic_sum_of_squares` (clip-grad-norm's kernel) equals bit for bit.
func referenceSumOfSquares(_ base: UnsafePointer<Float>, count: Int) -> Double {
    var s0: Double = 0, s1: Double = 0, s2: Double = 0, s3: Double = 0
    var j = 0
    while j + 4 <= count {
        let a = Double(base[j]), b = Double(base[j + 1]), c = Double(base[j + 2]), d = Double(base[j + 3])
        s0 += a * a; s1 += b * b; s2 += c * c; s3 += d * d
        j += 4
    }
    while j < count { let a = Double(base[j]); s0 += a * a; j += 1 }
    return (s0 + s1) + (s2 + s3)
}
