/// NumPy/PyTorch broadcasting: shapes are aligned at their last axis; two sizes are compatible
/// when equal or when one of them is 1; missing leading axes count as 1.
public func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int]? {
    let rank = max(a.count, b.count)
    var out = [Int](repeating: 1, count: rank)
    for i in 0..<rank {
        let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
        let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
        if da == db || db == 1 { out[i] = da } else if da == 1 { out[i] = db } else { return nil }
    }
    return out
}

/// Row-major strides of `shape` aligned to `outShape`, with stride 0 along broadcast axes.
func broadcastStrides(_ shape: [Int], to outShape: [Int]) -> [Int] {
    let rank = outShape.count, offset = rank - shape.count
    var strides = [Int](repeating: 0, count: rank)
    var running = 1
    for i in stride(from: shape.count - 1, through: 0, by: -1) {
        strides[i + offset] = shape[i] == 1 && outShape[i + offset] != 1 ? 0 : running
        running *= shape[i]
    }
    return strides
}

/// Visits every output row (all axes but the last) with the source offset of that row.
@inline(__always)
func forEachBroadcastRow(_ outShape: [Int], _ strides: [Int], _ body: (_ outOffset: Int, _ srcOffset: Int) -> Void) {
    let rank = outShape.count
    if rank == 0 { body(0, 0); return }
    let rowLength = outShape[rank - 1]
    let rows = outShape.dropLast().reduce(1, *)
    var index = [Int](repeating: 0, count: max(rank - 1, 0))
    var src = 0
    for r in 0..<rows {
        body(r * rowLength, src)
        // advance the odometer over axes 0..<rank-1
        var axis = rank - 2
        while axis >= 0 {
            index[axis] += 1
            src += strides[axis]
            if index[axis] < outShape[axis] { break }
            src -= strides[axis] * outShape[axis]
            index[axis] = 0
            axis -= 1
        }
    }
}

/// Materialises `values` (of `shape`) broadcast to `outShape`.
public func broadcastValues(_ values: [Float], from shape: [Int], to outShape: [Int]) -> [Float] {
    if shape == outShape { return values }
    let n = outShape.reduce(1, *)
    if values.count == 1 { return [Float](repeating: values[0], count: n) }
    let strides = broadcastStrides(shape, to: outShape)
    let rowLength = outShape.last ?? 1, lastStride = strides.last ?? 0
    var out = [Float](repeating: 0, count: n)
    values.withUnsafeBufferPointer { src in
        out.withUnsafeMutableBufferPointer { dst in
            forEachBroadcastRow(outShape, strides) { o, s in
                if lastStride == 0 {
                    let v = src[s]; for j in 0..<rowLength { dst[o + j] = v }
                } else {
                    for j in 0..<rowLength { dst[o + j] = src[s + j] }
                }
            }
        }
    }
    return out
}

/// The adjoint of ``broadcastValues``: sums a gradient of `outShape` back onto `shape`.
public func sumToShape(_ grad: [Float], from outShape: [Int], to shape: [Int]) -> [Float] {
    if shape == outShape { return grad }
    let n = shape.reduce(1, *)
    if n == 1 {
        var s: Float = 0
        for v in grad { s += v }
        return [s]
    }
    let strides = broadcastStrides(shape, to: outShape)
    let rowLength = outShape.last ?? 1, lastStride = strides.last ?? 0
    var out = [Float](repeating: 0, count: n)
    grad.withUnsafeBufferPointer { src in
        out.withUnsafeMutableBufferPointer { dst in
            forEachBroadcastRow(outShape, strides) { o, s in
                if lastStride == 0 {
                    var acc: Float = 0
                    for j in 0..<rowLength { acc += src[o + j] }
                    dst[s] += acc
                } else {
                    for j in 0..<rowLength { dst[s + j] += src[o + j] }
                }
            }
        }
    }
    return out
}
