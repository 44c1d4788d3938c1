import XCTest
@testable import IllusionNeuralNetworks
@testable import IllusionTensors

/// The C row kernels (every width this CPU runs) against the Swift ``lstmForwardRow`` /
/// ``lstmBackwardRow`` they replace in ``recurrentSequence``.
final class VectorLSTMRowTests: XCTestCase {
    func testEveryKernelMatchesTheSwiftRows() {
        var rng = RandomGenerator(seed: 41)
        for kernel in PackedKernel.available {
            for h in [1, 13, 256] {
                func random(_ count: Int, _ scale: Float) -> [Float] { (0..<count).map { _ in (rng.nextFloat() * 2 - 1) * scale } }
                let pre = random(4 * h, 6), cPrev = random(h, 2), dh = random(h, 1), dcIn = random(h, 1)
                // Forward: Swift reference, then the C kernel, on the same pre-activations.
                func forward(_ useC: Bool) -> [[Float]] {
                    var gates = pre, cNext = [Float](repeating: 0, count: h), tanhC = cNext, hNext = cNext, out = cNext
                    gates.withUnsafeMutableBufferPointer { g in cNext.withUnsafeMutableBufferPointer { cn in
                    tanhC.withUnsafeMutableBufferPointer { tc in hNext.withUnsafeMutableBufferPointer { hn in
                    out.withUnsafeMutableBufferPointer { o in cPrev.withUnsafeBufferPointer { cp in
                        if useC {
                            VectorLSTMRows.forward(kernel: kernel, gates: g.baseAddress!, cPrev: cp.baseAddress!, cNext: cn.baseAddress!,
                                                   tanhC: tc.baseAddress!, hNext: hn.baseAddress!, out: o.baseAddress!, h: h)
                        } else {
                            lstmForwardRow(gates: g.baseAddress!, cPrev: cp.baseAddress!, cNext: cn.baseAddress!,
                                           tanhC: tc.baseAddress!, hNext: hn.baseAddress!, out: o.baseAddress!, h: h)
                        }
                    } } } } } }
                    return [gates, cNext, tanhC, hNext, out]
                }
                let swiftForward = forward(false), cForward = forward(true)
                for (q, (a, b)) in zip(cForward, swiftForward).enumerated() {
                    XCTAssertLessThanOrEqual(maxRelativeDifference(a, b), 2e-6, "\(kernel) h=\(h) forward output \(q)")
                }
                XCTAssertGreaterThan(swiftForward[3].map(abs).max()!, 0.01)
                // Backward from the same activations.
                let acts = swiftForward[0], tanhC = swiftForward[2]
                func backward(_ useC: Bool) -> [[Float]] {
                    var dc = dcIn, dx = [Float](repeating: 0, count: 4 * h), dg = dx
                    acts.withUnsafeBufferPointer { a in cPrev.withUnsafeBufferPointer { cp in tanhC.withUnsafeBufferPointer { tc in
                    dh.withUnsafeBufferPointer { d in dc.withUnsafeMutableBufferPointer { dcp in
                    dx.withUnsafeMutableBufferPointer { dxp in dg.withUnsafeMutableBufferPointer { dgp in
                        if useC {
                            VectorLSTMRows.backward(kernel: kernel, acts: a.baseAddress!, cPrev: cp.baseAddress!, tanhC: tc.baseAddress!,
                                                    dh: d.baseAddress!, dc: dcp.baseAddress!, dx: dxp.baseAddress!, dg: dgp.baseAddress!, h: h)
                        } else {
                            lstmBackwardRow(acts: a.baseAddress!, cPrev: cp.baseAddress!, tanhC: tc.baseAddress!, dh: d.baseAddress!,
                                            dc: dcp.baseAddress!, dx: dxp.baseAddress!, dg: dgp.baseAddress!, h: h)
                        }
                    } } } } } } }
                    return [dc, dx, dg]
                }
                let swiftBackward = backward(false), cBackward = backward(true)
                for (q, (a, b)) in zip(cBackward, swiftBackward).enumerated() {
                    XCTAssertLessThanOrEqual(maxRelativeDifference(a, b), 2e-6, "\(kernel) h=\(h) backward output \(q)")
                }
                XCTAssertGreaterThan(swiftBackward[1].map(abs).max()!, 0.001)
            }
        }
    }

    /// The variants `recurrentSequence` uses: biases added in the forward row (against the Swift row
    /// with the same bias, and against adding them beforehand), gate gradients to `dx` only (`dg` nil).
    func testBiasInRowAndSingleGradientCopy() {
        var rng = RandomGenerator(seed: 43)
        for kernel in PackedKernel.available {
            for h in [5, 128] {
                func random(_ count: Int, _ scale: Float) -> [Float] { (0..<count).map { _ in (rng.nextFloat() * 2 - 1) * scale } }
                let pre = random(4 * h, 4), bias = random(4 * h, 2), cPrev = random(h, 2), dh = random(h, 1), dcIn = random(h, 1)
                func forward(_ gatesIn: [Float], bias: [Float]?, useC: Bool) -> [Float] {
                    var gates = gatesIn, cNext = [Float](repeating: 0, count: h), tanhC = cNext, hNext = cNext, out = cNext
                    let b = bias.map { b -> UnsafeMutablePointer<Float> in
                        let p = UnsafeMutablePointer<Float>.allocate(capacity: b.count); p.initialize(from: b, count: b.count); return p
                    }
                    defer { b?.deallocate() }
                    if useC {
                        VectorLSTMRows.forward(kernel: kernel, gates: &gates, bias: b.map { UnsafePointer($0) }, cPrev: cPrev, cNext: &cNext,
                                               tanhC: &tanhC, hNext: &hNext, out: &out, h: h)
                    } else {
                        lstmForwardRow(gates: &gates, bias: b.map { UnsafePointer($0) }, cPrev: cPrev, cNext: &cNext, tanhC: &tanhC,
                                       hNext: &hNext, out: &out, h: h)
                    }
                    return gates + cNext + tanhC + hNext + out
                }
                let added = zip(pre, bias).map { $0 + $1 }
                let cBias = forward(pre, bias: bias, useC: true)
                XCTAssertLessThanOrEqual(maxRelativeDifference(cBias, forward(pre, bias: bias, useC: false)), 2e-6, "\(kernel) h=\(h)")
                XCTAssertEqual(cBias, forward(added, bias: nil, useC: true), "\(kernel) h=\(h): bias in the row = bias added before")
                XCTAssertGreaterThan(maxRelativeDifference(cBias, forward(pre, bias: nil, useC: true)), 0.01, "the bias must matter")
                // Backward with dg nil writes the same dx and dc as with a second copy.
                let acts = Array(cBias[0..<(4 * h)]), tanhC = Array(cBias[(6 * h)..<(7 * h)])
                var dcBoth = dcIn, dxBoth = [Float](repeating: 0, count: 4 * h), dg = dxBoth
                VectorLSTMRows.backward(kernel: kernel, acts: acts, cPrev: cPrev, tanhC: tanhC, dh: dh, dc: &dcBoth, dx: &dxBoth, dg: &dg, h: h)
                var dcOne = dcIn, dxOne = [Float](repeating: 0, count: 4 * h)
                VectorLSTMRows.backward(kernel: kernel, acts: acts, cPrev: cPrev, tanhC: tanhC, dh: dh, dc: &dcOne, dx: &dxOne, dg: nil, h: h)
                XCTAssertEqual(dxOne, dxBoth, "\(kernel) h=\(h)")
                XCTAssertEqual(dcOne, dcBoth, "\(kernel) h=\(h)")
                XCTAssertEqual(dg, dxBoth, "\(kernel) h=\(h)")
                XCTAssertGreaterThan(dxOne.map(abs).max()!, 0.001)
            }
        }
    }
}
