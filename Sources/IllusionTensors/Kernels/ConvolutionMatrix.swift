/// The explicit matrix of a 2-D convolution — a slow reference that proves the im2col path right.
///
/// For a fixed input size, a convolution (cross-correlation) with weight `[Cout, C, kh, kw]` is the
/// linear map vec(y) = T·vec(x) with T of shape `[Cout·Ho·Wo, C·H·W]`:
///
///     T[(co·Ho + oy)·Wo + ox, (c·H + iy)·W + ix] = w[co, c, ki, kj]
///     whenever iy = oy·s − p + ki·d and ix = ox·s − p + kj·d (and 0 elsewhere).
///
/// For one channel pair and stride 1, T is *doubly block Toeplitz*: an Ho×H grid of Wo×W blocks in
/// which block (oy, iy) depends only on iy − oy, and each block's entry (ox, ix) only on ix − ox.
/// Its transpose Tᵀ is the transposed convolution with the same weights: the adjoint.
public func convolutionMatrix(weight: [Float], outChannels: Int, window w: ConvolutionWindow2D) -> [Float] {
    require(weight.count == outChannels * w.columnRows, "convolutionMatrix: weight has \(weight.count) values, expected \(outChannels * w.columnRows)")
    let rows = outChannels * w.outputPixels, cols = w.imageSize
    var t = [Float](repeating: 0, count: rows * cols)
    for co in 0..<outChannels { for oy in 0..<w.outputHeight { for ox in 0..<w.outputWidth {
        let r = (co * w.outputHeight + oy) * w.outputWidth + ox
        for c in 0..<w.channels { for ki in 0..<w.kernelHeight { for kj in 0..<w.kernelWidth {
            let iy = oy * w.strideHeight - w.padTop + ki * w.dilationHeight
            let ix = ox * w.strideWidth - w.padLeft + kj * w.dilationWidth
            guard iy >= 0 && iy < w.height && ix >= 0 && ix < w.width else { continue }
            t[r * cols + (c * w.height + iy) * w.width + ix] += weight[((co * w.channels + c) * w.kernelHeight + ki) * w.kernelWidth + kj]
        } } }
    } } }
    return t
}

/// y = A·x for a row-major `[rows, cols]` matrix (Float64 accumulation; reference use only).
public func referenceMatrixVector(_ a: [Float], rows: Int, cols: Int, _ x: [Float], transposed: Bool = false) -> [Float] {
    if transposed {
        require(x.count == rows, "referenceMatrixVector: vector of \(x.count) for Aᵀ with \(rows) rows")
        var y = [Double](repeating: 0, count: cols)
        for r in 0..<rows { let v = Double(x[r]); for c in 0..<cols { y[c] += Double(a[r * cols + c]) * v } }
        return y.map { Float($0) }
    }
    require(x.count == cols, "referenceMatrixVector: vector of \(x.count) for A with \(cols) columns")
    return (0..<rows).map { r in
        var s: Double = 0
        for c in 0..<cols { s += Double(a[r * cols + c]) * Double(x[c]) }
        return Float(s)
    }
}
