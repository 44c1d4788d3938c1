/// Reshape, transpose/permute, concatenation and slicing. All copy into a new contiguous tensor
/// (Swift arrays are copy-on-write, so reshape itself copies nothing).
extension Tensor {
    /// Same values, new shape; one axis may be −1 (inferred).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var s = newShape
        if let i = s.firstIndex(of: -1) {
            let known = s.enumerated().filter { $0.offset != i }.reduce(1) { $0 * $1.element }
            require(known > 0 && count % known == 0, "reshape: cannot infer −1 in \(newShape) for \(count) values")
            s[i] = count / known
        }
        require(s.reduce(1, *) == count, "reshape: shape \(shape) (\(count) values) cannot become \(newShape)")
        return Tensor.result("reshape", shape: s, storage: storage, inputs: [self]) { _, g in
            self.accumulateGrad(g)
        }
    }

    /// Flattens every axis after the first: `[N, …] → [N, rest]`.
    public func flattenedBatch() -> Tensor { reshaped([shape.first ?? 1, -1]) }

    /// Reorders axes: output axis i is input axis `order[i]`.
    public func permuted(_ order: [Int]) -> Tensor {
        require(order.sorted() == Array(0..<rank), "permute: \(order) is not a permutation of the \(rank) axes of \(shape)")
        let outShape = order.map { shape[$0] }
        let values = Tensor.permute(storage, shape: shape, order: order)
        var inverse = [Int](repeating: 0, count: rank)
        for (i, o) in order.enumerated() { inverse[o] = i }
        return Tensor.result("permute", shape: outShape, storage: values, inputs: [self]) { out, g in
            self.accumulateGrad(Tensor.permute(g, shape: out.shape, order: inverse))
        }
    }

    /// Swaps the last two axes (matrix transpose for rank 2).
    public func transposed() -> Tensor {
        require(rank >= 2, "transpose: needs rank ≥ 2, got \(shape)")
        var order = Array(0..<rank); order.swapAt(rank - 1, rank - 2)
        return permuted(order)
    }

    static func permute(_ values: [Float], shape: [Int], order: [Int]) -> [Float] {
        let rank = shape.count
        var inStrides = [Int](repeating: 1, count: rank)
        for i in stride(from: rank - 2, through: 0, by: -1) { inStrides[i] = inStrides[i + 1] * shape[i + 1] }
        let outShape = order.map { shape[$0] }
        let strides = order.map { inStrides[$0] }
        var out = [Float](repeating: 0, count: values.count)
        if values.isEmpty { return out }
        values.withUnsafeBufferPointer { src in out.withUnsafeMutableBufferPointer { dst in
            var index = [Int](repeating: 0, count: rank)
            var s = 0
            for o in 0..<dst.count {
                dst[o] = src[s]
                var axis = rank - 1
                while axis >= 0 {
                    index[axis] += 1; s += strides[axis]
                    if index[axis] < outShape[axis] { break }
                    s -= strides[axis] * outShape[axis]; index[axis] = 0; axis -= 1
                }
            }
        } }
        return out
    }

    /// `length` entries starting at `start` along `axis`.
    public func narrowed(axis: Int, start: Int, length: Int) -> Tensor {
        let a = normalizedAxis(axis)
        require(start >= 0 && length >= 0 && start + length <= shape[a],
                     "slice: [\(start), \(start + length)) out of range for axis \(axis) of \(shape)")
        let outer = shape[..<a].reduce(1, *), n = shape[a], inner = shape[(a + 1)...].reduce(1, *)
        var outShape = shape; outShape[a] = length
        var values = [Float](repeating: 0, count: outer * length * inner)
        storage.withUnsafeBufferPointer { x in values.withUnsafeMutableBufferPointer { o in
            for i in 0..<outer {
                let src = (i * n + start) * inner, dst = i * length * inner
                for j in 0..<(length * inner) { o[dst + j] = x[src + j] }
            }
        } }
        return Tensor.result("slice", shape: outShape, storage: values, inputs: [self]) { _, g in
            var d = [Float](repeating: 0, count: self.count)
            for i in 0..<outer {
                let dst = (i * n + start) * inner, src = i * length * inner
                for j in 0..<(length * inner) { d[dst + j] = g[src + j] }
            }
            self.accumulateGrad(d)
        }
    }

    /// Rows `range` of the batch axis (axis 0).
    public func batch(_ range: Range<Int>) -> Tensor { narrowed(axis: 0, start: range.lowerBound, length: range.count) }

    /// Selects rows of axis 0 by index (gather); backward scatters-adds.
    public func gatherRows(_ indices: [Int]) -> Tensor {
        let rowSize = count / Swift.max(shape.first ?? 1, 1)
        var values = [Float](repeating: 0, count: indices.count * rowSize)
        for (r, i) in indices.enumerated() {
            require(i >= 0 && i < shape[0], "gatherRows: index \(i) out of range for \(shape[0]) rows")
            for j in 0..<rowSize { values[r * rowSize + j] = storage[i * rowSize + j] }
        }
        var outShape = shape; outShape[0] = indices.count
        return Tensor.result("gather_rows", shape: outShape, storage: values, inputs: [self]) { _, g in
            var d = [Float](repeating: 0, count: self.count)
            for (r, i) in indices.enumerated() { for j in 0..<rowSize { d[i * rowSize + j] += g[r * rowSize + j] } }
            self.accumulateGrad(d)
        }
    }

    /// Joins tensors along `axis`; all other axes must agree.
    public static func concatenate(_ parts: [Tensor], axis: Int) -> Tensor {
        require(!parts.isEmpty, "concatenate: no tensors")
        let first = parts[0]
        let a = first.normalizedAxis(axis)
        for p in parts {
            require(p.rank == first.rank && (0..<first.rank).allSatisfy { $0 == a || p.shape[$0] == first.shape[$0] },
                         "concatenate: shape \(p.shape) does not match \(first.shape) outside axis \(axis)")
        }
        let outer = first.shape[..<a].reduce(1, *), inner = first.shape[(a + 1)...].reduce(1, *)
        let sizes = parts.map { $0.shape[a] }, total = sizes.reduce(0, +)
        var outShape = first.shape; outShape[a] = total
        var values = [Float](repeating: 0, count: outer * total * inner)
        var offset = 0
        for (p, size) in zip(parts, sizes) {
            for i in 0..<outer {
                let dst = (i * total + offset) * inner, src = i * size * inner
                for j in 0..<(size * inner) { values[dst + j] = p.storage[src + j] }
            }
            offset += size
        }
        return result("concat", shape: outShape, storage: values, inputs: parts) { _, g in
            var offset = 0
            for (p, size) in zip(parts, sizes) {
                if p.isOnTape {
                    var d = [Float](repeating: 0, count: p.count)
                    for i in 0..<outer {
                        let src = (i * total + offset) * inner, dst = i * size * inner
                        for j in 0..<(size * inner) { d[dst + j] = g[src + j] }
                    }
                    p.accumulateGrad(d)
                }
                offset += size
            }
        }
    }
}

extension Tensor {
    /// Reverses the last two axes (a 180° rotation of every `[H, W]` plane): out[…, i, j] =
    /// x[…, H−1−i, W−1−j]. Its own adjoint, so backward flips the gradient the same way.
    /// `[…, H, W] → […, H, W]` (rank ≥ 2).
    public func flippedSpatially() -> Tensor {
        require(rank >= 2, "flippedSpatially: needs rank ≥ 2, got \(shape)")
        let h = shape[rank - 2], w = shape[rank - 1]
        return Tensor.result("flip_hw", shape: shape, storage: Tensor.flipPlanes(storage, height: h, width: w), inputs: [self]) { _, g in
            self.accumulateGrad(Tensor.flipPlanes(g, height: h, width: w))
        }
    }

    static func flipPlanes(_ values: [Float], height h: Int, width w: Int) -> [Float] {
        let plane = h * w
        var out = [Float](repeating: 0, count: values.count)
        guard plane > 0 else { return out }
        for base in stride(from: 0, to: values.count, by: plane) {
            for i in 0..<plane { out[base + i] = values[base + plane - 1 - i] }
        }
        return out
    }
}
