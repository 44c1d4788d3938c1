import Foundation
import XCTest
@testable import IllusionNeuralNetworks

/// The convolution theorem with our radix-2 FFT, and correlation versus convolution (kernel flip).
final class TheoryFFTTests: XCTestCase {
    var rng = RandomGenerator(seed: 31)
    func randoms(_ n: Int) -> [Double] { (0..<n).map { _ in Double(rng.nextNormal()) } }

    func testFFTMatchesTheDefinitionAndInverts() {
        for n in [1, 2, 4, 8, 16, 64] {
            let x = randoms(n), xi = randoms(n)
            var re = x, im = xi
            FFT.transform(&re, &im)
            for k in 0..<n {
                var sRe = 0.0, sIm = 0.0
                for j in 0..<n {
                    let a = -2 * Double.pi * Double(j * k) / Double(n)
                    sRe += x[j] * cos(a) - xi[j] * sin(a); sIm += x[j] * sin(a) + xi[j] * cos(a)
                }
                XCTAssertEqual(re[k], sRe, accuracy: 1e-9); XCTAssertEqual(im[k], sIm, accuracy: 1e-9)
            }
            FFT.transform(&re, &im, inverse: true)
            for j in 0..<n { XCTAssertEqual(re[j], x[j], accuracy: 1e-12); XCTAssertEqual(im[j], xi[j], accuracy: 1e-12) }
        }
    }

    func testConvolutionTheorem1D() {
        for (na, nb) in [(1, 1), (5, 3), (16, 16), (17, 4), (100, 9)] {
            let a = randoms(na), b = randoms(nb)
            let viaFFT = FFT.convolve(a, b), direct = directConvolution(a, b)
            XCTAssertEqual(viaFFT.count, na + nb - 1)
            for (u, v) in zip(viaFFT, direct) { XCTAssertEqual(u, v, accuracy: 1e-9) }
        }
    }

    func testConvolutionTheorem2D() {
        for (ra, ca, rb, cb) in [(5, 6, 3, 3), (8, 8, 2, 5), (7, 3, 4, 1)] {
            let a = randoms(ra * ca), b = randoms(rb * cb)
            let viaFFT = FFT.convolve2D(a, rows: ra, cols: ca, b, rows: rb, cols: cb)
            let direct = directConvolution2D(a, rows: ra, cols: ca, b, rows: rb, cols: cb)
            XCTAssertEqual(viaFFT.count, (ra + rb - 1) * (ca + cb - 1))
            for (u, v) in zip(viaFFT, direct) { XCTAssertEqual(u, v, accuracy: 1e-9) }
        }
    }

    func testCrossCorrelationIsConvolutionWithFlippedKernel() {
        let x = randoms(12), w = randoms(4)
        let corr = directCrossCorrelation(x, w)
        let full = directConvolution(x, Array(w.reversed()))
        // The "valid" part of the full convolution: indices k−1 ..< n.
        let valid = Array(full[(w.count - 1)..<x.count])
        for (u, v) in zip(corr, valid) { XCTAssertEqual(u, v, accuracy: 1e-12) }
        // And without the flip they differ (the kernel is not symmetric).
        let unflipped = Array(directConvolution(x, w)[(w.count - 1)..<x.count])
        XCTAssertGreaterThan(zip(corr, unflipped).map { abs($0 - $1) }.max()!, 1e-3)
    }

    func testConv2DLayerEqualsFFTConvolutionWithFlippedKernel() {
        // Multi-channel, stride 1, no padding: y[co] = Σ_c valid(FFTconv(x[c], flip(w[co, c]))) + b[co].
        let c = 2, cOut = 3, h = 9, w = 7, kh = 3, kw = 4
        var local = rng
        let layer = Conv2D(c, cOut, kernelSize: Size2D(kh, kw), rng: &local)
        let x = Tensor.normal([1, c, h, w], rng: &local)
        let y = layer(x)
        let ho = h - kh + 1, wo = w - kw + 1
        XCTAssertEqual(y.shape, [1, cOut, ho, wo])
        for co in 0..<cOut {
            var acc = [Double](repeating: Double(layer.bias!.storage[co]), count: ho * wo)
            for ci in 0..<c {
                let plane = x.storage[(ci * h * w)..<((ci + 1) * h * w)].map(Double.init)
                let kernel = layer.weight.storage[((co * c + ci) * kh * kw)..<((co * c + ci + 1) * kh * kw)].map(Double.init)
                let full = FFT.convolve2D(plane, rows: h, cols: w, Array(kernel.reversed()), rows: kh, cols: kw)
                let fw = w + kw - 1
                for oy in 0..<ho { for ox in 0..<wo { acc[oy * wo + ox] += full[(oy + kh - 1) * fw + ox + kw - 1] } }
            }
            for i in 0..<(ho * wo) { XCTAssertEqual(Double(y.storage[co * ho * wo + i]), acc[i], accuracy: 1e-4) }
        }
    }

    func testConv1DLayerEqualsFFTConvolutionWithFlippedKernel() {
        var local = rng
        let layer = Conv1D(1, 1, kernelSize: 5, bias: false, rng: &local)
        let x = Tensor.normal([1, 1, 20], rng: &local)
        let y = layer(x)
        let full = FFT.convolve(x.storage.map(Double.init), layer.weight.storage.reversed().map(Double.init))
        for i in 0..<16 { XCTAssertEqual(Double(y.storage[i]), full[i + 4], accuracy: 1e-5) }
    }
}
