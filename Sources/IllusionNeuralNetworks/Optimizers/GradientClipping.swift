import Foundation

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
    var sumOfSquares: Double = 0
    for p in parameters {
        p.grad?.withUnsafeBufferPointer { g in for v in g { sumOfSquares += Double(v) * Double(v) } }
    }
    let norm = Float(sumOfSquares.squareRoot())
    guard norm.isFinite else { return norm }
    let coefficient = Float(Double(maxNorm) / (sumOfSquares.squareRoot() + 1e-6))
    if coefficient < 1 {
        for p in parameters where p.grad != nil {
            p.grad!.withUnsafeMutableBufferPointer { g in for j in 0..<g.count { g[j] *= coefficient } }
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
