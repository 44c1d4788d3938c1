/// Finite-difference check of the tape's gradients.
///
/// The checked function may return a tensor of any shape; the checker reduces it to the scalar
/// F = Σᵢ wᵢ·yᵢ with fixed random weights wᵢ ∈ ±[0.5, 1.5] (1 for a scalar output), computed in
/// Double from the Float outputs, and seeds ``Tensor/backward(gradient:)`` with w. That checks a
/// random vector–Jacobian product, so a gradient routed to the wrong index cannot hide in a sum.
///
/// Numerical derivative, per input element x: central differences with Richardson extrapolation,
///
///     D(h) = (F(x + h) − F(x − h)) / (2h),   ∂F/∂x ≈ (4·D(h/2) − D(h)) / 3   (error O(h⁴)),
///
/// where the perturbed Float inputs are formed in Double and the step actually taken (after
/// rounding x ± h to Float) is used in the denominator.
///
/// Tolerance reasoning. The forward pass runs in Float32, so each F carries the rounding of the
/// outputs, up to ½·ulp(yᵢ) each; divided by the step this is the noise floor of the estimate
/// (for a loss of size 10 and h = 10⁻², ~5·10⁻⁵ absolute). The checker bounds that noise
/// — summing |wᵢ|·ulp(yᵢ) over the outputs that moved between x + h and x − h, through the same
/// extrapolation — and does not count a discrepancy within that bound. What remains is the O(h⁴)
/// truncation and the backward pass's own Float32 rounding, both ≲ 10⁻⁴ relative for the ops
/// here, so tests use a tolerance of 2·10⁻³: an indexing or formula bug gives an O(1) error.
/// Inputs must stay farther than h from kinks (relu, abs, clamp, max ties), since the difference
/// quotient straddles them; inputs on a small scale (probabilities near 0) need a smaller step.
///
/// The relative error of one element is max(|a − n| − noise, 0) / max(|a|, |n|, `absoluteFloor`):
/// the floor keeps near-zero gradients from turning the remaining float error into a large ratio.
public struct GradientCheckReport: CustomStringConvertible, Sendable {
    /// Largest relative error over every element of every input.
    public var maxRelativeError: Double
    /// Where it occurred: input position, flat element index, and the two derivative estimates.
    public var inputIndex: Int
    /// Flat row-major index of that element inside its input.
    public var elementIndex: Int
    /// The derivative the backward pass computed there.
    public var analytic: Double
    /// The central finite difference (f(x + h) − f(x − h)) / 2h there, in Double.
    public var numeric: Double
    /// Number of elements compared.
    public var checkedElements: Int

    public var description: String {
        "max relative error \(maxRelativeError) at input \(inputIndex) element \(elementIndex) " +
            "(tape \(analytic), finite difference \(numeric); \(checkedElements) elements)"
    }
}

/// Compares the tape's gradients of `function` with respect to `inputs` against finite
/// differences; see ``GradientCheckReport`` for the method and tolerance reasoning.
///
/// `function` must read the current values of `inputs` each time it is called (the checker
/// perturbs their storage in place and restores it) and be deterministic. Every input must have
/// `requiresGrad`; their `grad` is overwritten.
public func checkGradients(of inputs: [Tensor], step: Double = 1e-2, absoluteFloor: Double = 1e-2,
                           seed: UInt64 = 0x6772_6164, _ function: () -> Tensor) -> GradientCheckReport {
    require(step > 0, "checkGradients: step must be positive, got \(step)")
    for (i, x) in inputs.enumerated() {
        require(x.requiresGrad, "checkGradients: input \(i) of shape \(x.shape) does not require gradients")
        x.grad = nil
    }
    // Analytic: one backward pass seeded with the projection weights.
    let previousMode = GradMode.isEnabled
    GradMode.isEnabled = true
    let output = function()
    GradMode.isEnabled = previousMode
    var rng = RandomGenerator(seed: seed)
    let weights: [Double] = output.count == 1 ? [1] : (0..<output.count).map { _ in
        let magnitude = 0.5 + rng.nextDouble()
        return rng.nextUInt32() & 1 == 0 ? magnitude : -magnitude
    }
    output.backward(gradient: weights.map { Float($0) })
    let analytic = inputs.map { $0.grad ?? [Float](repeating: 0, count: $0.count) }

    /// F at the current inputs, and the rounding each output contributes (|wᵢ|·ulp(yᵢ)/2).
    func evaluate() -> (value: Double, outputs: [Float]) {
        let y = noGrad { function() }
        require(y.count == weights.count, "checkGradients: the function's output size changed (\(y.count) vs \(weights.count))")
        var s: Double = 0
        for i in 0..<y.count { s += weights[i] * Double(y.storage[i]) }
        return (s, y.storage)
    }

    /// Central difference and a bound on its Float32 rounding noise: only outputs that moved
    /// between x + h and x − h carry the perturbation, so only their rounding is counted.
    func centralDifference(_ x: Tensor, _ j: Int, _ h: Double) -> (estimate: Double, noise: Double) {
        let original = x.storage[j]
        let plus = Float(Double(original) + h), minus = Float(Double(original) - h)
        x.storage[j] = plus
        let (fPlus, yPlus) = evaluate()
        x.storage[j] = minus
        let (fMinus, yMinus) = evaluate()
        x.storage[j] = original
        var rounding: Double = 0
        for i in 0..<yPlus.count where yPlus[i] != yMinus[i] {
            rounding += Swift.abs(weights[i]) * 0.5 * (Double(yPlus[i].ulp) + Double(yMinus[i].ulp))
        }
        let width = Double(plus) - Double(minus)
        return ((fPlus - fMinus) / width, rounding / width)
    }

    var report = GradientCheckReport(maxRelativeError: 0, inputIndex: 0, elementIndex: 0, analytic: 0, numeric: 0,
                                     checkedElements: 0)
    for (i, x) in inputs.enumerated() {
        for j in 0..<x.count {
            let coarse = centralDifference(x, j, step), fine = centralDifference(x, j, step / 2)
            let numeric = (4 * fine.estimate - coarse.estimate) / 3
            let noise = (4 * fine.noise + coarse.noise) / 3
            let a = Double(analytic[i][j])
            let excess = Swift.max(Swift.abs(a - numeric) - noise, 0)
            let error = excess / Swift.max(Swift.abs(a), Swift.abs(numeric), absoluteFloor)
            report.checkedElements += 1
            if error > report.maxRelativeError || error.isNaN && !report.maxRelativeError.isNaN {
                report.maxRelativeError = error
                report.inputIndex = i; report.elementIndex = j
                report.analytic = a; report.numeric = numeric
            }
        }
        x.grad = analytic[i]
    }
    return report
}
