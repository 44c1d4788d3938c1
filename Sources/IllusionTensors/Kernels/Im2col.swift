import Foundation

/// The sliding-window geometry shared by im2col, col2im and the explicit convolution matrix.
///
/// An image `[channels, height, width]` is visited by a `kernelHeight × kernelWidth` window at
/// `outputHeight × outputWidth` positions. Output position (oy, ox) reads input row
/// `oy·strideHeight − padTop + ki·dilationHeight` and column `ox·strideWidth − padLeft + kj·dilationWidth`;
/// positions outside the image read zero (zero padding). Bottom/right padding is implicit in the
/// output size, so asymmetric ("same") padding needs nothing special.
public struct ConvolutionWindow2D: Equatable, Sendable {
    /// Input channels C of the image `[C, H, W]` (one column row per channel × kernel tap).
    public var channels: Int
    /// Input height H in pixels (before padding).
    public var height: Int
    /// Input width W in pixels (before padding).
    public var width: Int
    /// Kernel rows kH (PyTorch `kernel_size[0]`).
    public var kernelHeight: Int
    /// Kernel columns kW (PyTorch `kernel_size[1]`).
    public var kernelWidth: Int
    /// Rows the window moves between output rows (PyTorch `stride[0]`).
    public var strideHeight: Int
    /// Columns the window moves between output columns (PyTorch `stride[1]`).
    public var strideWidth: Int
    /// Zero rows added above the image; the bottom padding follows from ``outputHeight``.
    public var padTop: Int
    /// Zero columns added left of the image; the right padding follows from ``outputWidth``.
    public var padLeft: Int
    /// Spacing between kernel rows (1 = a dense kernel; PyTorch `dilation[0]`).
    public var dilationHeight: Int
    /// Spacing between kernel columns (PyTorch `dilation[1]`).
    public var dilationWidth: Int
    /// Output rows: ⌊(H + padTop + padBottom − dilationHeight·(kH − 1) − 1) / strideHeight⌋ + 1.
    public var outputHeight: Int
    /// Output columns, likewise from the width.
    public var outputWidth: Int

    /// Geometry with an explicitly given output size (used by the transposed convolution, whose
    /// "output" here is its input).
    public init(channels: Int, height: Int, width: Int, kernelHeight: Int, kernelWidth: Int,
                strideHeight: Int = 1, strideWidth: Int = 1, padTop: Int = 0, padLeft: Int = 0,
                dilationHeight: Int = 1, dilationWidth: Int = 1, outputHeight: Int, outputWidth: Int) {
        require(channels > 0 && height > 0 && width > 0, "ConvolutionWindow2D: empty image \(channels)×\(height)×\(width)")
        require(kernelHeight > 0 && kernelWidth > 0 && strideHeight > 0 && strideWidth > 0
                     && dilationHeight > 0 && dilationWidth > 0 && padTop >= 0 && padLeft >= 0,
                     "ConvolutionWindow2D: kernel, stride and dilation must be positive and padding non-negative")
        require(outputHeight > 0 && outputWidth > 0,
                     "ConvolutionWindow2D: the \(kernelHeight)×\(kernelWidth) window does not fit the \(height)×\(width) input")
        self.channels = channels; self.height = height; self.width = width
        self.kernelHeight = kernelHeight; self.kernelWidth = kernelWidth
        self.strideHeight = strideHeight; self.strideWidth = strideWidth
        self.padTop = padTop; self.padLeft = padLeft
        self.dilationHeight = dilationHeight; self.dilationWidth = dilationWidth
        self.outputHeight = outputHeight; self.outputWidth = outputWidth
    }

    /// Geometry from padding on all four sides: output = ⌊(n + before + after − d(k−1) − 1)/s⌋ + 1.
    public init(channels: Int, height: Int, width: Int, kernelHeight: Int, kernelWidth: Int,
                strideHeight: Int = 1, strideWidth: Int = 1,
                padTop: Int = 0, padBottom: Int = 0, padLeft: Int = 0, padRight: Int = 0,
                dilationHeight: Int = 1, dilationWidth: Int = 1) {
        let spanH = dilationHeight * (kernelHeight - 1) + 1, spanW = dilationWidth * (kernelWidth - 1) + 1
        let oh = height + padTop + padBottom >= spanH ? (height + padTop + padBottom - spanH) / strideHeight + 1 : 0
        let ow = width + padLeft + padRight >= spanW ? (width + padLeft + padRight - spanW) / strideWidth + 1 : 0
        self.init(channels: channels, height: height, width: width, kernelHeight: kernelHeight, kernelWidth: kernelWidth,
                  strideHeight: strideHeight, strideWidth: strideWidth, padTop: padTop, padLeft: padLeft,
                  dilationHeight: dilationHeight, dilationWidth: dilationWidth, outputHeight: oh, outputWidth: ow)
    }

    /// Rows of the column matrix: C·kh·kw (row index (c·kh + ki)·kw + kj, the layout of a PyTorch weight row).
    public var columnRows: Int { channels * kernelHeight * kernelWidth }
    /// Columns of the column matrix for one image: Ho·Wo.
    public var outputPixels: Int { outputHeight * outputWidth }
    /// Elements of one image: C·H·W.
    public var imageSize: Int { channels * height * width }

    /// For kernel column offset `kj`, the range of output columns whose input column is inside the image.
    @inline(__always) func validOutputColumns(_ kj: Int) -> (start: Int, end: Int) {
        let ix0 = kj * dilationWidth - padLeft
        let start = ix0 >= 0 ? 0 : (-ix0 + strideWidth - 1) / strideWidth
        let end = ix0 < width ? Swift.min(outputWidth, (width - 1 - ix0) / strideWidth + 1) : 0
        return (Swift.min(start, outputWidth), Swift.max(end, Swift.min(start, outputWidth)))
    }
}

// MARK: - fast kernels (one image)

/// Unfolds one image into columns: `col[(c·kh + ki)·kw + kj, oy·Wo + ox] = x[c, iy, ix]` (0 outside).
///
/// image: `[C, H, W]`; col: `[C·kh·kw, Ho·Wo]` with row stride `rowStride` (≥ Ho·Wo, so a batch can
/// share one wide matrix `[C·kh·kw, N·Ho·Wo]`). Every column entry is written (no pre-zeroing needed).
public func im2col(_ image: UnsafePointer<Float>, _ w: ConvolutionWindow2D,
                   into col: UnsafeMutablePointer<Float>, rowStride: Int) {
    let ho = w.outputHeight, wo = w.outputWidth, sw = w.strideWidth
    for c in 0..<w.channels {
        let plane = image + c * w.height * w.width
        for ki in 0..<w.kernelHeight {
            for kj in 0..<w.kernelWidth {
                let dst = col + ((c * w.kernelHeight + ki) * w.kernelWidth + kj) * rowStride
                let (start, end) = w.validOutputColumns(kj)
                let ix0 = kj * w.dilationWidth - w.padLeft
                for oy in 0..<ho {
                    let d = dst + oy * wo
                    let iy = oy * w.strideHeight - w.padTop + ki * w.dilationHeight
                    if iy < 0 || iy >= w.height {
                        d.update(repeating: 0, count: wo)
                        continue
                    }
                    let src = plane + iy * w.width + ix0
                    if start > 0 { d.update(repeating: 0, count: start) }
                    if sw == 1 {
                        (d + start).update(from: src + start, count: end - start)
                    } else if sw == 2 {
                        // constant stride: the compiler turns this into vector loads and shuffles
                        for ox in start..<end { d[ox] = src[2 &* ox] }
                    } else {
                        var ox = start
                        while ox < end { d[ox] = src[ox * sw]; ox += 1 }
                    }
                    if end < wo { (d + end).update(repeating: 0, count: wo - end) }
                }
            }
        }
    }
}

/// The adjoint of ``im2col``: folds columns back into one image, **adding** overlapping
/// contributions (`x[c, iy, ix] += col[…]`); padding positions are dropped. The caller zeroes `image`.
public func col2im(_ col: UnsafePointer<Float>, rowStride: Int, _ w: ConvolutionWindow2D,
                   into image: UnsafeMutablePointer<Float>) {
    let ho = w.outputHeight, wo = w.outputWidth, sw = w.strideWidth
    for c in 0..<w.channels {
        let plane = image + c * w.height * w.width
        for ki in 0..<w.kernelHeight {
            for kj in 0..<w.kernelWidth {
                let src = col + ((c * w.kernelHeight + ki) * w.kernelWidth + kj) * rowStride
                let (start, end) = w.validOutputColumns(kj)
                let ix0 = kj * w.dilationWidth - w.padLeft
                for oy in 0..<ho {
                    let iy = oy * w.strideHeight - w.padTop + ki * w.dilationHeight
                    if iy < 0 || iy >= w.height { continue }
                    let s = src + oy * wo
                    let d = plane + iy * w.width + ix0
                    if sw == 1 {
                        for ox in start..<end { d[ox] += s[ox] }
                    } else if sw == 2 {
                        for ox in start..<end { d[2 &* ox] += s[ox] }
                    } else {
                        var ox = start
                        while ox < end { d[ox * sw] += s[ox]; ox += 1 }
                    }
                }
            }
        }
    }
}

// MARK: - batches

/// Runs `body(n)` for every sample, in ``ParallelLoops`` parts (`workPerSample` floats of work each)
/// only while OpenBLAS runs single-threaded, so the two thread pools never compete for the cores.
public func forEachSample(_ count: Int, workPerSample: Int, _ body: (Int) -> Void) {
    guard BLASThreads.current == 1 else {
        for n in 0..<count { body(n) }
        return
    }
    ParallelLoops.forEachPart(count, cost: workPerSample) { r in for n in r { body(n) } }
}

/// im2col over a batch: images `[N, C, H, W]` → one wide matrix `[C·kh·kw, N·Ho·Wo]`
/// (sample n occupies columns `n·Ho·Wo ..< (n+1)·Ho·Wo`).
public func batchIm2col(_ images: UnsafePointer<Float>, batch: Int, _ w: ConvolutionWindow2D,
                        into col: UnsafeMutablePointer<Float>) {
    let stride = batch * w.outputPixels
    forEachSample(batch, workPerSample: w.columnRows * w.outputPixels) { n in
        im2col(images + n * w.imageSize, w, into: col + n * w.outputPixels, rowStride: stride)
    }
}

/// col2im over a batch: `[C·kh·kw, N·Ho·Wo]` → images `[N, C, H, W]` (added into; caller zeroes).
public func batchCol2im(_ col: UnsafePointer<Float>, batch: Int, _ w: ConvolutionWindow2D,
                        into images: UnsafeMutablePointer<Float>) {
    let stride = batch * w.outputPixels
    forEachSample(batch, workPerSample: w.columnRows * w.outputPixels) { n in
        col2im(col + n * w.outputPixels, rowStride: stride, w, into: images + n * w.imageSize)
    }
}

/// `[N, C, P]` → `[C, N·P]` (swaps the batch and channel axes; blocks of P stay contiguous).
public func swapBatchAndChannels(_ src: UnsafePointer<Float>, batch: Int, channels: Int, pixels: Int,
                                 into dst: UnsafeMutablePointer<Float>) {
    for n in 0..<batch {
        for c in 0..<channels {
            (dst + (c * batch + n) * pixels).update(from: src + (n * channels + c) * pixels, count: pixels)
        }
    }
}

/// `[C, N·P]` → `[N, C, P]`, the inverse of ``swapBatchAndChannels(_:batch:channels:pixels:into:)``.
public func unswapBatchAndChannels(_ src: UnsafePointer<Float>, batch: Int, channels: Int, pixels: Int,
                                   into dst: UnsafeMutablePointer<Float>) {
    for n in 0..<batch {
        for c in 0..<channels {
            (dst + (n * channels + c) * pixels).update(from: src + (c * batch + n) * pixels, count: pixels)
        }
    }
}

// MARK: - 1-D

/// The one-dimensional window (`[C, L]` images) is the 2-D window with height 1 and a 1-tall kernel.
public func convolutionWindow1D(channels: Int, length: Int, kernel: Int, stride: Int = 1,
                                padLeft: Int = 0, padRight: Int = 0, dilation: Int = 1) -> ConvolutionWindow2D {
    ConvolutionWindow2D(channels: channels, height: 1, width: length, kernelHeight: 1, kernelWidth: kernel,
                        strideWidth: stride, padLeft: padLeft, padRight: padRight, dilationWidth: dilation)
}

/// im2col of a `[C, L]` signal: `col[c·k + j, o] = x[c, o·s − p + j·d]` → `[C·k, Lo]`.
public func im2col1D(_ signal: UnsafePointer<Float>, _ w: ConvolutionWindow2D,
                     into col: UnsafeMutablePointer<Float>, rowStride: Int) {
    require(w.height == 1 && w.kernelHeight == 1, "im2col1D: needs a 1-D window (height 1)")
    im2col(signal, w, into: col, rowStride: rowStride)
}

/// col2im of a `[C, L]` signal (adds into `signal`).
public func col2im1D(_ col: UnsafePointer<Float>, rowStride: Int, _ w: ConvolutionWindow2D,
                     into signal: UnsafeMutablePointer<Float>) {
    require(w.height == 1 && w.kernelHeight == 1, "col2im1D: needs a 1-D window (height 1)")
    col2im(col, rowStride: rowStride, w, into: signal)
}

// MARK: - slow references (the definitions the fast kernels are tested against)

/// im2col written straight from the definition, one bounds check per element. image `[C, H, W]` → `[C·kh·kw, Ho·Wo]`.
public func referenceIm2col(_ image: [Float], _ w: ConvolutionWindow2D) -> [Float] {
    var col = [Float](repeating: 0, count: w.columnRows * w.outputPixels)
    for c in 0..<w.channels { for ki in 0..<w.kernelHeight { for kj in 0..<w.kernelWidth {
        let row = (c * w.kernelHeight + ki) * w.kernelWidth + kj
        for oy in 0..<w.outputHeight { for ox in 0..<w.outputWidth {
            let iy = oy * w.strideHeight - w.padTop + ki * w.dilationHeight
            let ix = ox * w.strideWidth - w.padLeft + kj * w.dilationWidth
            if iy >= 0 && iy < w.height && ix >= 0 && ix < w.width {
                col[row * w.outputPixels + oy * w.outputWidth + ox] = image[(c * w.height + iy) * w.width + ix]
            }
        } }
    } } }
    return col
}

/// col2im from the definition: `[C·kh·kw, Ho·Wo]` → image `[C, H, W]` (sum of contributions).
public func referenceCol2im(_ col: [Float], _ w: ConvolutionWindow2D) -> [Float] {
    var image = [Float](repeating: 0, count: w.imageSize)
    for c in 0..<w.channels { for ki in 0..<w.kernelHeight { for kj in 0..<w.kernelWidth {
        let row = (c * w.kernelHeight + ki) * w.kernelWidth + kj
        for oy in 0..<w.outputHeight { for ox in 0..<w.outputWidth {
            let iy = oy * w.strideHeight - w.padTop + ki * w.dilationHeight
            let ix = ox * w.strideWidth - w.padLeft + kj * w.dilationWidth
            if iy >= 0 && iy < w.height && ix >= 0 && ix < w.width {
                image[(c * w.height + iy) * w.width + ix] += col[row * w.outputPixels + oy * w.outputWidth + ox]
            }
        } }
    } } }
    return image
}

/// 1-D im2col from the definition: signal `[C, L]` → `[C·k, Lo]`, `col[c·k + j, o] = x[c, o·s − p + j·d]`.
public func referenceIm2col1D(_ signal: [Float], channels: Int, length: Int, kernel: Int,
                              stride: Int, padding: Int, dilation: Int, outputLength: Int) -> [Float] {
    var col = [Float](repeating: 0, count: channels * kernel * outputLength)
    for c in 0..<channels { for j in 0..<kernel { for o in 0..<outputLength {
        let i = o * stride - padding + j * dilation
        if i >= 0 && i < length { col[(c * kernel + j) * outputLength + o] = signal[c * length + i] }
    } } }
    return col
}

/// 1-D col2im from the definition: `[C·k, Lo]` → signal `[C, L]`.
public func referenceCol2im1D(_ col: [Float], channels: Int, length: Int, kernel: Int,
                              stride: Int, padding: Int, dilation: Int, outputLength: Int) -> [Float] {
    var signal = [Float](repeating: 0, count: channels * length)
    for c in 0..<channels { for j in 0..<kernel { for o in 0..<outputLength {
        let i = o * stride - padding + j * dilation
        if i >= 0 && i < length { signal[c * length + i] += col[(c * kernel + j) * outputLength + o] }
    } } }
    return signal
}

// MARK: - buffer reuse

/// A reusable scratch array for column matrices. A convolution layer owns one; each forward takes
/// the array (no reallocation when it is big enough) and gives it back once its backward — which
/// needs the columns — has run. Not thread-safe: one layer, one forward at a time.
public final class ColumnWorkspace {
    var buffer: [Float] = []
    /// An empty workspace; the first forward allocates the buffer, later ones reuse it.
    public init() {}

    /// An array of exactly `count` elements whose contents are unspecified (callers overwrite them).
    public func take(_ count: Int) -> [Float] {
        var b = buffer
        buffer = []
        if b.count == count { return b }
        if b.capacity >= count {
            if b.count > count { b.removeLast(b.count - count) } else { b.append(contentsOf: repeatElement(0, count: count - b.count)) }
            return b
        }
        return [Float](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    }

    /// Returns an array for later reuse (keeps the larger of the held and the given one).
    public func give(_ b: [Float]) {
        if b.capacity > buffer.capacity { buffer = b }
    }
}

/// Allocates an array whose contents the caller will overwrite entirely (skips zero-filling).
@inline(__always)
public func uninitializedFloats(_ count: Int) -> [Float] {
    [Float](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
}
