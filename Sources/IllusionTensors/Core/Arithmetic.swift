/// Elementwise + − × ÷ with broadcasting, each with its backward beside its forward.
/// Gradients flowing into a broadcast operand are summed back to its shape (``sumToShape``).

@inline(__always)
func binaryForward(_ a: Tensor, _ b: Tensor, _ opName: String,
                   _ f: (Float, Float) -> Float) -> (shape: [Int], values: [Float]) {
    guard let outShape = broadcastShape(a.shape, b.shape) else {
        fatalError("\(opName): shapes \(a.shape) and \(b.shape) do not broadcast")
    }
    let n = outShape.reduce(1, *)
    var out = uninitializedFloats(n)
    let av = a.shape == outShape ? a.storage : broadcastValues(a.storage, from: a.shape, to: outShape)
    let bv = b.shape == outShape ? b.storage : broadcastValues(b.storage, from: b.shape, to: outShape)
    av.withUnsafeBufferPointer { x in
        bv.withUnsafeBufferPointer { y in
            out.withUnsafeMutableBufferPointer { o in
                for i in 0..<n { o[i] = f(x[i], y[i]) }
            }
        }
    }
    return (outShape, out)
}

@inline(__always)
func mapValues(_ a: [Float], _ f: (Float) -> Float) -> [Float] {
    var out = uninitializedFloats(a.count)
    guard !a.isEmpty else { return out }
    a.withUnsafeBufferPointer { x in out.withUnsafeMutableBufferPointer { o in
        ParallelLoops.map(x.baseAddress!, into: o.baseAddress!, count: x.count, f)
    } }
    return out
}

@inline(__always)
func zipValues(_ a: [Float], _ b: [Float], _ f: (Float, Float) -> Float) -> [Float] {
    require(a.count == b.count, "zipValues: \(a.count) vs \(b.count) values")
    var out = uninitializedFloats(a.count)
    guard !a.isEmpty else { return out }
    a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in out.withUnsafeMutableBufferPointer { o in
        ParallelLoops.zip(x.baseAddress!, y.baseAddress!, into: o.baseAddress!, count: x.count, f)
    } } }
    return out
}

extension Tensor {
    /// a + b (broadcast). d/da = 1, d/db = 1.
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        let (shape, values) = binaryForward(a, b, "add", +)
        return result("add", shape: shape, storage: values, inputs: [a, b]) { out, g in
            if a.isOnTape { a.accumulateGrad(sumToShape(g, from: out.shape, to: a.shape)) }
            if b.isOnTape { b.accumulateGrad(sumToShape(g, from: out.shape, to: b.shape)) }
        }
    }

    /// a − b (broadcast). d/da = 1, d/db = −1.
    public static func - (a: Tensor, b: Tensor) -> Tensor {
        let (shape, values) = binaryForward(a, b, "subtract", -)
        return result("subtract", shape: shape, storage: values, inputs: [a, b]) { out, g in
            if a.isOnTape { a.accumulateGrad(sumToShape(g, from: out.shape, to: a.shape)) }
            if b.isOnTape { b.accumulateGrad(sumToShape(mapValues(g) { -$0 }, from: out.shape, to: b.shape)) }
        }
    }

    /// a × b elementwise (broadcast). d/da = b, d/db = a.
    public static func * (a: Tensor, b: Tensor) -> Tensor {
        let (shape, values) = binaryForward(a, b, "multiply", *)
        return result("multiply", shape: shape, storage: values, inputs: [a, b]) { out, g in
            if a.isOnTape {
                let bv = broadcastValues(b.storage, from: b.shape, to: out.shape)
                a.accumulateGrad(sumToShape(zipValues(g, bv, *), from: out.shape, to: a.shape))
            }
            if b.isOnTape {
                let av = broadcastValues(a.storage, from: a.shape, to: out.shape)
                b.accumulateGrad(sumToShape(zipValues(g, av, *), from: out.shape, to: b.shape))
            }
        }
    }

    /// a ÷ b elementwise (broadcast). d/da = 1/b, d/db = −a/b².
    public static func / (a: Tensor, b: Tensor) -> Tensor {
        let (shape, values) = binaryForward(a, b, "divide", /)
        return result("divide", shape: shape, storage: values, inputs: [a, b]) { out, g in
            let bv = broadcastValues(b.storage, from: b.shape, to: out.shape)
            if a.isOnTape {
                a.accumulateGrad(sumToShape(zipValues(g, bv, /), from: out.shape, to: a.shape))
            }
            if b.isOnTape {
                // −g·a/b² = −g·out/b
                let gb = zipValues(zipValues(g, out.storage, *), bv) { -$0 / $1 }
                b.accumulateGrad(sumToShape(gb, from: out.shape, to: b.shape))
            }
        }
    }

    /// Elementwise negation −a (on the tape: the gradient is −g).
    public static prefix func - (a: Tensor) -> Tensor { a * Tensor(-1) }

    /// a + s for every element (the scalar broadcasts as a rank-0 tensor; it gets no gradient).
    public static func + (a: Tensor, s: Float) -> Tensor { a + Tensor(s) }
    /// s + a for every element (same as `a + s`).
    public static func + (s: Float, a: Tensor) -> Tensor { Tensor(s) + a }
    /// a − s for every element.
    public static func - (a: Tensor, s: Float) -> Tensor { a - Tensor(s) }
    /// s − a for every element (e.g. `1 - p`); the gradient with respect to a is −g.
    public static func - (s: Float, a: Tensor) -> Tensor { Tensor(s) - a }
    /// a · s for every element (scaling; the gradient is s·g).
    public static func * (a: Tensor, s: Float) -> Tensor { a * Tensor(s) }
    /// s · a for every element (same as `a * s`).
    public static func * (s: Float, a: Tensor) -> Tensor { Tensor(s) * a }
    /// a / s for every element (s = 0 gives ±inf or NaN, as in IEEE arithmetic).
    public static func / (a: Tensor, s: Float) -> Tensor { a / Tensor(s) }
    /// s / a for every element (e.g. `1 / x`); the gradient with respect to a is −s·g / a².
    public static func / (s: Float, a: Tensor) -> Tensor { Tensor(s) / a }
}
