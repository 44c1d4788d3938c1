import XCTest
@testable import IllusionNeuralNetworks

/// Convolution is a matrix: conv(x) = T·vec(x), convTranspose(y) = Tᵀ·vec(y) with the same weights,
/// and the adjoint identity ⟨conv(x), y⟩ = ⟨x, convᵀ(y)⟩ (docs/theory/convolution.md).
final class TheoryConvolutionMatrixTests: XCTestCase {
    struct Case {
        var c: Int, cOut: Int, h: Int, w: Int, k: Size2D, s: Size2D, p: Size2D, d: Size2D
    }
    static let cases: [Case] = [
        Case(c: 1, cOut: 1, h: 5, w: 5, k: 3, s: 1, p: 0, d: 1),
        Case(c: 2, cOut: 3, h: 6, w: 5, k: 3, s: 2, p: 1, d: 1),
        Case(c: 2, cOut: 2, h: 7, w: 8, k: Size2D(2, 3), s: Size2D(3, 2), p: Size2D(2, 0), d: 1),
        Case(c: 1, cOut: 2, h: 9, w: 7, k: 3, s: 2, p: 2, d: 2),
        Case(c: 3, cOut: 1, h: 8, w: 8, k: 4, s: 3, p: 1, d: Size2D(1, 2)),
    ]

    var rng = RandomGenerator(seed: 77)

    func window(_ t: Case) -> ConvolutionWindow2D {
        ConvolutionGeometry.window(channels: t.c, height: t.h, width: t.w, kernelSize: t.k, stride: t.s,
                                   padding: .explicit(t.p), dilation: t.d)
    }

    /// The output padding that makes the transposed convolution return exactly an h × w image.
    func outputPadding(_ t: Case, _ win: ConvolutionWindow2D) -> Size2D {
        Size2D(t.h - ConvolutionGeometry.transposedOutputSize(inputSize: win.outputHeight, kernelSize: t.k.height, stride: t.s.height,
                                                              padding: t.p.height, dilation: t.d.height),
               t.w - ConvolutionGeometry.transposedOutputSize(inputSize: win.outputWidth, kernelSize: t.k.width, stride: t.s.width,
                                                              padding: t.p.width, dilation: t.d.width))
    }

    func testConvolutionEqualsToeplitzMatrixTimesVector() {
        for t in Self.cases {
            let win = window(t)
            let weight = Tensor.normal([t.cOut, t.c, t.k.height, t.k.width], rng: &rng)
            let x = Tensor.normal([1, t.c, t.h, t.w], rng: &rng)
            let matrix = convolutionMatrix(weight: weight.storage, outChannels: t.cOut, window: win)
            let y = conv2d(x, weight, nil, stride: t.s, padding: .explicit(t.p), dilation: t.d)
            let ty = referenceMatrixVector(matrix, rows: t.cOut * win.outputPixels, cols: win.imageSize, x.storage)
            XCTAssertLessThanOrEqual(maxRelativeDifference(y.storage, ty), 1e-5, "\(t)")
        }
    }

    func testTransposedConvolutionEqualsTransposedMatrixTimesVector() {
        for t in Self.cases {
            let win = window(t)
            // The same weight tensor: as Conv2d it is [Cout, C, kh, kw]; as the ConvTranspose2d from
            // Cout back to C channels PyTorch reads it as [in = Cout, out = C, kh, kw] — the same memory.
            let weight = Tensor.normal([t.cOut, t.c, t.k.height, t.k.width], rng: &rng)
            let y = Tensor.normal([1, t.cOut, win.outputHeight, win.outputWidth], rng: &rng)
            let matrix = convolutionMatrix(weight: weight.storage, outChannels: t.cOut, window: win)
            let op = outputPadding(t, win)
            let back = convTranspose2d(y, weight, nil, stride: t.s, padding: t.p, outputPadding: op, dilation: t.d)
            XCTAssertEqual(back.shape, [1, t.c, t.h, t.w])
            let tty = referenceMatrixVector(matrix, rows: t.cOut * win.outputPixels, cols: win.imageSize, y.storage, transposed: true)
            XCTAssertLessThanOrEqual(maxRelativeDifference(back.storage, tty), 1e-5, "\(t)")
        }
    }

    func testStrideOneMatrixIsDoublyBlockToeplitz() {
        // One channel, stride 1: T[(oy, ox), (iy, ix)] depends only on (iy − oy, ix − ox).
        let win = ConvolutionWindow2D(channels: 1, height: 5, width: 6, kernelHeight: 3, kernelWidth: 2,
                                      padTop: 1, padBottom: 1, padLeft: 1, padRight: 1)
        let weight = (1...6).map(Float.init)
        let matrix = convolutionMatrix(weight: weight, outChannels: 1, window: win)
        var byOffset: [[Int]: Float] = [:]
        for oy in 0..<win.outputHeight { for ox in 0..<win.outputWidth { for iy in 0..<5 { for ix in 0..<6 {
            let v = matrix[(oy * win.outputWidth + ox) * 30 + iy * 6 + ix]
            let key = [iy - oy, ix - ox]
            if let seen = byOffset[key] { XCTAssertEqual(v, seen, "offset \(key)") } else { byOffset[key] = v }
        } } } }
        // The nonzero diagonals are exactly the kernel taps: offset (ki − p, kj − p) ↦ w[ki, kj].
        for ki in 0..<3 { for kj in 0..<2 { XCTAssertEqual(byOffset[[ki - 1, kj - 1]], weight[ki * 2 + kj]) } }
        XCTAssertEqual(byOffset.values.filter { $0 != 0 }.count, 6)
    }

    func testAdjointIdentity() {
        for t in Self.cases {
            let win = window(t)
            let weight = Tensor.normal([t.cOut, t.c, t.k.height, t.k.width], rng: &rng)
            let x = Tensor.normal([2, t.c, t.h, t.w], rng: &rng)
            let y = Tensor.normal([2, t.cOut, win.outputHeight, win.outputWidth], rng: &rng)
            let convX = conv2d(x, weight, nil, stride: t.s, padding: .explicit(t.p), dilation: t.d)
            let convTY = convTranspose2d(y, weight, nil, stride: t.s, padding: t.p, outputPadding: outputPadding(t, win), dilation: t.d)
            let lhs = zip(convX.storage, y.storage).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            let rhs = zip(x.storage, convTY.storage).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            XCTAssertEqual(lhs, rhs, accuracy: 1e-4 * max(1, abs(lhs)), "\(t)")
        }
    }

    func testConvolutionBackwardIsTransposedConvolution() {
        // dL/dx of conv for an upstream gradient g is convᵀ(g): backward of one is forward of the other.
        for t in Self.cases {
            let win = window(t)
            let weight = Tensor.normal([t.cOut, t.c, t.k.height, t.k.width], rng: &rng)
            let x = Tensor.normal([2, t.c, t.h, t.w], rng: &rng, requiresGrad: true)
            let g = Tensor.normal([2, t.cOut, win.outputHeight, win.outputWidth], rng: &rng)
            conv2d(x, weight, nil, stride: t.s, padding: .explicit(t.p), dilation: t.d).backward(gradient: g.storage)
            let convTG = convTranspose2d(g, weight, nil, stride: t.s, padding: t.p, outputPadding: outputPadding(t, win), dilation: t.d)
            XCTAssertLessThanOrEqual(maxRelativeDifference(x.grad!, convTG.storage), 1e-5, "\(t)")
        }
    }
}
