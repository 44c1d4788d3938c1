import XCTest
@testable import IllusionNeuralNetworks

/// The chunked, multi-threaded convolution path (``conv2d``, ``convTranspose2d``) against the
/// whole-batch reference (``conv2dWholeBatch``, ``convTranspose2dWholeBatch``): values and all
/// three gradients, with our threads (OpenBLAS single-threaded) and with OpenBLAS threads.
final class ConvChunkedEngineTests: XCTestCase {
    struct Case {
        var n: Int, c: Int, cOut: Int, h: Int, w: Int, k: Int, stride: Int, pad: Int, outputPadding = 0
    }

    static let conv: [Case] = [
        Case(n: 5, c: 3, cOut: 4, h: 9, w: 7, k: 3, stride: 2, pad: 1),    // small samples: several per chunk
        Case(n: 3, c: 32, cOut: 1, h: 32, w: 32, k: 3, stride: 1, pad: 1), // the fashion VAE's output conv
        Case(n: 4, c: 6, cOut: 5, h: 8, w: 8, k: 1, stride: 1, pad: 0),    // pointwise: no im2col
        Case(n: 2, c: 3, cOut: 8, h: 130, w: 130, k: 3, stride: 2, pad: 1), // one sample per chunk
        Case(n: 1, c: 2, cOut: 3, h: 5, w: 6, k: 2, stride: 1, pad: 0),
        Case(n: 4, c: 12, cOut: 3, h: 9, w: 11, k: 5, stride: 1, pad: 2),  // transposed route, k 5
        Case(n: 3, c: 8, cOut: 2, h: 7, w: 6, k: 3, stride: 1, pad: 0),    // transposed route, padding k−1
    ]

    static let transposed: [Case] = [
        Case(n: 5, c: 4, cOut: 3, h: 4, w: 5, k: 3, stride: 2, pad: 1, outputPadding: 1),
        Case(n: 3, c: 16, cOut: 8, h: 40, w: 40, k: 3, stride: 2, pad: 1, outputPadding: 1),
        Case(n: 2, c: 3, cOut: 2, h: 6, w: 6, k: 1, stride: 1, pad: 0),
    ]

    func compare(_ fast: Tensor, _ reference: Tensor, _ what: String, tolerance: Float = 2e-5) {
        XCTAssertEqual(fast.shape, reference.shape, what)
        XCTAssertLessThan(maxRelativeDifference(fast.storage, reference.storage), tolerance, what)
    }

    func grads(_ ts: [Tensor]) -> [[Float]] { ts.map { $0.grad ?? [] } }

    func run(_ body: () -> Void) {
        let saved = ComputeContext.current
        defer { saved.apply() }
        ComputeContext.layers(2).apply()
        body()              // our threads, OpenBLAS single-threaded
        ComputeContext.gemmBound(2).apply()
        body()              // OpenBLAS threads, chunks in sequence
    }

    func testConv2DMatchesWholeBatch() {
        run {
            for (i, c) in Self.conv.enumerated() {
                var rng = RandomGenerator(seed: UInt64(10 + i))
                let x = Tensor.normal([c.n, c.c, c.h, c.w], rng: &rng, requiresGrad: true)
                let w = Tensor.normal([c.cOut, c.c, c.k, c.k], rng: &rng, requiresGrad: true)
                let b = Tensor.normal([c.cOut], rng: &rng, requiresGrad: true)
                let pad = ConvPadding.explicit(Size2D(c.pad))
                let yFast = conv2d(x, w, b, stride: Size2D(c.stride), padding: pad, workspace: ColumnWorkspace())
                let seed = Tensor.normal(yFast.shape, rng: &rng).storage
                yFast.backward(gradient: seed)
                let fastGrads = grads([x, w, b])
                x.grad = nil; w.grad = nil; b.grad = nil
                let yRef = conv2dWholeBatch(x, w, b, stride: Size2D(c.stride), padding: pad)
                yRef.backward(gradient: seed)
                compare(yFast, yRef, "conv case \(i) values")
                for (j, (f, r)) in zip(fastGrads, grads([x, w, b])).enumerated() {
                    XCTAssertLessThan(maxRelativeDifference(f, r), 1e-4, "conv case \(i) gradient \(j)")
                }
            }
        }
    }

    /// The forward's kept column matrices give the backward the bits that recomputing them gives
    /// (dW, db and dx, several samples per chunk and one per chunk), at both thread set-ups.
    func testKeptColumnsGiveTheRecomputedGradients() {
        run {
            for (i, c) in Self.conv.enumerated() {
                var rng = RandomGenerator(seed: UInt64(40 + i))
                let x = Tensor.normal([c.n, c.c, c.h, c.w], rng: &rng).storage
                let w = Tensor.normal([c.cOut, c.c * c.k * c.k], rng: &rng).storage
                let bias = Tensor.normal([c.cOut], rng: &rng).storage
                let win = ConvolutionGeometry.window(channels: c.c, height: c.h, width: c.w, kernelSize: Size2D(c.k),
                                                     stride: Size2D(c.stride), padding: .explicit(Size2D(c.pad)), dilation: 1)
                let g = Tensor.normal([c.n * c.cOut * win.outputPixels], rng: &rng).storage
                var y = [Float](repeating: 0, count: g.count), yKept = y
                var results: [([Float]?, [Float]?, [Float])] = []
                var saved: SavedColumns? = nil
                for keep in [false, true] {
                    x.withUnsafeBufferPointer { xp in w.withUnsafeBufferPointer { wp in bias.withUnsafeBufferPointer { bp in
                        g.withUnsafeBufferPointer { gp in
                            var out = [Float](repeating: 0, count: g.count)
                            out.withUnsafeMutableBufferPointer { yp in
                                saved = conv2dForwardChunked(x: xp.baseAddress!, batch: c.n, window: win, weight: wp.baseAddress!,
                                                             outChannels: c.cOut, bias: bp.baseAddress!, y: yp.baseAddress!,
                                                             workspace: nil, keepColumns: keep)
                            }
                            if keep { yKept = out } else { y = out }
                            var dx = [Float](repeating: .nan, count: x.count)
                            let r = dx.withUnsafeMutableBufferPointer { dp in
                                conv2dBackwardChunked(x: xp.baseAddress!, batch: c.n, window: win, weight: wp.baseAddress!,
                                                      outChannels: c.cOut, gradient: gp.baseAddress!, wantWeight: true, wantBias: true,
                                                      dx: dp.baseAddress!, workspace: nil, saved: saved)
                            }
                            results.append((r.dw, r.db, dx))
                        }
                    } } }
                    if keep {
                        let b = ConvolutionEngine.chunkSamples(batch: c.n, floatsPerSample: win.columnRows * win.outputPixels)
                        XCTAssertEqual(saved != nil, !(isPointwise(win) && b == 1), "case \(i): small columns are kept (a pointwise sample is its own)")
                    }
                }
                XCTAssertEqual(y, yKept, "case \(i) values")
                XCTAssertEqual(results[0].0, results[1].0, "case \(i) dW")
                XCTAssertEqual(results[0].1, results[1].1, "case \(i) db")
                XCTAssertEqual(results[0].2, results[1].2, "case \(i) dx")
            }
        }
    }

    func testConvTranspose2DMatchesWholeBatch() {
        run {
            for (i, c) in Self.transposed.enumerated() {
                var rng = RandomGenerator(seed: UInt64(20 + i))
                let x = Tensor.normal([c.n, c.c, c.h, c.w], rng: &rng, requiresGrad: true)
                let w = Tensor.normal([c.c, c.cOut, c.k, c.k], rng: &rng, requiresGrad: true)
                let b = Tensor.normal([c.cOut], rng: &rng, requiresGrad: true)
                let s = Size2D(c.stride), p = Size2D(c.pad), op = Size2D(c.outputPadding)
                let yFast = convTranspose2d(x, w, b, stride: s, padding: p, outputPadding: op, workspace: ColumnWorkspace())
                let seed = Tensor.normal(yFast.shape, rng: &rng).storage
                yFast.backward(gradient: seed)
                let fastGrads = grads([x, w, b])
                x.grad = nil; w.grad = nil; b.grad = nil
                let yRef = convTranspose2dWholeBatch(x, w, b, stride: s, padding: p, outputPadding: op)
                yRef.backward(gradient: seed)
                compare(yFast, yRef, "transposed case \(i) values")
                for (j, (f, r)) in zip(fastGrads, grads([x, w, b])).enumerated() {
                    XCTAssertLessThan(maxRelativeDifference(f, r), 1e-4, "transposed case \(i) gradient \(j)")
                }
            }
        }
    }

    /// Which convolutions take the transposed route: stride 1, no dilation, symmetric padding,
    /// Cout ≤ C/2 — and nothing else.
    func testNarrowOutputRouteSelection() {
        func window(_ c: Int, stride: Int = 1, padding: ConvPadding = 1, dilation: Int = 1, k: Int = 3) -> ConvolutionWindow2D {
            ConvolutionGeometry.window(channels: c, height: 8, width: 8, kernelSize: Size2D(k), stride: Size2D(stride),
                                       padding: padding, dilation: Size2D(dilation))
        }
        XCTAssertEqual(narrowOutputPadding(window(32), outChannels: 1), Size2D(1))      // the fashion VAE's last conv
        XCTAssertEqual(narrowOutputPadding(window(4, padding: 0, k: 5), outChannels: 2), Size2D(4))
        XCTAssertNil(narrowOutputPadding(window(32, stride: 2), outChannels: 1))
        XCTAssertNil(narrowOutputPadding(window(32, dilation: 2), outChannels: 1))
        XCTAssertNil(narrowOutputPadding(window(32), outChannels: 17))
        XCTAssertNil(narrowOutputPadding(window(32, padding: .same, k: 4), outChannels: 1))  // asymmetric "same"
        XCTAssertNil(narrowOutputPadding(window(32, padding: 3), outChannels: 1))            // p > k−1
    }

    /// Only the gradients that are asked for are computed (input without requiresGrad, no bias).
    func testPartialGradients() {
        run {
            var rng = RandomGenerator(seed: 3)
            let x = Tensor.normal([3, 2, 6, 6], rng: &rng)
            let w = Tensor.normal([4, 2, 3, 3], rng: &rng, requiresGrad: true)
            let y = conv2d(x, w, nil, padding: 1)
            y.sum().backward()
            let fast = w.grad!
            w.grad = nil
            conv2dWholeBatch(x, w, nil, padding: 1).sum().backward()
            XCTAssertLessThan(maxRelativeDifference(fast, w.grad!), 1e-4)
            XCTAssertNil(x.grad)
        }
    }
}
