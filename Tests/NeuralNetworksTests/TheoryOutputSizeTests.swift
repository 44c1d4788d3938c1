import Foundation
import XCTest
@testable import IllusionNeuralNetworks

/// Output sizes: ⌊(n + 2p − d(k−1) − 1)/s⌋ + 1 for convolution, (n−1)s − 2p + d(k−1) + outputPadding + 1
/// for the transpose, checked against the layers; Keras "same" gives ⌈n/s⌉; the seed's (n+2p−f+1)/s is
/// right only when s divides n+2p−f+1.
final class TheoryOutputSizeTests: XCTestCase {
    var rng = RandomGenerator(seed: 5)

    func testConvolutionOutputSizeFormulaMatchesLayers() {
        var checked = 0
        for n in [1, 2, 5, 8, 11] { for k in 1...4 { for s in 1...3 { for p in 0...2 { for d in 1...2 {
            let expected = ConvolutionGeometry.outputSize(inputSize: n, kernelSize: k, stride: s, padding: p, dilation: d)
            XCTAssertEqual(expected, n + 2 * p - d * (k - 1) - 1 >= 0 ? Int(floor(Double(n + 2 * p - d * (k - 1) - 1) / Double(s))) + 1 : 0)
            guard expected > 0 else { continue }
            let conv = Conv2D(1, 1, kernelSize: Size2D(k, 1), stride: Size2D(s, 1), padding: .explicit(Size2D(p, 0)),
                              dilation: Size2D(d, 1), rng: &rng)
            XCTAssertEqual(conv(Tensor.zeros([1, 1, n, 3])).shape[2], expected, "n\(n) k\(k) s\(s) p\(p) d\(d)")
            let conv1 = Conv1D(1, 1, kernelSize: k, stride: s, padding: ConvPadding(integerLiteral: p), dilation: d, rng: &rng)
            XCTAssertEqual(conv1(Tensor.zeros([1, 1, n])).shape[2], expected)
            checked += 1
        } } } } }
        XCTAssertGreaterThan(checked, 300)
    }

    func testTransposedOutputSizeFormulaMatchesLayersAndInvertsTheConvolutionShape() {
        for n in [1, 3, 4, 8] { for k in 1...4 { for s in 1...3 { for p in 0...2 { for d in 1...2 { for op in 0..<max(s, d) {
            let expected = ConvolutionGeometry.transposedOutputSize(inputSize: n, kernelSize: k, stride: s, padding: p,
                                                                    outputPadding: op, dilation: d)
            guard expected > 0 else { continue }
            let layer = Conv2DTranspose(1, 1, kernelSize: Size2D(k, 1), stride: Size2D(s, 1), padding: Size2D(p, 0),
                                        outputPadding: Size2D(op, 0), dilation: Size2D(d, 1), rng: &rng)
            XCTAssertEqual(layer(Tensor.zeros([1, 1, n, 2])).shape[2], expected, "n\(n) k\(k) s\(s) p\(p) op\(op) d\(d)")
            // The Conv2d with the same settings maps the transposed output size back to n (when op < s).
            if op < s {
                XCTAssertEqual(ConvolutionGeometry.outputSize(inputSize: expected, kernelSize: k, stride: s, padding: p, dilation: d), n)
            }
        } } } } } }
    }

    func testSamePaddingGivesCeilOfNOverS() {
        for n in 1...12 { for k in 1...5 { for s in 1...3 { for d in 1...2 {
            let conv = Conv2D(1, 1, kernelSize: Size2D(k), stride: Size2D(s), padding: .same, dilation: Size2D(d), rng: &rng)
            let y = conv(Tensor.zeros([1, 1, n, n]))
            XCTAssertEqual(y.shape[2], (n + s - 1) / s, "n\(n) k\(k) s\(s) d\(d)")
            let (before, after) = ConvolutionGeometry.samePadding(inputSize: n, kernelSize: k, stride: s, dilation: d)
            XCTAssertTrue(after == before || after == before + 1) // the extra row/column goes to the bottom/right
        } } } }
    }

    func testSeedFormulaIsWrongWhenStrideDoesNotDivide() {
        // Seed 001 prints the output size as (n + 2p − f + 1)/s. With A = n + 2p − f + 1 the true size
        // ⌊(A − 1)/s⌋ + 1 equals ⌈A/s⌉: the seed is exact when s divides A, otherwise not even an
        // integer, and rounding it down is one too small.
        var wrong = 0, total = 0
        for n in 1...16 { for f in 1...5 { for p in 0...2 { for s in 1...4 where n + 2 * p >= f {
            let a = n + 2 * p - f + 1
            let truth = ConvolutionGeometry.outputSize(inputSize: n, kernelSize: f, stride: s, padding: p)
            XCTAssertEqual(truth, (a + s - 1) / s)
            let seed = Double(a) / Double(s)
            total += 1
            if seed != Double(truth) {
                wrong += 1
                XCTAssertGreaterThan(s, 1)
                XCTAssertEqual(Int(seed.rounded(.down)), truth - 1)
            }
        } } } }
        XCTAssertGreaterThan(wrong, total / 4)
        // The smallest counter-example: a 5×5 image, 3×3 filter, stride 2, no padding → 2×2, not 1.5.
        XCTAssertEqual(ConvolutionGeometry.outputSize(inputSize: 5, kernelSize: 3, stride: 2), 2)
        // The face VAE's 256 → 128 happens to be a case where s divides A = 256.
        XCTAssertEqual(ConvolutionGeometry.outputSize(inputSize: 256, kernelSize: 3, stride: 2, padding: 1), (256 + 2 - 3 + 1) / 2)
    }
}
