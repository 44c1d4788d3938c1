/// Max and average pooling over `[N, C, H, W]`, as `torch.nn.MaxPool2d` / `AvgPool2d`
/// (floor mode; stride defaults to the kernel size; padding at most half the kernel).
/// Output size per axis: ⌊(n + 2p − k)/s⌋ + 1.
public final class MaxPool2D: Layer {
    /// Window height × width (PyTorch `kernel_size`).
    public let kernelSize: Size2D
    /// Step between windows (PyTorch `stride`; the kernel size unless given).
    public let stride: Size2D
    /// Implicit border on each side, at most half the kernel (PyTorch `padding`).
    public let padding: Size2D
    public var isTraining = true

    /// `torch.nn.MaxPool2d(kernel_size, stride, padding)` (floor mode, no dilation).
    public init(kernelSize: Size2D, stride: Size2D? = nil, padding: Size2D = 0) {
        require(padding.height * 2 <= kernelSize.height && padding.width * 2 <= kernelSize.width,
                     "MaxPool2D: padding \(padding) must be at most half the kernel \(kernelSize)")
        self.kernelSize = kernelSize; self.stride = stride ?? kernelSize; self.padding = padding
    }

    public var summaryName: String { "MaxPool2D(\(kernelSize), s\(stride), p\(padding))" }
    public func forward(_ x: Tensor) -> Tensor { maxPool2d(x, kernelSize: kernelSize, stride: stride, padding: padding) }
}

/// Mean over each window, as `torch.nn.AvgPool2d`: x `[N, C, H, W]` → `[N, C, Ho, Wo]`.
public final class AvgPool2D: Layer {
    /// Window height × width (PyTorch `kernel_size`).
    public let kernelSize: Size2D
    /// Step between windows (PyTorch `stride`; the kernel size unless given).
    public let stride: Size2D
    /// Implicit border on each side, at most half the kernel (PyTorch `padding`).
    public let padding: Size2D
    /// PyTorch's default (true): padded zeros count in the divisor.
    public let countIncludePad: Bool
    public var isTraining = true

    /// `torch.nn.AvgPool2d(kernel_size, stride, padding, count_include_pad)` (floor mode).
    public init(kernelSize: Size2D, stride: Size2D? = nil, padding: Size2D = 0, countIncludePad: Bool = true) {
        require(padding.height * 2 <= kernelSize.height && padding.width * 2 <= kernelSize.width,
                     "AvgPool2D: padding \(padding) must be at most half the kernel \(kernelSize)")
        self.kernelSize = kernelSize; self.stride = stride ?? kernelSize; self.padding = padding
        self.countIncludePad = countIncludePad
    }

    public var summaryName: String { "AvgPool2D(\(kernelSize), s\(stride), p\(padding))" }
    public func forward(_ x: Tensor) -> Tensor {
        avgPool2d(x, kernelSize: kernelSize, stride: stride, padding: padding, countIncludePad: countIncludePad)
    }
}

/// Pooling geometry shared by both ops: the window of output (oy, ox) covers input rows
/// `oy·s − p ..< oy·s − p + k`, clipped to the image.
struct PoolingGeometry {
    let n: Int, c: Int, h: Int, w: Int, ho: Int, wo: Int
    let kernel: Size2D, stride: Size2D, padding: Size2D

    init(_ x: Tensor, kernel: Size2D, stride: Size2D, padding: Size2D, op: String) {
        require(x.rank == 4, "\(op): expected input [N, C, H, W], got \(x.shape)")
        n = x.shape[0]; c = x.shape[1]; h = x.shape[2]; w = x.shape[3]
        ho = ConvolutionGeometry.outputSize(inputSize: h, kernelSize: kernel.height, stride: stride.height, padding: padding.height)
        wo = ConvolutionGeometry.outputSize(inputSize: w, kernelSize: kernel.width, stride: stride.width, padding: padding.width)
        require(ho > 0 && wo > 0, "\(op): kernel \(kernel) does not fit input \(x.shape) with padding \(padding)")
        self.kernel = kernel; self.stride = stride; self.padding = padding
    }

    var outShape: [Int] { [n, c, ho, wo] }
    var planes: Int { n * c }
    /// 2×2 window, stride 2, no padding, output rows of at least 4 (``maxPool2x2``'s case).
    var isPlainPairwise: Bool { kernel == Size2D(2) && stride == Size2D(2) && padding == Size2D(0) && wo >= 4 }
}

/// Max over each window. x: `[N, C, H, W]` → `[N, C, Ho, Wo]`. Padding never wins (acts as −∞).
/// Backward routes each output gradient to the first maximal input of its window (PyTorch's tie rule).
/// 2×2 windows with stride 2 and no padding take the branch-free ``maxPool2x2`` kernel.
public func maxPool2d(_ x: Tensor, kernelSize: Size2D, stride: Size2D? = nil, padding: Size2D = 0) -> Tensor {
    maxPool2d(x, kernelSize: kernelSize, stride: stride, padding: padding, pairwiseKernel: true)
}

/// `pairwiseKernel: false` forces the general window loop: the reference the 2×2 kernel is tested against.
func maxPool2d(_ x: Tensor, kernelSize: Size2D, stride: Size2D?, padding: Size2D, pairwiseKernel: Bool) -> Tensor {
    let g = PoolingGeometry(x, kernel: kernelSize, stride: stride ?? kernelSize, padding: padding, op: "maxPool2d")
    let outCount = g.planes * g.ho * g.wo
    var y = uninitializedFloats(outCount)
    var argmax = [Int32](repeating: 0, count: outCount) // index within the input plane
    // Planes are independent: parallel parts (ParallelLoops) give the serial loop's values.
    x.storage.withUnsafeBufferPointer { xb in y.withUnsafeMutableBufferPointer { yb in argmax.withUnsafeMutableBufferPointer { ab in
        let xp = xb.baseAddress!, yp = yb.baseAddress!, ap = ab.baseAddress!
        ParallelLoops.forEachPart(g.planes, cost: g.h * g.w) { planes in
        for plane in planes {
            let src = xp + plane * g.h * g.w
            let out = plane * g.ho * g.wo
            if pairwiseKernel && g.isPlainPairwise {
                maxPool2x2(src, width: g.w, outputHeight: g.ho, outputWidth: g.wo, into: yp + out, argmax: ap + out)
                continue
            }
            for oy in 0..<g.ho {
                let y0 = oy * g.stride.height - g.padding.height
                let yStart = max(y0, 0), yEnd = min(y0 + g.kernel.height, g.h)
                for ox in 0..<g.wo {
                    let x0 = ox * g.stride.width - g.padding.width
                    let xStart = max(x0, 0), xEnd = min(x0 + g.kernel.width, g.w)
                    var best = -Float.infinity, bestIndex = yStart * g.w + xStart
                    for iy in yStart..<yEnd {
                        for ix in xStart..<xEnd {
                            let v = src[iy * g.w + ix]
                            if v > best || v.isNaN { best = v; bestIndex = iy * g.w + ix; if v.isNaN { break } }
                        }
                    }
                    yp[out + oy * g.wo + ox] = best
                    ap[out + oy * g.wo + ox] = Int32(bestIndex)
                }
            }
        }
        }
    } } }
    let pairwise = pairwiseKernel && g.isPlainPairwise
    return Tensor.result("max_pool2d", shape: g.outShape, storage: y, inputs: [x]) { _, grad in
        // 2×2 windows do not overlap: each input is written once (no zero-fill pass first)
        var dx = pairwise ? uninitializedFloats(x.count) : [Float](repeating: 0, count: x.count)
        dx.withUnsafeMutableBufferPointer { db in grad.withUnsafeBufferPointer { gb in argmax.withUnsafeBufferPointer { ab in
            let d = db.baseAddress!, gp = gb.baseAddress!, ap = ab.baseAddress!
            ParallelLoops.forEachPart(g.planes, cost: g.h * g.w) { planes in
                for plane in planes {
                    let base = plane * g.h * g.w, out = plane * g.ho * g.wo
                    if pairwise {
                        maxPool2x2Backward(gp + out, argmax: ap + out, height: g.h, width: g.w, outputHeight: g.ho,
                                           outputWidth: g.wo, into: d + base)
                        continue
                    }
                    for i in 0..<(g.ho * g.wo) { d[base + Int(ap[out + i])] += gp[out + i] }
                }
            }
        } } }
        x.accumulateGrad(dx)
    }
}

/// The 2×2, stride-2, unpadded max-pool of one plane (the CNN classifier's; output rows of ≥ 4),
/// eight (or four) outputs at a time with vector compares and selects: the order of activations
/// inside a window is random, so a branch per element mispredicts half the time. A row's last block
/// overlaps the one before it (recomputing a few outputs) instead of a scalar tail. Same values and
/// argmax as the general loop: the first maximal element in row-major window order wins, and the
/// first NaN wins over everything (NaN propagates, as in PyTorch).
@inline(__always)
func maxPool2x2(_ src: UnsafePointer<Float>, width w: Int, outputHeight ho: Int, outputWidth wo: Int,
                into y: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>) {
    require(wo >= 4, "maxPool2x2: output rows of at least 4")
    let lanes = wo >= 8 ? 8 : 4
    for oy in 0..<ho {
        let r0 = src + 2 * oy * w, r1 = r0 + w
        let i0 = Int32(2 * oy * w)
        var ox = 0
        while ox < wo {
            let at = Swift.min(ox, wo - lanes)   // the last block overlaps instead of running short
            let yOut = UnsafeMutableRawPointer(y + oy * wo + at), aOut = UnsafeMutableRawPointer(argmax + oy * wo + at)
            let first = i0 &+ Int32(2 * at)
            if lanes == 8 {
                let (best, index) = windowMaxima(top: UnsafeRawPointer(r0 + 2 * at).loadUnaligned(as: SIMD16<Float>.self),
                                                 bottom: UnsafeRawPointer(r1 + 2 * at).loadUnaligned(as: SIMD16<Float>.self),
                                                 width: w, firstIndex: first)
                yOut.storeBytes(of: best, as: SIMD8<Float>.self); aOut.storeBytes(of: index, as: SIMD8<Int32>.self)
            } else {
                // four windows: the eight-window kernel on rows of 8 floats, upper half unused
                let top = SIMD16(lowHalf: UnsafeRawPointer(r0 + 2 * at).loadUnaligned(as: SIMD8<Float>.self), highHalf: .zero)
                let bottom = SIMD16(lowHalf: UnsafeRawPointer(r1 + 2 * at).loadUnaligned(as: SIMD8<Float>.self), highHalf: .zero)
                let (best, index) = windowMaxima(top: top, bottom: bottom, width: w, firstIndex: first)
                yOut.storeBytes(of: best.lowHalf, as: SIMD4<Float>.self); aOut.storeBytes(of: index.lowHalf, as: SIMD4<Int32>.self)
            }
            ox = at + lanes
        }
    }
}

/// Backward of ``maxPool2x2`` for one plane `[h, w]`: every element of a window is written (0, or
/// 0 + g at its argmax, the value the general loop's zero-fill and `+=` give, −0 included), and the
/// last row and column that no window covers (odd sizes) are zeroed.
@inline(__always)
func maxPool2x2Backward(_ g: UnsafePointer<Float>, argmax: UnsafePointer<Int32>, height h: Int, width w: Int,
                        outputHeight ho: Int, outputWidth wo: Int, into d: UnsafeMutablePointer<Float>) {
    for oy in 0..<ho {
        let r0 = d + 2 * oy * w, r1 = r0 + w
        for ox in 0..<wo {
            r0[2 * ox] = 0; r0[2 * ox + 1] = 0; r1[2 * ox] = 0; r1[2 * ox + 1] = 0
        }
        if w > 2 * wo { r0[w - 1] = 0; r1[w - 1] = 0 }
        for ox in 0..<wo {
            let i = oy * wo + ox
            d[Int(argmax[i])] = 0 + g[i]
        }
    }
    if h > 2 * ho { (d + (h - 1) * w).update(repeating: 0, count: w) }
}

/// Maxima and their plane indices of eight adjacent 2×2 windows, given the 16 floats of their top
/// and bottom rows; `firstIndex` is the plane index of the first window's top-left element.
@inline(__always)
func windowMaxima(top: SIMD16<Float>, bottom: SIMD16<Float>, width w: Int, firstIndex: Int32) -> (SIMD8<Float>, SIMD8<Int32>) {
    let first = SIMD8<Int32>(0, 2, 4, 6, 8, 10, 12, 14) &+ firstIndex
    var best = top.evenHalf, index = first
    @inline(__always) func consider(_ v: SIMD8<Float>, offset: Int32) {
        // take v where v > best or v is NaN, unless best is already NaN (the first NaN wins)
        let take = (v .> best .| v .!= v) .& (best .== best)
        best.replace(with: v, where: take)
        index.replace(with: first &+ offset, where: take)
    }
    consider(top.oddHalf, offset: 1)
    consider(bottom.evenHalf, offset: Int32(w))
    consider(bottom.oddHalf, offset: Int32(w + 1))
    return (best, index)
}

/// Mean over each window. x: `[N, C, H, W]` → `[N, C, Ho, Wo]`. The divisor is the window size
/// clipped to the padded image (with `countIncludePad`) or the number of real pixels (without).
public func avgPool2d(_ x: Tensor, kernelSize: Size2D, stride: Size2D? = nil, padding: Size2D = 0,
                      countIncludePad: Bool = true) -> Tensor {
    let g = PoolingGeometry(x, kernel: kernelSize, stride: stride ?? kernelSize, padding: padding, op: "avgPool2d")
    // For window (oy, ox): clipped ranges and 1/divisor, shared by forward and backward.
    @inline(__always) func window(_ oy: Int, _ ox: Int) -> (Int, Int, Int, Int, Float) {
        let y0 = oy * g.stride.height - g.padding.height, x0 = ox * g.stride.width - g.padding.width
        let y1 = min(y0 + g.kernel.height, g.h + g.padding.height), x1 = min(x0 + g.kernel.width, g.w + g.padding.width)
        let ys = max(y0, 0), xs = max(x0, 0), ye = min(y1, g.h), xe = min(x1, g.w)
        let count = countIncludePad ? (y1 - y0) * (x1 - x0) : (ye - ys) * (xe - xs)
        return (ys, ye, xs, xe, 1 / Float(max(count, 1)))
    }
    var y = uninitializedFloats(g.planes * g.ho * g.wo)
    x.storage.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in
        for plane in 0..<g.planes {
            let src = xp.baseAddress! + plane * g.h * g.w, out = plane * g.ho * g.wo
            for oy in 0..<g.ho {
                for ox in 0..<g.wo {
                    let (ys, ye, xs, xe, scale) = window(oy, ox)
                    var s: Float = 0
                    for iy in ys..<ye { for ix in xs..<xe { s += src[iy * g.w + ix] } }
                    yp[out + oy * g.wo + ox] = s * scale
                }
            }
        }
    } }
    return Tensor.result("avg_pool2d", shape: g.outShape, storage: y, inputs: [x]) { _, grad in
        var dx = [Float](repeating: 0, count: x.count)
        dx.withUnsafeMutableBufferPointer { d in grad.withUnsafeBufferPointer { gp in
            for plane in 0..<g.planes {
                let dst = d.baseAddress! + plane * g.h * g.w, out = plane * g.ho * g.wo
                for oy in 0..<g.ho {
                    for ox in 0..<g.wo {
                        let (ys, ye, xs, xe, scale) = window(oy, ox)
                        let v = gp[out + oy * g.wo + ox] * scale
                        for iy in ys..<ye { for ix in xs..<xe { dst[iy * g.w + ix] += v } }
                    }
                }
            }
        } }
        x.accumulateGrad(dx)
    }
}
