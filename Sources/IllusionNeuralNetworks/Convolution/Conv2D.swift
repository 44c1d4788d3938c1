/// 2-D convolution (deep-learning convention: cross-correlation, as `torch.nn.Conv2d`).
///
/// Layout: x `[N, C, H, W]` → y `[N, Cout, Ho, Wo]`; weight `[Cout, C, kh, kw]`, bias `[Cout]`
/// (PyTorch's `state_dict` names and layouts). Default initialisation equals PyTorch's:
/// weight and bias ~ U(−1/√fanIn, 1/√fanIn), fanIn = C·kh·kw.
public final class Conv2D: Layer {
    /// Input channels C.
    public let inChannels: Int
    /// Output channels (filters) Cout.
    public let outChannels: Int
    /// Kernel height × width (kh, kw).
    public let kernelSize: Size2D
    /// Step between output positions, per axis.
    public let stride: Size2D
    /// Zero padding: explicit (PyTorch `padding=`), `.valid` or Keras `.same`.
    public let padding: ConvPadding
    /// Spacing between kernel taps, per axis (1 = dense).
    public let dilation: Size2D
    /// `[Cout, C, kh, kw]`, as `torch.nn.Conv2d.weight`.
    public let weight: Tensor
    /// `[Cout]` (nil with `bias: false`).
    public let bias: Tensor?
    public var isTraining = true
    /// Column buffer reused from step to step.
    let workspace = ColumnWorkspace()

    /// `torch.nn.Conv2d(in, out, kernel_size, stride, padding, dilation, bias)`; the weight is drawn by
    /// `weightInit` (PyTorch's default U(±1/√fanIn)), then the bias, from `rng`.
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Size2D, stride: Size2D = 1,
                padding: ConvPadding = 0, dilation: Size2D = 1, bias useBias: Bool = true,
                weightInit: Initializer = .pytorchDefault, rng: inout RandomGenerator) {
        require(inChannels > 0 && outChannels > 0, "Conv2D: channel counts must be positive, got \(inChannels)→\(outChannels)")
        self.inChannels = inChannels; self.outChannels = outChannels
        self.kernelSize = kernelSize; self.stride = stride; self.padding = padding; self.dilation = dilation
        (weight, bias) = makeWeightAndBias(shape: [outChannels, inChannels, kernelSize.height, kernelSize.width], biasCount: outChannels,
                                           fanIn: inChannels * kernelSize.height * kernelSize.width, useBias: useBias, weightInit: weightInit, rng: &rng)
    }

    public var ownParameters: [(name: String, tensor: Tensor)] { weightAndBiasParameters(weight, bias) }

    public var summaryName: String {
        "Conv2D(\(inChannels)→\(outChannels), \(kernelSize.height)×\(kernelSize.width), s\(stride), p\(padding)"
            + (dilation == 1 ? "" : ", d\(dilation)") + ")"
    }

    public func forward(_ x: Tensor) -> Tensor {
        require(x.rank == 4 && x.shape[1] == inChannels,
                     "Conv2D(\(inChannels)→\(outChannels)): expected input [N, \(inChannels), H, W], got \(x.shape)")
        return conv2d(x, weight, bias, stride: stride, padding: padding, dilation: dilation, workspace: workspace)
    }
}

/// y = conv2d(x, W) + b as one tape op, computed as matrix products.
///
/// The batch is processed in cache-sized chunks spread over the cores (see ``ConvolutionEngine``):
/// per chunk `col = im2col(x)`, one SGEMM `W·col`, then a pass that writes NCHW and adds the bias.
/// Backward per chunk: `dW += dY'·colᵀ` (columns recomputed in cache), `db = Σ dY'`,
/// `dX = col2im(Wᵀ·dY')`. ``conv2dWholeBatch`` is the same maths on the whole batch at once, kept
/// as the reference the chunked path is tested against. Stride-1 convolutions with far fewer output
/// than input channels go through ``convTranspose2d`` instead (the choice is ``ConvolutionRoute/choose(_:outChannels:)``).
///
/// x: `[N, C, H, W]`, weight: `[Cout, C, kh, kw]`, bias: `[Cout]` → `[N, Cout, Ho, Wo]`.
public func conv2d(_ x: Tensor, _ weight: Tensor, _ bias: Tensor?, stride: Size2D = 1, padding: ConvPadding = 0,
                   dilation: Size2D = 1, workspace: ColumnWorkspace? = nil) -> Tensor {
    require(x.rank == 4 && weight.rank == 4 && x.shape[1] == weight.shape[1],
                 "conv2d: input \(x.shape) and weight \(weight.shape) do not fit ([N, C, H, W] and [Cout, C, kh, kw])")
    let n = x.shape[0], cOut = weight.shape[0]
    require(bias == nil || bias!.shape == [cOut], "conv2d: bias \(bias!.shape) should be [\(cOut)]")
    let win = ConvolutionGeometry.window(channels: x.shape[1], height: x.shape[2], width: x.shape[3],
                                         kernelSize: Size2D(weight.shape[2], weight.shape[3]),
                                         stride: stride, padding: padding, dilation: dilation)
    if case .transposedOfFlippedKernel(let q) = ConvolutionRoute.choose(win, outChannels: cOut) {
        // Fewer output than input channels, stride 1: the same convolution as a transposed one of
        // the flipped kernel, whose column matrices have Cout·kh·kw rows instead of C·kh·kw.
        let flipped = weight.permuted([1, 0, 2, 3]).flippedSpatially()   // [C, Cout, kh, kw]
        return convTranspose2d(x, flipped, bias, stride: 1, padding: q, workspace: workspace)
    }
    let p = win.outputPixels
    let outShape = [n, cOut, win.outputHeight, win.outputWidth]
    var y = uninitializedFloats(n * cOut * p)
    // The weight gradient needs the column matrices: keep the forward's when they are small.
    let keep = GradMode.isEnabled && weight.isOnTape
    var saved: SavedColumns? = nil
    x.storage.withUnsafeBufferPointer { xp in weight.storage.withUnsafeBufferPointer { wp in y.withUnsafeMutableBufferPointer { yp in
        withOptionalPointer(bias?.storage) { bp in
            saved = conv2dForwardChunked(x: xp.baseAddress!, batch: n, window: win, weight: wp.baseAddress!, outChannels: cOut,
                                         bias: bp, y: yp.baseAddress!, workspace: workspace, keepColumns: keep)
        }
    } } }
    let inputs = [x, weight] + (bias.map { [$0] } ?? [])
    return Tensor.result("conv2d", shape: outShape, storage: y, inputs: inputs) { _, g in
        defer { saved = nil }   // the columns are overwritten below: one backward per forward
        var dx: [Float]? = x.isOnTape ? uninitializedFloats(x.count) : nil
        var grads: (dw: [Float]?, db: [Float]?) = (nil, nil)
        x.storage.withUnsafeBufferPointer { xp in weight.storage.withUnsafeBufferPointer { wp in g.withUnsafeBufferPointer { gp in
            withOptionalMutablePointer(&dx) { dxp in
                grads = conv2dBackwardChunked(x: xp.baseAddress!, batch: n, window: win, weight: wp.baseAddress!, outChannels: cOut,
                                              gradient: gp.baseAddress!, wantWeight: weight.isOnTape,
                                              wantBias: bias?.isOnTape ?? false, dx: dxp, workspace: workspace,
                                              saved: weight.isOnTape ? saved : nil)
            }
        } } }
        if let dw = grads.dw { weight.accumulateGrad(dw) }
        if let bias, let db = grads.db { bias.accumulateGrad(db) }
        if let dx { x.accumulateGrad(dx) }
    }
}

/// Calls `body` with a pointer to `values`' elements, or nil.
@inline(__always)
func withOptionalPointer<R>(_ values: [Float]?, _ body: (UnsafePointer<Float>?) -> R) -> R {
    guard let values else { return body(nil) }
    return values.withUnsafeBufferPointer { body($0.baseAddress) }
}

@inline(__always)
func withOptionalMutablePointer<R>(_ values: inout [Float]?, _ body: (UnsafeMutablePointer<Float>?) -> R) -> R {
    guard values != nil else { return body(nil) }
    return values!.withUnsafeMutableBufferPointer { body($0.baseAddress) }
}

/// The reference for ``conv2d``: the same op on the whole batch at once.
///
/// Forward: `col = im2col(x)` `[C·kh·kw, N·Ho·Wo]` for the whole batch, one SGEMM
/// `Y' = W·col` `[Cout, N·Ho·Wo]`, then one pass that reorders Y' to `[N, Cout, Ho, Wo]` and adds
/// the bias. Backward: `dW = dY'·colᵀ` with the forward's column buffer (kept in the closure),
/// `db = Σ dY'`, `dX = col2im(Wᵀ·dY')` (the column buffer is overwritten by Wᵀ·dY' once dW is done).
///
/// (whole batch) x: `[N, C, H, W]`, weight: `[Cout, C, kh, kw]`, bias: `[Cout]` → `[N, Cout, Ho, Wo]`.
func conv2dWholeBatch(_ x: Tensor, _ weight: Tensor, _ bias: Tensor?, stride: Size2D = 1, padding: ConvPadding = 0,
                   dilation: Size2D = 1, workspace: ColumnWorkspace? = nil) -> Tensor {
    require(x.rank == 4 && weight.rank == 4 && x.shape[1] == weight.shape[1],
                 "conv2d: input \(x.shape) and weight \(weight.shape) do not fit ([N, C, H, W] and [Cout, C, kh, kw])")
    let n = x.shape[0], cOut = weight.shape[0]
    require(bias == nil || bias!.shape == [cOut], "conv2d: bias \(bias!.shape) should be [\(cOut)]")
    let win = ConvolutionGeometry.window(channels: x.shape[1], height: x.shape[2], width: x.shape[3],
                                         kernelSize: Size2D(weight.shape[2], weight.shape[3]),
                                         stride: stride, padding: padding, dilation: dilation)
    let k = win.columnRows, p = win.outputPixels, np = n * p
    let recorded = GradMode.isEnabled && ([x, weight] + (bias.map { [$0] } ?? [])).contains { $0.isOnTape }

    // col: [C·kh·kw, N·Ho·Wo]
    let columns = ColumnBox(workspace?.take(k * np) ?? uninitializedFloats(k * np))
    var y = uninitializedFloats(n * cOut * p)
    columns.values.withUnsafeMutableBufferPointer { col in
        x.storage.withUnsafeBufferPointer { xp in batchIm2col(xp.baseAddress!, batch: n, win, into: col.baseAddress!) }
        // y': [Cout, N·Ho·Wo] = W · col
        var yt = uninitializedFloats(cOut * np)
        yt.withUnsafeMutableBufferPointer { ytp in
            weight.storage.withUnsafeBufferPointer { wp in
                if cOut == 1 { // y'ᵀ = colᵀ · w: SGEMV is much faster than an m = 1 SGEMM
                    sgemv(transA: true, rows: k, cols: np, a: col.baseAddress!, lda: np, x: wp.baseAddress!, y: ytp.baseAddress!)
                } else {
                    sgemm(m: cOut, n: np, k: k, a: wp.baseAddress!, lda: k, b: col.baseAddress!, ldb: np, c: ytp.baseAddress!, ldc: np)
                }
            }
            y.withUnsafeMutableBufferPointer { yp in
                unswapBatchAndChannels(ytp.baseAddress!, batch: n, channels: cOut, pixels: p, into: yp.baseAddress!)
                if let bias { addChannelBias(bias.storage, to: yp.baseAddress!, batch: n, channels: cOut, pixels: p) }
            }
        }
    }
    if !recorded {
        workspace?.give(columns.release())
        return Tensor(shape: [n, cOut, win.outputHeight, win.outputWidth], storage: y)
    }
    let inputs = [x, weight] + (bias.map { [$0] } ?? [])
    return Tensor.result("conv2d", shape: [n, cOut, win.outputHeight, win.outputWidth], storage: y, inputs: inputs) { _, g in
        // g: [N, Cout, Ho, Wo] → gt: [Cout, N·Ho·Wo]
        var gt = uninitializedFloats(cOut * np)
        g.withUnsafeBufferPointer { gp in gt.withUnsafeMutableBufferPointer { gtp in
            swapBatchAndChannels(gp.baseAddress!, batch: n, channels: cOut, pixels: p, into: gtp.baseAddress!)
        } }
        gt.withUnsafeBufferPointer { gtp in
            columns.values.withUnsafeMutableBufferPointer { col in
                if weight.isOnTape {
                    // dW: [Cout, C·kh·kw] = gt · colᵀ
                    var dw = uninitializedFloats(cOut * k)
                    dw.withUnsafeMutableBufferPointer { d in
                        if cOut == 1 { // dWᵀ = col · g'ᵀ
                            sgemv(rows: k, cols: np, a: col.baseAddress!, lda: np, x: gtp.baseAddress!, y: d.baseAddress!)
                        } else {
                            sgemm(transB: true, m: cOut, n: k, k: np, a: gtp.baseAddress!, lda: np, b: col.baseAddress!, ldb: np,
                                  c: d.baseAddress!, ldc: k)
                        }
                    }
                    weight.accumulateGrad(dw)
                }
                if let bias, bias.isOnTape { bias.accumulateGrad(rowSums(gtp, rows: cOut, columns: np)) }
                if x.isOnTape {
                    // dcol: [C·kh·kw, N·Ho·Wo] = Wᵀ · gt, written over the column buffer
                    weight.storage.withUnsafeBufferPointer { wp in
                        sgemm(transA: true, m: k, n: np, k: cOut, a: wp.baseAddress!, lda: k, b: gtp.baseAddress!, ldb: np,
                              c: col.baseAddress!, ldc: np)
                    }
                    var dx = [Float](repeating: 0, count: x.count)
                    dx.withUnsafeMutableBufferPointer { d in batchCol2im(col.baseAddress!, batch: n, win, into: d.baseAddress!) }
                    x.accumulateGrad(dx)
                }
            }
        }
        workspace?.give(columns.release())
    }
}

/// Holds a column matrix for a tape closure so backward can reuse (overwrite) it and hand it back.
final class ColumnBox {
    var values: [Float]
    init(_ values: [Float]) { self.values = values }
    func release() -> [Float] { let v = values; values = []; return v }
}

/// y[n, c, :] += bias[c] for y `[N, C, P]`.
@inline(__always)
func addChannelBias(_ bias: [Float], to y: UnsafeMutablePointer<Float>, batch: Int, channels: Int, pixels: Int) {
    bias.withUnsafeBufferPointer { b in
        for n in 0..<batch {
            for c in 0..<channels {
                let row = y + (n * channels + c) * pixels, v = b[c]
                for i in 0..<pixels { row[i] += v }
            }
        }
    }
}

/// Σ over columns of a row-major `[rows, columns]` matrix (Float64 accumulation).
func rowSums(_ m: UnsafeBufferPointer<Float>, rows: Int, columns: Int) -> [Float] {
    (0..<rows).map { r in
        var s: Double = 0
        for j in 0..<columns { s += Double(m[r * columns + j]) }
        return Float(s)
    }
}

/// Σ over N and P of a `[N, C, P]` tensor's values → `[C]` (bias gradients).
func channelSums(_ g: UnsafeBufferPointer<Float>, batch: Int, channels: Int, pixels: Int) -> [Float] {
    var out = [Double](repeating: 0, count: channels)
    for n in 0..<batch {
        for c in 0..<channels {
            let base = (n * channels + c) * pixels
            var s: Float = 0
            for i in 0..<pixels { s += g[base + i] }
            out[c] += Double(s)
        }
    }
    return out.map { Float($0) }
}
