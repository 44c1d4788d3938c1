/// 2-D transposed convolution ("deconvolution"), as `torch.nn.ConvTranspose2d`: the adjoint of the
/// Conv2D with the same weight, stride, padding and dilation.
///
/// Layout: x `[N, Cin, H, W]` → y `[N, Cout, Ho, Wo]` with Ho = (H−1)s − 2p + d(kh−1) + outputPadding + 1;
/// weight `[Cin, Cout, kh, kw]` (PyTorch's layout), bias `[Cout]`. Default initialisation equals
/// PyTorch's, whose fanIn is computed from the stored layout: fanIn = Cout·kh·kw,
/// weight and bias ~ U(−1/√fanIn, 1/√fanIn).
public final class Conv2DTranspose: Layer {
    /// Input channels Cin.
    public let inChannels: Int
    /// Output channels Cout.
    public let outChannels: Int
    /// Kernel height × width (kh, kw).
    public let kernelSize: Size2D
    /// Upsampling factor per axis (the stride of the adjoint convolution).
    public let stride: Size2D
    /// Rows/columns removed from each border of the full output (PyTorch `padding`).
    public let padding: Size2D
    /// Extra rows/columns added at the bottom/right (PyTorch `output_padding`, < stride), to reach an exact size.
    public let outputPadding: Size2D
    /// Spacing between kernel taps, per axis.
    public let dilation: Size2D
    /// `[Cin, Cout, kh, kw]` — PyTorch's layout for `ConvTranspose2d` (input channels first).
    public let weight: Tensor
    /// `[Cout]` (nil with `bias: false`).
    public let bias: Tensor?
    public var isTraining = true
    let workspace = ColumnWorkspace()

    /// `torch.nn.ConvTranspose2d(in, out, kernel_size, stride, padding, output_padding, dilation, bias)`.
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Size2D, stride: Size2D = 1, padding: Size2D = 0,
                outputPadding: Size2D = 0, dilation: Size2D = 1, bias useBias: Bool = true,
                weightInit: Initializer = .pytorchDefault, rng: inout RandomGenerator) {
        require(inChannels > 0 && outChannels > 0, "Conv2DTranspose: channel counts must be positive, got \(inChannels)→\(outChannels)")
        require(outputPadding.height < max(stride.height, dilation.height) && outputPadding.width < max(stride.width, dilation.width),
                     "Conv2DTranspose: outputPadding \(outputPadding) must be smaller than stride or dilation (as in PyTorch)")
        self.inChannels = inChannels; self.outChannels = outChannels
        self.kernelSize = kernelSize; self.stride = stride; self.padding = padding
        self.outputPadding = outputPadding; self.dilation = dilation
        (weight, bias) = makeWeightAndBias(shape: [inChannels, outChannels, kernelSize.height, kernelSize.width], biasCount: outChannels,
                                           fanIn: outChannels * kernelSize.height * kernelSize.width, useBias: useBias, weightInit: weightInit, rng: &rng)
    }

    public var ownParameters: [(name: String, tensor: Tensor)] { weightAndBiasParameters(weight, bias) }

    public var summaryName: String {
        "Conv2DTranspose(\(inChannels)→\(outChannels), \(kernelSize.height)×\(kernelSize.width), s\(stride), p\(padding)"
            + (outputPadding == 0 ? "" : ", op\(outputPadding)") + (dilation == 1 ? "" : ", d\(dilation)") + ")"
    }

    public func forward(_ x: Tensor) -> Tensor {
        require(x.rank == 4 && x.shape[1] == inChannels,
                     "Conv2DTranspose(\(inChannels)→\(outChannels)): expected input [N, \(inChannels), H, W], got \(x.shape)")
        return convTranspose2d(x, weight, bias, stride: stride, padding: padding, outputPadding: outputPadding,
                               dilation: dilation, workspace: workspace)
    }
}

/// The window of the Conv2D whose adjoint a transposed convolution is: it slides over the
/// transposed convolution's *output* `[Cout, Ho, Wo]` and produces its input's `H × W` positions.
public func transposedConvolutionWindow(outChannels: Int, inputHeight: Int, inputWidth: Int, kernelSize: Size2D,
                                        stride: Size2D, padding: Size2D, outputPadding: Size2D,
                                        dilation: Size2D) -> ConvolutionWindow2D {
    let ho = ConvolutionGeometry.transposedOutputSize(inputSize: inputHeight, kernelSize: kernelSize.height, stride: stride.height,
                                                      padding: padding.height, outputPadding: outputPadding.height, dilation: dilation.height)
    let wo = ConvolutionGeometry.transposedOutputSize(inputSize: inputWidth, kernelSize: kernelSize.width, stride: stride.width,
                                                      padding: padding.width, outputPadding: outputPadding.width, dilation: dilation.width)
    require(ho > 0 && wo > 0, "convTranspose2d: output size \(ho)×\(wo) is not positive")
    return ConvolutionWindow2D(channels: outChannels, height: ho, width: wo,
                               kernelHeight: kernelSize.height, kernelWidth: kernelSize.width,
                               strideHeight: stride.height, strideWidth: stride.width,
                               padTop: padding.height, padLeft: padding.width,
                               dilationHeight: dilation.height, dilationWidth: dilation.width,
                               outputHeight: inputHeight, outputWidth: inputWidth)
}

/// y = convTranspose2d(x, W) + b as one tape op, computed as matrix products (no zero-stuffing),
/// in cache-sized chunks of the batch spread over the cores (see ``ConvolutionEngine``). Per chunk:
/// `col = Wᵀ·x'`, `y = col2im(col)` + bias; backward `col_g = im2col(dY)`, `dW += x'·col_gᵀ`,
/// `dX' = W·col_g`, `db = Σ dY`. ``convTranspose2dWholeBatch`` is the whole-batch reference.
///
/// x: `[N, Cin, H, W]`, weight: `[Cin, Cout, kh, kw]`, bias: `[Cout]` → `[N, Cout, Ho, Wo]`.
public func convTranspose2d(_ x: Tensor, _ weight: Tensor, _ bias: Tensor?, stride: Size2D = 1, padding: Size2D = 0,
                            outputPadding: Size2D = 0, dilation: Size2D = 1, workspace: ColumnWorkspace? = nil) -> Tensor {
    require(x.rank == 4 && weight.rank == 4 && x.shape[1] == weight.shape[0],
                 "convTranspose2d: input \(x.shape) and weight \(weight.shape) do not fit ([N, Cin, H, W] and [Cin, Cout, kh, kw])")
    let n = x.shape[0], cIn = x.shape[1], h = x.shape[2], w = x.shape[3], cOut = weight.shape[1]
    require(bias == nil || bias!.shape == [cOut], "convTranspose2d: bias \(bias!.shape) should be [\(cOut)]")
    let win = transposedConvolutionWindow(outChannels: cOut, inputHeight: h, inputWidth: w,
                                          kernelSize: Size2D(weight.shape[2], weight.shape[3]), stride: stride,
                                          padding: padding, outputPadding: outputPadding, dilation: dilation)
    let outShape = [n, cOut, win.height, win.width]
    var y = uninitializedFloats(n * win.imageSize)
    x.storage.withUnsafeBufferPointer { xp in weight.storage.withUnsafeBufferPointer { wp in y.withUnsafeMutableBufferPointer { yp in
        withOptionalPointer(bias?.storage) { bp in
            convTranspose2dForwardChunked(x: xp.baseAddress!, batch: n, inChannels: cIn, window: win, weight: wp.baseAddress!,
                                          bias: bp, y: yp.baseAddress!, workspace: workspace)
        }
    } } }
    let inputs = [x, weight] + (bias.map { [$0] } ?? [])
    return Tensor.result("conv_transpose2d", shape: outShape, storage: y, inputs: inputs) { _, g in
        var dx: [Float]? = x.isOnTape ? uninitializedFloats(x.count) : nil
        var grads: (dw: [Float]?, db: [Float]?) = (nil, nil)
        x.storage.withUnsafeBufferPointer { xp in weight.storage.withUnsafeBufferPointer { wp in g.withUnsafeBufferPointer { gp in
            withOptionalMutablePointer(&dx) { dxp in
                grads = convTranspose2dBackwardChunked(x: xp.baseAddress!, batch: n, inChannels: cIn, window: win,
                                                       weight: wp.baseAddress!, gradient: gp.baseAddress!,
                                                       wantWeight: weight.isOnTape, wantBias: bias?.isOnTape ?? false,
                                                       dx: dxp, workspace: workspace)
            }
        } } }
        if let dw = grads.dw { weight.accumulateGrad(dw) }
        if let bias, let db = grads.db { bias.accumulateGrad(db) }
        if let dx { x.accumulateGrad(dx) }
    }
}

/// The reference for ``convTranspose2d``: the same op on the whole batch at once.
///
/// Forward: `x' = x` reordered to `[Cin, N·H·W]`, one SGEMM `col = Wᵀ·x'` `[Cout·kh·kw, N·H·W]`,
/// then `y = col2im(col)` and the bias. Backward: `col_g = im2col(dY)`, `dW = x'·col_gᵀ`,
/// `dX' = W·col_g`, `db = Σ dY` — exactly Conv2D's forward and weight-gradient maths with the
/// roles of x and y exchanged.
///
/// x: `[N, Cin, H, W]`, weight: `[Cin, Cout, kh, kw]`, bias: `[Cout]` → `[N, Cout, Ho, Wo]`.
func convTranspose2dWholeBatch(_ x: Tensor, _ weight: Tensor, _ bias: Tensor?, stride: Size2D = 1, padding: Size2D = 0,
                            outputPadding: Size2D = 0, dilation: Size2D = 1, workspace: ColumnWorkspace? = nil) -> Tensor {
    require(x.rank == 4 && weight.rank == 4 && x.shape[1] == weight.shape[0],
                 "convTranspose2d: input \(x.shape) and weight \(weight.shape) do not fit ([N, Cin, H, W] and [Cin, Cout, kh, kw])")
    let n = x.shape[0], cIn = x.shape[1], h = x.shape[2], w = x.shape[3], cOut = weight.shape[1]
    require(bias == nil || bias!.shape == [cOut], "convTranspose2d: bias \(bias!.shape) should be [\(cOut)]")
    let win = transposedConvolutionWindow(outChannels: cOut, inputHeight: h, inputWidth: w,
                                          kernelSize: Size2D(weight.shape[2], weight.shape[3]), stride: stride,
                                          padding: padding, outputPadding: outputPadding, dilation: dilation)
    let k = win.columnRows, p = h * w, np = n * p
    let outShape = [n, cOut, win.height, win.width]
    let recorded = GradMode.isEnabled && ([x, weight] + (bias.map { [$0] } ?? [])).contains { $0.isOnTape }

    // xt: [Cin, N·H·W]
    var xt = uninitializedFloats(cIn * np)
    xt.withUnsafeMutableBufferPointer { d in x.storage.withUnsafeBufferPointer { s in
        swapBatchAndChannels(s.baseAddress!, batch: n, channels: cIn, pixels: p, into: d.baseAddress!)
    } }
    var col = workspace?.take(k * np) ?? uninitializedFloats(k * np)
    var y = [Float](repeating: 0, count: outShape.reduce(1, *))
    col.withUnsafeMutableBufferPointer { c in
        xt.withUnsafeBufferPointer { xtp in weight.storage.withUnsafeBufferPointer { wp in
            // col: [Cout·kh·kw, N·H·W] = Wᵀ · xt
            sgemm(transA: true, m: k, n: np, k: cIn, a: wp.baseAddress!, lda: k, b: xtp.baseAddress!, ldb: np,
                  c: c.baseAddress!, ldc: np)
        } }
        y.withUnsafeMutableBufferPointer { yp in
            batchCol2im(c.baseAddress!, batch: n, win, into: yp.baseAddress!)
            if let bias { addChannelBias(bias.storage, to: yp.baseAddress!, batch: n, channels: cOut, pixels: win.imageSize / cOut) }
        }
    }
    workspace?.give(col)
    if !recorded { return Tensor(shape: outShape, storage: y) }
    let inputs = [x, weight] + (bias.map { [$0] } ?? [])
    return Tensor.result("conv_transpose2d", shape: outShape, storage: y, inputs: inputs) { _, g in
        var colG = workspace?.take(k * np) ?? uninitializedFloats(k * np)
        colG.withUnsafeMutableBufferPointer { cg in
            g.withUnsafeBufferPointer { gp in
                // col_g: [Cout·kh·kw, N·H·W] = im2col(dY)
                batchIm2col(gp.baseAddress!, batch: n, win, into: cg.baseAddress!)
                if let bias, bias.isOnTape { bias.accumulateGrad(channelSums(gp, batch: n, channels: cOut, pixels: win.imageSize / cOut)) }
            }
            if weight.isOnTape {
                // dW: [Cin, Cout·kh·kw] = xt · col_gᵀ
                var dw = uninitializedFloats(cIn * k)
                xt.withUnsafeBufferPointer { xtp in dw.withUnsafeMutableBufferPointer { d in
                    sgemm(transB: true, m: cIn, n: k, k: np, a: xtp.baseAddress!, lda: np, b: cg.baseAddress!, ldb: np,
                          c: d.baseAddress!, ldc: k)
                } }
                weight.accumulateGrad(dw)
            }
            if x.isOnTape {
                // dxt: [Cin, N·H·W] = W · col_g, reordered to [N, Cin, H, W]
                var dxt = uninitializedFloats(cIn * np)
                var dx = uninitializedFloats(x.count)
                dxt.withUnsafeMutableBufferPointer { d in
                    weight.storage.withUnsafeBufferPointer { wp in
                        sgemm(m: cIn, n: np, k: k, a: wp.baseAddress!, lda: k, b: cg.baseAddress!, ldb: np, c: d.baseAddress!, ldc: np)
                    }
                    dx.withUnsafeMutableBufferPointer { dxp in
                        unswapBatchAndChannels(d.baseAddress!, batch: n, channels: cIn, pixels: p, into: dxp.baseAddress!)
                    }
                }
                x.accumulateGrad(dx)
            }
        }
        workspace?.give(colG)
    }
}
