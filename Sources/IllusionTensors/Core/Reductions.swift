/// Sums, means and maxima over all elements or along axes. Negative axes count from the end.
///
/// NaN behaviour (as PyTorch): sums and means of a slice with a NaN are NaN (IEEE arithmetic);
/// ``max(axis:keepDims:)`` and ``argmaxLastAxis()`` treat NaN as the largest value, so the maximum
/// is NaN and the arg-max is the first NaN. There is no `min` reduction (use `-(-x).max(axis:)`,
/// which propagates NaN the same way).
extension Tensor {
    func normalizedAxis(_ axis: Int) -> Int {
        let a = axis < 0 ? axis + rank : axis
        require(a >= 0 && a < Swift.max(rank, 1), "axis \(axis) out of range for shape \(shape)")
        return a
    }

    /// Σ of all elements → scalar. Backward: every input gets g.
    public func sum() -> Tensor {
        var s: Double = 0
        storage.withUnsafeBufferPointer { for v in $0 { s += Double(v) } }
        return Tensor.result("sum", shape: [], storage: [Float(s)], inputs: [self]) { _, g in
            self.accumulateGrad([Float](repeating: g[0], count: self.count))
        }
    }

    /// Mean of all elements → scalar. Backward: every input gets g/n.
    public func mean() -> Tensor { sum() * (1 / Float(Swift.max(count, 1))) }

    /// Σ along `axes`; kept as size-1 axes when `keepDims`.
    public func sum(axes: [Int], keepDims: Bool = false) -> Tensor {
        let ax = Set(axes.map(normalizedAxis))
        let keptShape = shape.enumerated().map { ax.contains($0.offset) ? 1 : $0.element }
        let reduced = sumToShape(storage, from: shape, to: keptShape)
        let outShape = keepDims ? keptShape : shape.enumerated().filter { !ax.contains($0.offset) }.map(\.element)
        return Tensor.result("sum_axes", shape: outShape, storage: reduced, inputs: [self]) { _, g in
            self.accumulateGrad(broadcastValues(g, from: keptShape, to: self.shape))
        }
    }

    /// Sum along one axis (negative counts from the end); `keepDims` keeps it with length 1 (`torch.sum(x, dim, keepdim)`).
    public func sum(axis: Int, keepDims: Bool = false) -> Tensor { sum(axes: [axis], keepDims: keepDims) }

    /// Mean along `axes`.
    public func mean(axes: [Int], keepDims: Bool = false) -> Tensor {
        let n = Set(axes.map(normalizedAxis)).reduce(1) { $0 * shape[$1] }
        return sum(axes: axes, keepDims: keepDims) * (1 / Float(Swift.max(n, 1)))
    }

    /// Mean along one axis (negative counts from the end), like `torch.mean(x, dim, keepdim)`.
    public func mean(axis: Int, keepDims: Bool = false) -> Tensor { mean(axes: [axis], keepDims: keepDims) }

    /// Maximum along one axis. Backward routes g to the (first) arg-max, as PyTorch's `max(dim)`.
    ///
    /// NaN propagates as in PyTorch (and as ``maxPool2d``): a slice holding a NaN has maximum NaN,
    /// and the gradient goes to its first NaN.
    public func max(axis: Int, keepDims: Bool = false) -> Tensor {
        let a = normalizedAxis(axis)
        let outer = shape[..<a].reduce(1, *), n = shape[a], inner = shape[(a + 1)...].reduce(1, *)
        require(n > 0, "max: empty axis \(axis) in shape \(shape)")
        var values = [Float](repeating: 0, count: outer * inner)
        var argmax = [Int](repeating: 0, count: outer * inner)
        storage.withUnsafeBufferPointer { x in
            for o in 0..<outer {
                for i in 0..<inner {
                    var best = x[o * n * inner + i], bestIndex = 0
                    var j = 1
                    while j < n && !best.isNaN {
                        let v = x[(o * n + j) * inner + i]
                        if v > best || v.isNaN { best = v; bestIndex = j }
                        j += 1
                    }
                    values[o * inner + i] = best
                    argmax[o * inner + i] = (o * n + bestIndex) * inner + i
                }
            }
        }
        var outShape = shape
        if keepDims { outShape[a] = 1 } else { outShape.remove(at: a) }
        return Tensor.result("max", shape: outShape, storage: values, inputs: [self]) { _, g in
            var d = [Float](repeating: 0, count: self.count)
            for k in 0..<g.count { d[argmax[k]] += g[k] }
            self.accumulateGrad(d)
        }
    }

    /// Index of the maximum along the last axis, per row (no gradient). Ties give the first index;
    /// a row holding NaN gives the index of its first NaN (NaN counts as the maximum, as PyTorch's
    /// `argmax`), so a diverged classifier's predictions are not silently those of its finite logits.
    public func argmaxLastAxis() -> [Int] {
        let n = shape.last ?? 1, rows = count / Swift.max(n, 1)
        return (0..<rows).map { r in
            var best = 0
            var j = 1
            while j < n && !storage[r * n + best].isNaN {
                let v = storage[r * n + j]
                if v > storage[r * n + best] || v.isNaN { best = j }
                j += 1
            }
            return best
        }
    }
}
