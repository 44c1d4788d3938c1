import Foundation

extension Tensor {
    /// Elementwise op whose derivative is expressed through the input x and output y:
    /// grad_in = grad_out · dydx(x, y).
    public func unary(_ name: String, _ f: (Float) -> Float,
                      derivative dydx: @escaping (_ x: Float, _ y: Float) -> Float) -> Tensor {
        let values = mapValues(storage, f)
        return Tensor.result(name, shape: shape, storage: values, inputs: [self]) { out, g in
            var gi = uninitializedFloats(g.count)
            self.storage.withUnsafeBufferPointer { x in out.storage.withUnsafeBufferPointer { y in
                g.withUnsafeBufferPointer { go in gi.withUnsafeMutableBufferPointer { d in
                    ParallelLoops.forEachPart(d.count) { r in for i in r { d[i] = go[i] * dydx(x[i], y[i]) } } } } } }
            self.accumulateGrad(gi)
        }
    }

    /// eˣ. d/dx = eˣ.
    public func exp() -> Tensor { unary("exp", { Foundation.exp($0) }) { _, y in y } }
    /// ln x. d/dx = 1/x.
    public func log() -> Tensor { unary("log", { Foundation.log($0) }) { x, _ in 1 / x } }
    /// √x. d/dx = 1/(2√x).
    public func sqrt() -> Tensor { unary("sqrt", { $0.squareRoot() }) { _, y in 0.5 / y } }
    /// xᵖ for a constant exponent. d/dx = p·xᵖ⁻¹.
    public func pow(_ p: Float) -> Tensor {
        unary("pow", { Foundation.pow($0, p) }) { x, _ in p * Foundation.pow(x, p - 1) }
    }
    /// x². d/dx = 2x.
    public func squared() -> Tensor { unary("square", { $0 * $0 }) { x, _ in 2 * x } }
    /// |x|. d/dx = sign(x) (0 at 0, as PyTorch).
    public func abs() -> Tensor { unary("abs", { Swift.abs($0) }) { x, _ in x > 0 ? 1 : (x < 0 ? -1 : 0) } }
    /// min(max(x, low), high). d/dx = 1 inside [low, high], 0 outside (PyTorch passes the gradient at the bounds).
    public func clamp(min low: Float = -.infinity, max high: Float = .infinity) -> Tensor {
        require(low <= high, "clamp: min \(low) > max \(high)")
        return unary("clamp", { Swift.min(Swift.max($0, low), high) }) { x, _ in (x >= low && x <= high) ? 1 : 0 }
    }
}

/// Free-function spellings, as in the maths.
public func exp(_ x: Tensor) -> Tensor { x.exp() }
/// Natural logarithm, elementwise (``Tensor/log()``).
public func log(_ x: Tensor) -> Tensor { x.log() }
/// Square root, elementwise (``Tensor/sqrt()``).
public func sqrt(_ x: Tensor) -> Tensor { x.sqrt() }
/// Absolute value, elementwise (``Tensor/abs()``).
public func abs(_ x: Tensor) -> Tensor { x.abs() }
