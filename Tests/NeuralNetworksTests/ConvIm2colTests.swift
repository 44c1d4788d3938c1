import XCTest
@testable import IllusionNeuralNetworks

/// The fast im2col/col2im kernels against their slow reference definitions (2-D and 1-D),
/// including asymmetric padding, strides, dilations and the batched wide-matrix layout.
final class ConvIm2colTests: XCTestCase {
    /// Random geometries: odd and even sizes, stride 1–3, padding 0–2 (independent per side), dilation 1–2.
    static func randomWindows(count: Int, seed: UInt64) -> [ConvolutionWindow2D] {
        var rng = RandomGenerator(seed: seed)
        var out: [ConvolutionWindow2D] = []
        while out.count < count {
            func r(_ lo: Int, _ hi: Int) -> Int { lo + rng.nextInt(below: hi - lo + 1) }
            let h = r(1, 9), w = r(1, 9), kh = r(1, 4), kw = r(1, 4), dh = r(1, 2), dw = r(1, 2)
            let top = r(0, 2), bottom = r(0, 2), left = r(0, 2), right = r(0, 2)
            guard h + top + bottom >= dh * (kh - 1) + 1, w + left + right >= dw * (kw - 1) + 1 else { continue }
            out.append(ConvolutionWindow2D(channels: r(1, 3), height: h, width: w, kernelHeight: kh, kernelWidth: kw,
                                           strideHeight: r(1, 3), strideWidth: r(1, 3), padTop: top, padBottom: bottom,
                                           padLeft: left, padRight: right, dilationHeight: dh, dilationWidth: dw))
        }
        return out
    }

    func testIm2colAndCol2imMatchReference() {
        var rng = RandomGenerator(seed: 5)
        for win in Self.randomWindows(count: 200, seed: 11) {
            let image = Tensor.normal([win.imageSize], rng: &rng).storage
            var col = [Float](repeating: .nan, count: win.columnRows * win.outputPixels)
            image.withUnsafeBufferPointer { i in col.withUnsafeMutableBufferPointer { c in
                im2col(i.baseAddress!, win, into: c.baseAddress!, rowStride: win.outputPixels)
            } }
            XCTAssertEqual(col, referenceIm2col(image, win), "\(win)")
            let g = Tensor.normal([col.count], rng: &rng).storage
            var back = [Float](repeating: 0, count: win.imageSize)
            g.withUnsafeBufferPointer { c in back.withUnsafeMutableBufferPointer { i in
                col2im(c.baseAddress!, rowStride: win.outputPixels, win, into: i.baseAddress!)
            } }
            XCTAssertLessThanOrEqual(maxRelativeDifference(back, referenceCol2im(g, win)), 1e-6, "\(win)")
        }
    }

    /// Rows long enough for the inline copies (8–256 floats, the last block overlapping) and for
    /// `memmove` (> 256), with padding runs of 0–3 floats, against the reference.
    func testLongRowsMatchReference() {
        var rng = RandomGenerator(seed: 9)
        for (width, pad, kernel) in [(8, 0, 1), (9, 0, 1), (11, 1, 3), (13, 0, 3), (26, 1, 3), (40, 3, 3), (264, 0, 3), (300, 1, 3)] {
            let win = ConvolutionWindow2D(channels: 2, height: 5, width: width, kernelHeight: kernel, kernelWidth: kernel,
                                          strideHeight: 1, strideWidth: 1, padTop: pad, padBottom: pad, padLeft: pad, padRight: pad)
            let image = Tensor.normal([win.imageSize], rng: &rng).storage
            var col = [Float](repeating: .nan, count: win.columnRows * win.outputPixels)
            image.withUnsafeBufferPointer { i in col.withUnsafeMutableBufferPointer { c in
                im2col(i.baseAddress!, win, into: c.baseAddress!, rowStride: win.outputPixels)
            } }
            XCTAssertEqual(col, referenceIm2col(image, win), "width \(width) padding \(pad) kernel \(kernel)")
        }
    }

    func testBatchedWideMatrixEqualsPerSampleColumns() {
        var rng = RandomGenerator(seed: 6)
        for win in Self.randomWindows(count: 30, seed: 12) {
            let n = 3, p = win.outputPixels
            let images = Tensor.normal([n * win.imageSize], rng: &rng).storage
            var wide = [Float](repeating: .nan, count: win.columnRows * n * p)
            images.withUnsafeBufferPointer { i in wide.withUnsafeMutableBufferPointer { c in
                batchIm2col(i.baseAddress!, batch: n, win, into: c.baseAddress!)
            } }
            for s in 0..<n {
                let ref = referenceIm2col(Array(images[(s * win.imageSize)..<((s + 1) * win.imageSize)]), win)
                for r in 0..<win.columnRows {
                    let start: Int = r * n * p + s * p
                    XCTAssertEqual(Array(wide[start..<(start + p)]), Array(ref[(r * p)..<(r * p + p)]))
                }
            }
            var back = [Float](repeating: 0, count: n * win.imageSize)
            wide.withUnsafeBufferPointer { c in back.withUnsafeMutableBufferPointer { i in
                batchCol2im(c.baseAddress!, batch: n, win, into: i.baseAddress!)
            } }
            for s in 0..<n {
                var sampleCols: [Float] = []
                for r in 0..<win.columnRows {
                    let start: Int = r * n * p + s * p
                    sampleCols += wide[start..<(start + p)]
                }
                let size = win.imageSize
                let sample = Array(back[(s * size)..<((s + 1) * size)])
                XCTAssertLessThanOrEqual(maxRelativeDifference(sample, referenceCol2im(sampleCols, win)), 1e-6)
            }
        }
    }

    func testIm2col1DMatchesReference() {
        var rng = RandomGenerator(seed: 7)
        for _ in 0..<100 {
            let c = 1 + rng.nextInt(below: 3), l = 1 + rng.nextInt(below: 15), k = 1 + rng.nextInt(below: 4)
            let s = 1 + rng.nextInt(below: 3), p = rng.nextInt(below: 3), d = 1 + rng.nextInt(below: 2)
            guard l + 2 * p >= d * (k - 1) + 1 else { continue }
            let win = convolutionWindow1D(channels: c, length: l, kernel: k, stride: s, padLeft: p, padRight: p, dilation: d)
            XCTAssertEqual(win.outputWidth, ConvolutionGeometry.outputSize(inputSize: l, kernelSize: k, stride: s, padding: p, dilation: d))
            let x = Tensor.normal([c * l], rng: &rng).storage
            var col = [Float](repeating: .nan, count: c * k * win.outputWidth)
            x.withUnsafeBufferPointer { xp in col.withUnsafeMutableBufferPointer { cp in
                im2col1D(xp.baseAddress!, win, into: cp.baseAddress!, rowStride: win.outputWidth)
            } }
            XCTAssertEqual(col, referenceIm2col1D(x, channels: c, length: l, kernel: k, stride: s, padding: p, dilation: d,
                                                  outputLength: win.outputWidth))
            var back = [Float](repeating: 0, count: c * l)
            col.withUnsafeBufferPointer { cp in back.withUnsafeMutableBufferPointer { xp in
                col2im1D(cp.baseAddress!, rowStride: win.outputWidth, win, into: xp.baseAddress!)
            } }
            XCTAssertLessThanOrEqual(maxRelativeDifference(back, referenceCol2im1D(col, channels: c, length: l, kernel: k, stride: s,
                                                                                   padding: p, dilation: d, outputLength: win.outputWidth)), 1e-6)
        }
    }

    func testParallelIm2colWithSingleThreadedBLASMatchesSerial() {
        let previous = BLASThreads.current
        defer { BLASThreads.set(previous) }
        var rng = RandomGenerator(seed: 8)
        let win = ConvolutionWindow2D(channels: 8, height: 32, width: 32, kernelHeight: 3, kernelWidth: 3,
                                      strideHeight: 2, strideWidth: 2, padTop: 1, padBottom: 1, padLeft: 1, padRight: 1)
        let n = 6, images = Tensor.normal([n * win.imageSize], rng: &rng).storage
        func run() -> [Float] {
            var col = [Float](repeating: 0, count: win.columnRows * n * win.outputPixels)
            images.withUnsafeBufferPointer { i in col.withUnsafeMutableBufferPointer { c in
                batchIm2col(i.baseAddress!, batch: n, win, into: c.baseAddress!)
            } }
            return col
        }
        BLASThreads.set(1)
        let parallel = run()
        BLASThreads.set(2)
        XCTAssertEqual(parallel, run())
    }

    func testColumnWorkspaceReusesItsBuffer() {
        let ws = ColumnWorkspace()
        var a = ws.take(1000)
        a[0] = 1
        let address = a.withUnsafeBufferPointer { $0.baseAddress }
        ws.give(a)
        a = []
        let b = ws.take(800)
        XCTAssertEqual(b.count, 800)
        XCTAssertEqual(b.withUnsafeBufferPointer { $0.baseAddress }, address)
    }

    func testSGEMVMatchesReference() {
        var rng = RandomGenerator(seed: 9)
        for (rows, cols) in [(1, 1), (3, 7), (17, 5), (64, 33)] {
            let a = Tensor.normal([rows * cols], rng: &rng).storage
            for transA in [false, true] {
                let x = Tensor.normal([transA ? rows : cols], rng: &rng).storage
                var y = [Float](repeating: 0, count: transA ? cols : rows)
                a.withUnsafeBufferPointer { ap in x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in
                    sgemv(transA: transA, rows: rows, cols: cols, a: ap.baseAddress!, lda: cols, x: xp.baseAddress!, y: yp.baseAddress!)
                } } }
                XCTAssertLessThanOrEqual(maxRelativeDifference(y, referenceGEMV(transA: transA, rows: rows, cols: cols, a: a, x: x)), 1e-5)
            }
        }
    }
}
