import Foundation

/// The activation functions of the seed documentation. Each is elementwise except softmax and
/// log-softmax, which act along the last axis and are computed stably (max subtracted first).
extension Tensor {
    /// Linear (identity) activation: f(x) = x.
    public func linear() -> Tensor { self }

    /// Binary step: 1 for x ≥ 0, else 0. Forward only: its derivative is 0 almost everywhere, so
    /// it does not record itself on the tape and cannot be trained through.
    public func binaryStep() -> Tensor {
        Tensor(shape: shape, storage: mapValues(storage) { $0 >= 0 ? 1 : 0 })
    }

    /// σ(x) = 1/(1+e⁻ˣ), computed without overflow. σ' = σ(1−σ).
    public func sigmoid() -> Tensor {
        unary("sigmoid", { x in x >= 0 ? 1 / (1 + Foundation.exp(-x)) : Foundation.exp(x) / (1 + Foundation.exp(x)) }) { _, y in y * (1 - y) }
    }

    /// tanh x. tanh' = 1 − tanh².
    public func tanh() -> Tensor { unary("tanh", { Foundation.tanh($0) }) { _, y in 1 - y * y } }

    /// max(0, x). Derivative 1 for x > 0, else 0.
    public func relu() -> Tensor {
        // Explicit loops inside the parallel parts, so the max is inlined (no call per element).
        var y = uninitializedFloats(count)
        storage.withUnsafeBufferPointer { xb in y.withUnsafeMutableBufferPointer { yb in
            guard let x = xb.baseAddress, let o = yb.baseAddress else { return }
            ParallelLoops.forEachPart(xb.count) { r in for i in r { o[i] = Swift.max(x[i], 0) } }
        } }
        return Tensor.result("relu", shape: shape, storage: y, inputs: [self]) { _, g in
            var dx = uninitializedFloats(g.count)
            self.storage.withUnsafeBufferPointer { xb in g.withUnsafeBufferPointer { gb in dx.withUnsafeMutableBufferPointer { db in
                guard let x = xb.baseAddress, let gp = gb.baseAddress, let d = db.baseAddress else { return }
                ParallelLoops.forEachPart(db.count) { r in rectifierBackward(x: x, gradient: gp, into: d, range: r, slope: 0) }
            } } }
            self.accumulateGrad(dx)
        }
    }

    /// The reference ``relu()`` is tested against: the generic elementwise op with its derivative.
    func referenceReLU() -> Tensor { unary("relu", { Swift.max($0, 0) }) { x, _ in x > 0 ? 1 : 0 } }

    /// x for x > 0, slope·x otherwise (PyTorch default slope 0.01).
    public func leakyReLU(slope: Float = 0.01) -> Tensor {
        var y = uninitializedFloats(count)
        storage.withUnsafeBufferPointer { xb in y.withUnsafeMutableBufferPointer { yb in
            guard let x = xb.baseAddress, let o = yb.baseAddress else { return }
            ParallelLoops.forEachPart(xb.count) { r in for i in r { o[i] = x[i] > 0 ? x[i] : slope * x[i] } }
        } }
        return Tensor.result("leaky_relu", shape: shape, storage: y, inputs: [self]) { _, g in
            var dx = uninitializedFloats(g.count)
            self.storage.withUnsafeBufferPointer { xb in g.withUnsafeBufferPointer { gb in dx.withUnsafeMutableBufferPointer { db in
                guard let x = xb.baseAddress, let gp = gb.baseAddress, let d = db.baseAddress else { return }
                ParallelLoops.forEachPart(db.count) { r in rectifierBackward(x: x, gradient: gp, into: d, range: r, slope: slope) }
            } } }
            self.accumulateGrad(dx)
        }
    }

    /// The reference ``leakyReLU(slope:)`` is tested against.
    func referenceLeakyReLU(slope: Float = 0.01) -> Tensor {
        unary("leaky_relu", { $0 > 0 ? $0 : slope * $0 }) { x, _ in x > 0 ? 1 : slope }
    }

    /// ELU: x for x > 0, α(eˣ−1) otherwise.
    public func elu(alpha: Float = 1) -> Tensor {
        unary("elu", { $0 > 0 ? $0 : alpha * (Foundation.exp($0) - 1) }) { x, y in x > 0 ? 1 : y + alpha }
    }

    /// softplus(x) = ln(1+eˣ), stable. Derivative σ(x).
    public func softplus() -> Tensor {
        unary("softplus", { x in Swift.max(x, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(x))) }) { x, _ in
            x >= 0 ? 1 / (1 + Foundation.exp(-x)) : Foundation.exp(x) / (1 + Foundation.exp(x))
        }
    }

    /// softmax along the last axis: exp(x − max) / Σ exp(x − max).
    /// Backward: dx = y ⊙ (g − Σ g⊙y).
    public func softmax() -> Tensor {
        let n = shape.last ?? 1, rows = count / Swift.max(n, 1)
        var y = [Float](repeating: 0, count: count)
        storage.withUnsafeBufferPointer { x in y.withUnsafeMutableBufferPointer { o in
            for r in 0..<rows {
                let base = r * n
                var m = -Float.infinity
                for j in 0..<n { m = Swift.max(m, x[base + j]) }
                var s: Float = 0
                for j in 0..<n { let e = Foundation.exp(x[base + j] - m); o[base + j] = e; s += e }
                for j in 0..<n { o[base + j] /= s }
            }
        } }
        return Tensor.result("softmax", shape: shape, storage: y, inputs: [self]) { out, g in
            var d = [Float](repeating: 0, count: g.count)
            out.storage.withUnsafeBufferPointer { y in d.withUnsafeMutableBufferPointer { d in
                for r in 0..<rows {
                    let base = r * n
                    var dot: Float = 0
                    for j in 0..<n { dot += g[base + j] * y[base + j] }
                    for j in 0..<n { d[base + j] = y[base + j] * (g[base + j] - dot) }
                }
            } }
            self.accumulateGrad(d)
        }
    }

    /// log-softmax along the last axis: x − max − ln Σ exp(x − max).
    /// Backward: dx = g − softmax(x)·Σ g.
    public func logSoftmax() -> Tensor {
        let n = shape.last ?? 1, rows = count / Swift.max(n, 1)
        var y = [Float](repeating: 0, count: count)
        storage.withUnsafeBufferPointer { x in y.withUnsafeMutableBufferPointer { o in
            for r in 0..<rows {
                let base = r * n
                var m = -Float.infinity
                for j in 0..<n { m = Swift.max(m, x[base + j]) }
                var s: Float = 0
                for j in 0..<n { s += Foundation.exp(x[base + j] - m) }
                let lse = m + Foundation.log(s)
                for j in 0..<n { o[base + j] = x[base + j] - lse }
            }
        } }
        return Tensor.result("log_softmax", shape: shape, storage: y, inputs: [self]) { out, g in
            var d = [Float](repeating: 0, count: g.count)
            out.storage.withUnsafeBufferPointer { y in d.withUnsafeMutableBufferPointer { d in
                for r in 0..<rows {
                    let base = r * n
                    var s: Float = 0
                    for j in 0..<n { s += g[base + j] }
                    for j in 0..<n { d[base + j] = g[base + j] - Foundation.exp(y[base + j]) * s }
                }
            } }
            self.accumulateGrad(d)
        }
    }
}

/// The backward pass of ReLU (slope 0) and LeakyReLU over `range`: d[i] = x[i] > 0 ? g[i] : slope·g[i],
/// eight lanes at a time with a compare-and-select (no branch per element: the signs of
/// activations are random, so a branchy loop mispredicts half the time).
@inline(__always)
func rectifierBackward(x: UnsafePointer<Float>, gradient g: UnsafePointer<Float>, into d: UnsafeMutablePointer<Float>,
                       range: Range<Int>, slope: Float) {
    var i = range.lowerBound
    let end = range.upperBound
    while i + 8 <= end {
        let xv = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
        let gv = UnsafeRawPointer(g + i).loadUnaligned(as: SIMD8<Float>.self)
        var out = gv * slope
        out.replace(with: gv, where: xv .> 0)
        UnsafeMutableRawPointer(d + i).storeBytes(of: out, as: SIMD8<Float>.self)
        i += 8
    }
    while i < end {
        d[i] = x[i] > 0 ? g[i] : slope * g[i]
        i += 1
    }
}
