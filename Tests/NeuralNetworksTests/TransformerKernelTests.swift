import Foundation
import XCTest
@testable import IllusionNeuralNetworks
import CMicroKernels

/// The transformer's fast kernels against their slow references: packed self-attention against
/// split → elementary attention → merge, and the call-free ``fastExp`` against the `rounded()` form.
final class TransformerKernelTests: XCTestCase {
    /// Forward and backward of the one-op packed attention equal the composition of elementary
    /// tape ops, with and without the causal mask.
    func testPackedSelfAttentionMatchesElementaryReference() {
        var rng = RandomGenerator(seed: 31)
        let n = 2, t = 5, h = 2, d = 4, e = h * d
        for causal in [true, false] {
            let packed = Tensor.normal([n * t, 3 * e], rng: &rng, requiresGrad: true)
            let g = Tensor.normal([n * t, e], rng: &rng).storage
            let fast = packedSelfAttention(packed, batch: n, time: t, heads: h, causal: causal)
            XCTAssertEqual(fast.shape, [n * t, e])
            fast.backward(gradient: g)
            let fastGrad = packed.grad!
            packed.grad = nil
            let slow = referencePackedSelfAttention(packed, batch: n, time: t, heads: h, causal: causal)
            slow.backward(gradient: g)
            XCTAssertLessThan(maxRelativeDifference(fast.storage, slow.storage), 1e-5, "causal \(causal) forward")
            XCTAssertLessThan(maxRelativeDifference(fastGrad, packed.grad!), 1e-5, "causal \(causal) gradient")
        }
    }

    func testPackedSelfAttentionGradients() {
        var rng = RandomGenerator(seed: 32)
        let packed = Tensor.normal([2 * 4, 3 * 6], rng: &rng, requiresGrad: true)
        for causal in [true, false] {
            let r = checkGradients(of: [packed]) { packedSelfAttention(packed, batch: 2, time: 4, heads: 3, causal: causal) }
            XCTAssertLessThan(r.maxRelativeError, 2e-3, "causal \(causal): \(r)")
        }
    }

    /// The causal mask: perturbing the last token's q, k, v leaves every earlier output unchanged.
    func testPackedSelfAttentionIsCausal() {
        var rng = RandomGenerator(seed: 33)
        let t = 6, e = 8
        let a = Tensor.normal([t, 3 * e], rng: &rng)
        var moved = a.storage
        for j in 0..<(3 * e) { moved[(t - 1) * 3 * e + j] += 1 }
        let ya = packedSelfAttention(a, batch: 1, time: t, heads: 2).storage
        let yb = packedSelfAttention(Tensor(shape: a.shape, storage: moved), batch: 1, time: t, heads: 2).storage
        XCTAssertEqual(Array(ya[0..<((t - 1) * e)]), Array(yb[0..<((t - 1) * e)]))
        XCTAssertNotEqual(Array(ya[((t - 1) * e)...]), Array(yb[((t - 1) * e)...]))
    }

    /// The magic-constant rounding gives the bits of the `rounded(.toNearestOrEven)` formula it
    /// replaced, and both are within 4·10⁻⁷ (relative) of Foundation's exp on [−87, 0].
    func testFastExpEqualsRoundedFormulaAndExp() {
        func roundedReference(_ x: Float) -> Float {
            let c = Swift.max(x, -87)
            let n = (c * 1.44269504).rounded(.toNearestOrEven)
            var r = c - n * 0.693359375
            r = r - n * -2.12194440e-4
            let z = r * r
            let p = ((((((1.9875691500e-4 * r + 1.3981999507e-3) * r + 8.3334519073e-3) * r + 4.1665795894e-2) * r
                + 1.6666665459e-1) * r + 5.0000001201e-1) * z + r + 1)
            let scale = Float(bitPattern: UInt32(truncatingIfNeeded: Int32(n) + 127) << 23)
            return x < -87 ? 0 : p * scale
        }
        var worst: Double = 0
        for i in 0...200_000 {
            let x = -90 * Float(i) / 200_000
            XCTAssertEqual(fastExp(x).bitPattern, roundedReference(x).bitPattern, "x = \(x)")
            if x >= -87 { worst = max(worst, abs(Double(fastExp(x)) / Foundation.exp(Double(x)) - 1)) }
        }
        XCTAssertLessThan(worst, 4e-7)
        XCTAssertEqual(fastExp(-88), 0)
        XCTAssertEqual(fastExp(0), 1)
    }

    /// The C Adam update (every kernel this CPU runs) gives the bits of the one-value-at-a-time
    /// Swift reference (37 values: two blocks of 16 and a tail), for AdamW's decoupled decay and
    /// Adam's coupled one.
    func testVectorAdamUpdateEqualsScalarReferenceBitForBit() {
        var rng = RandomGenerator(seed: 34)
        for kernel in PackedKernel.available {
        for (coupled, shrink) in [(Float(0), Float(1 - 1e-3 * 0.1)), (0.01, 1)] {
            let c = AdamConstants(lr: 1e-3, beta1: 0.9, beta2: 0.99, epsilon: 1e-8, coupledDecay: coupled, shrink: shrink,
                                  correction1: 0.19, correction2: 0.0297)
            let g = Tensor.normal([37], rng: &rng).storage
            var w1 = Tensor.normal([37], rng: &rng).storage, m1 = Tensor.normal([37], std: 0.1, rng: &rng).storage
            var v1 = Tensor.normal([37], rng: &rng).storage.map { $0 * $0 }
            var w2 = w1, m2 = m1, v2 = v1
            let start = w1
            for _ in 0..<3 {
                g.withUnsafeBufferPointer { gp in
                    adamUpdate(0..<37, gradient: gp.baseAddress!, parameter: &w1, firstMoment: &m1, secondMoment: &v1, c, kernel: kernel)
                    referenceAdamUpdate(0..<37, gradient: gp.baseAddress!, parameter: &w2, firstMoment: &m2, secondMoment: &v2, c)
                }
            }
            XCTAssertEqual(w1.map(\.bitPattern), w2.map(\.bitPattern))
            XCTAssertEqual(m1.map(\.bitPattern), m2.map(\.bitPattern))
            XCTAssertEqual(v1.map(\.bitPattern), v2.map(\.bitPattern))
            XCTAssertTrue(zip(w1, start).allSatisfy { $0 != $1 }, "every value moves")
        }
        }
    }

    /// The C GELU kernel (every kernel this CPU runs: portable, AVX2, AVX-512) gives the bits of the
    /// Swift loop, over 1,003 values in [−16, 16] (past the −87 flush of e^{−x²/2}) and ±0, plus a
    /// tail that is not a multiple of any vector width.
    func testCGELUKernelEqualsSwiftReferenceBitForBit() {
        var rng = RandomGenerator(seed: 35)
        let x = (0..<1001).map { _ in rng.nextFloat() * 32 - 16 } + [0, -0.0]
        var wantY = [Float](repeating: 0, count: x.count), wantS = wantY
        x.withUnsafeBufferPointer { xp in referenceExactGELU(xp.baseAddress!, y: &wantY, slope: &wantS, count: x.count) }
        XCTAssertGreaterThan(PackedKernel.available.count, 0)
        for kernel in PackedKernel.available {
            // The backward of a gradient of ones is the stored slope, exactly (1·s = s).
            let xt = Tensor(shape: [x.count], storage: x, requiresGrad: true)
            let y = exactGELU(xt, kernel: kernel)
            y.backward(gradient: [Float](repeating: 1, count: x.count))
            XCTAssertEqual(y.storage.map(\.bitPattern), wantY.map(\.bitPattern), "\(kernel) y")
            XCTAssertEqual(xt.grad!.map(\.bitPattern), wantS.map(\.bitPattern), "\(kernel) slope")
        }
        XCTAssertEqual(wantY[0], x[0] * 0.5 * (1 + Float(erf(Double(x[0]) / 2.0.squareRoot()))), accuracy: 1e-5)
    }

    /// The C softmax kernel gives the bits of the Swift loop, causal and not, on rows whose widths
    /// (1 … 67 visible columns) cross every vector width.
    func testCSoftmaxKernelEqualsSwiftReferenceBitForBit() {
        var rng = RandomGenerator(seed: 36)
        let t = 67, s = 67
        let scores = (0..<(t * s)).map { _ in rng.nextFloat() * 20 - 10 }
        for causal in [true, false] {
            var want = scores
            want.withUnsafeMutableBufferPointer { referenceSoftmaxRows($0.baseAddress!, rows: t, columns: s, causal: causal) }
            for kernel in PackedKernel.available {
                var got = scores
                got.withUnsafeMutableBufferPointer { softmaxRows($0.baseAddress!, rows: t, columns: s, causal: causal, kernel: kernel) }
                XCTAssertEqual(got.map(\.bitPattern), want.map(\.bitPattern), "\(kernel), causal \(causal)")
            }
            XCTAssertEqual(want[0 ..< s].reduce(0, +), 1, accuracy: 1e-5)
            if causal { XCTAssertEqual(want[1], 0) }
        }
    }

    /// LayerNorm's C row kernels (every kernel this CPU runs) give the bits of the Swift loops of
    /// LayerNormReference.swift — forward (y, x̂, r), backward dx (written and accumulated) and the
    /// weight/bias sums — on row widths 1, 3, 4, 67 and 128 (tails past every vector width).
    func testCLayerNormKernelsEqualSwiftReferenceBitForBit() {
        var rng = RandomGenerator(seed: 37)
        let rows = 9
        XCTAssertGreaterThan(PackedKernel.available.count, 0)
        for n in [1, 3, 4, 67, 128] {
            let x = Tensor.normal([rows * n], mean: 0.3, std: 2, rng: &rng).storage
            let w = Tensor.normal([n], mean: 1, std: 0.5, rng: &rng).storage, b = Tensor.normal([n], rng: &rng).storage
            let g = Tensor.normal([rows * n], rng: &rng).storage, start = Tensor.normal([rows * n], rng: &rng).storage
            var y0 = [Float](repeating: 0, count: rows * n), h0 = y0, r0 = [Float](repeating: 0, count: rows)
            referenceLayerNormForward(x, weight: w, bias: b, y: &y0, normalized: &h0, inverseStd: &r0, rows: rows, size: n, eps: 1e-5)
            var dx0 = start, acc0 = start
            referenceLayerNormBackward(gradient: g, normalized: h0, weight: w, inverseStd: r0, dx: &dx0, rows: rows, size: n, accumulate: false)
            referenceLayerNormBackward(gradient: g, normalized: h0, weight: w, inverseStd: r0, dx: &acc0, rows: rows, size: n, accumulate: true)
            let (dw0, db0) = referenceLayerNormParameterGradients(gradient: g, normalized: h0, rows: rows, size: n)
            for kernel in PackedKernel.available {
                var y = [Float](repeating: 0, count: rows * n), h = y, r = [Float](repeating: 0, count: rows)
                ic_layer_norm_forward(kernel.rawValue, x, w, b, &y, &h, &r, rows, n, 1e-5)
                XCTAssertEqual(y.map(\.bitPattern), y0.map(\.bitPattern), "\(kernel) n \(n) y")
                XCTAssertEqual(h.map(\.bitPattern), h0.map(\.bitPattern), "\(kernel) n \(n) x̂")
                XCTAssertEqual(r.map(\.bitPattern), r0.map(\.bitPattern), "\(kernel) n \(n) r")
                var dx = start, acc = start
                ic_layer_norm_backward(kernel.rawValue, g, h, w, r, &dx, rows, n, 0)
                ic_layer_norm_backward(kernel.rawValue, g, h, w, r, &acc, rows, n, 1)
                XCTAssertEqual(dx.map(\.bitPattern), dx0.map(\.bitPattern), "\(kernel) n \(n) dx")
                XCTAssertEqual(acc.map(\.bitPattern), acc0.map(\.bitPattern), "\(kernel) n \(n) dx accumulated")
                var dw = [Float](repeating: 9, count: n), db = dw
                ic_layer_norm_parameter_gradients(kernel.rawValue, g, h, &dw, &db, rows, n)
                XCTAssertEqual(dw.map(\.bitPattern), dw0.map(\.bitPattern), "\(kernel) n \(n) dw")
                XCTAssertEqual(db.map(\.bitPattern), db0.map(\.bitPattern), "\(kernel) n \(n) db")
            }
            if n > 1 { XCTAssertNotEqual(dx0, acc0) }
        }
    }

    /// The tape op accumulates into a gradient that is already there with the bits of a separate
    /// add (LayerNorm and GELU both add dx in their own pass then).
    func testLayerNormAndGELUBackwardAddIntoAnExistingGradient() {
        var rng = RandomGenerator(seed: 38)
        let x = Tensor.normal([6, 16], rng: &rng, requiresGrad: true)
        let w = Tensor.normal([16], mean: 1, std: 0.3, rng: &rng, requiresGrad: true)
        let g = Tensor.normal([6, 16], rng: &rng).storage, earlier = Tensor.normal([6, 16], rng: &rng).storage
        for op in ["layer_norm", "gelu"] {
            func run() -> Tensor { op == "gelu" ? exactGELU(x) : layerNorm(x, size: 16, weight: w, bias: nil) }
            x.grad = nil; w.grad = nil
            run().backward(gradient: g)
            let alone = x.grad!
            x.grad = earlier
            run().backward(gradient: g)
            XCTAssertEqual(x.grad!.map(\.bitPattern), zip(earlier, alone).map { ($0 + $1).bitPattern }, op)
        }
    }

    /// clip-grad-norm's C sum of squares gives the bits of the Swift loop (1,003 values: a tail).
    func testCSumOfSquaresEqualsSwiftReferenceBitForBit() {
        var rng = RandomGenerator(seed: 39)
        let x = Tensor.normal([1003], std: 3, rng: &rng).storage
        let want = x.withUnsafeBufferPointer { referenceSumOfSquares($0.baseAddress!, count: x.count) }
        for kernel in PackedKernel.available {
            XCTAssertEqual(ic_sum_of_squares(kernel.rawValue, x, x.count).bitPattern, want.bitPattern, "\(kernel)")
        }
        XCTAssertEqual(want, x.reduce(0) { $0 + Double($1) * Double($1) }, accuracy: want * 1e-12)
    }

    /// The C softmax backward (every kernel this CPU runs) gives the bits of the Swift loop, causal
    /// and not, on rows of 1 … 67 visible columns; masked columns come out exactly 0.
    func testCSoftmaxBackwardKernelEqualsSwiftReferenceBitForBit() {
        var rng = RandomGenerator(seed: 40)
        let t = 67, s = 67
        for causal in [true, false] {
            var weights = (0..<(t * s)).map { _ in rng.nextFloat() * 20 - 10 }
            weights.withUnsafeMutableBufferPointer { referenceSoftmaxRows($0.baseAddress!, rows: t, columns: s, causal: causal) }
            let dp = (0..<(t * s)).map { _ in rng.nextFloat() - 0.5 }
            var want = dp
            want.withUnsafeMutableBufferPointer { referenceSoftmaxBackwardRows($0.baseAddress!, weights: weights, rows: t, columns: s, causal: causal) }
            for kernel in PackedKernel.available {
                var got = dp
                got.withUnsafeMutableBufferPointer { softmaxBackwardRows($0.baseAddress!, weights: weights, rows: t, columns: s, causal: causal, kernel: kernel) }
                XCTAssertEqual(got.map(\.bitPattern), want.map(\.bitPattern), "\(kernel), causal \(causal)")
            }
            // Each row of dS sums to 0 (the softmax's Jacobian annihilates constants).
            XCTAssertEqual(want[(40 * s) ..< (41 * s)].reduce(0, +), 0, accuracy: 1e-5)
            if causal { XCTAssertEqual(want[1], 0) }
        }
    }
}
