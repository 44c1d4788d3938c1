import Foundation
import XCTest
@testable import IllusionNeuralNetworks

/// The fast pieces of ``recurrentSequence`` against slow references: the branch-free exp, σ and
/// tanh against the C library in Double, the LSTM row kernels against the cell's formulas written
/// out per element, and the batch split across threads against one part.
final class RecurrentKernelTests: XCTestCase {
    func testBranchFreeActivationsMatchLibm() {
        var worstExp = 0.0, worstSigmoid = 0.0, worstTanh = 0.0
        var x: Float = -87
        while x <= 88 {
            let e = Foundation.exp(Double(x))
            worstExp = max(worstExp, abs(Double(branchFreeExp(x)) - e) / e)
            if abs(x) <= 80 {
                let s = 1 / (1 + Foundation.exp(-Double(x)))
                worstSigmoid = max(worstSigmoid, abs(Double(branchFreeSigmoid(x)) - s) / s)
            }
            x += 0.0137
        }
        x = -12
        while x <= 12 {
            let t = Foundation.tanh(Double(x))
            worstTanh = max(worstTanh, abs(Double(branchFreeTanh(x)) - t) / max(abs(t), 1e-30))
            XCTAssertEqual(branchFreeTanh(-x), -branchFreeTanh(x), "tanh is odd at \(x)")
            x += 0.000_71
        }
        XCTAssertLessThan(worstExp, 1e-6)
        XCTAssertLessThan(worstSigmoid, 1e-6)
        XCTAssertLessThan(worstTanh, 2e-6)
        XCTAssertEqual(branchFreeTanh(0), 0)
        XCTAssertLessThanOrEqual(1 - branchFreeTanh(40), Float.ulpOfOne, "saturates within an ulp of 1")
        XCTAssertLessThanOrEqual(branchFreeTanh(40), 1)
        let tiny = branchFreeSigmoid(-200)
        XCTAssertTrue(tiny.isFinite && tiny >= 0 && tiny < 1e-37, "clamped, finite: \(tiny)")
        XCTAssertEqual(branchFreeSigmoid(200), 1)
        XCTAssertTrue(branchFreeSigmoid(.nan).isNaN && branchFreeTanh(.nan).isNaN && branchFreeExp(.nan).isNaN, "NaN stays NaN")
    }

    /// H = 13: one full group of eight lanes and a partial one in the backward row.
    func testLSTMRowKernelsMatchTheCellFormulas() {
        let h = 13
        var rng = RandomGenerator(seed: 31)
        func values(_ n: Int, _ std: Float) -> [Float] { Tensor.normal([n], std: std, rng: &rng).storage }
        let pre = values(4 * h, 2), cPrev = values(h, 1), dh = values(h, 1), dcIn = values(h, 1)
        var gates = pre, cNext = [Float](repeating: 0, count: h), tanhC = cNext, hNext = cNext, out = cNext
        lstmForwardRow(gates: &gates, cPrev: cPrev, cNext: &cNext, tanhC: &tanhC, hNext: &hNext, out: &out, h: h)
        var dc = dcIn, dx = [Float](repeating: 0, count: 4 * h), dg = dx
        lstmBackwardRow(acts: gates, cPrev: cPrev, tanhC: tanhC, dh: dh, dc: &dc, dx: &dx, dg: &dg, h: h)
        XCTAssertEqual(dx, dg)
        func sig(_ v: Float) -> Double { 1 / (1 + Foundation.exp(-Double(v))) }
        for j in 0..<h {
            let i = sig(pre[j]), f = sig(pre[h + j]), g = Foundation.tanh(Double(pre[2 * h + j])), o = sig(pre[3 * h + j])
            let c = f * Double(cPrev[j]) + i * g, tc = Foundation.tanh(c)
            for (got, want) in [(gates[j], i), (gates[h + j], f), (gates[2 * h + j], g), (gates[3 * h + j], o),
                                (cNext[j], c), (tanhC[j], tc), (hNext[j], o * tc), (out[j], o * tc)] {
                XCTAssertEqual(Double(got), want, accuracy: 1e-6, "forward, unit \(j)")
            }
            let d = Double(dh[j])
            let dcv = Double(dcIn[j]) + d * o * (1 - tc * tc)
            let want = [dcv * g * i * (1 - i), dcv * Double(cPrev[j]) * f * (1 - f), dcv * i * (1 - g * g), d * tc * o * (1 - o)]
            for q in 0..<4 { XCTAssertEqual(Double(dx[q * h + j]), want[q], accuracy: 1e-5, "backward gate \(q), unit \(j)") }
            XCTAssertEqual(Double(dc[j]), dcv * f, accuracy: 1e-5)
        }
    }

    /// Cutting the batch into parts that run on threads of their own gives what one part gives:
    /// values, final states and every gradient, for each cell, with padded sequences, both directions.
    func testBatchSplitMatchesOnePart() {
        var rng = RandomGenerator(seed: 32)
        let n = 5, steps = 6, inSize = 4, h = 7
        for kind in RecurrentKind.allCases {
            let r = RandomRecurrentInputs(kind: kind, n: n, steps: steps, inSize: inSize, h: h, weightStd: 0.4, rng: &rng)
            let (x, h0, c0, wih, whh, bih, bhh, weights, all) = (r.x, r.h0, r.c0, r.wih, r.whh, r.bih, r.bhh, r.weights, r.all)
            for reverse in [false, true] {
                func run(parts: Int) -> [[Float]] {
                    for t in all { t.grad = nil }
                    let out = recurrentSequence(kind: kind, x, h0: h0, c0: c0, weightIH: wih, weightHH: whh, biasIH: bih, biasHH: bhh,
                                                lengths: [6, 3, 6, 1, 5], reverse: reverse, parts: parts)
                    (out * weights).sum().backward()
                    return [out.storage] + all.map { $0.grad! }
                }
                let one = run(parts: 1), three = run(parts: 3)
                XCTAssertGreaterThan(one[0].map(abs).max()!, 0.01)
                for (q, (a, b)) in zip(one, three).enumerated() {
                    XCTAssertLessThanOrEqual(maxRelativeDifference(a, b), 1e-6, "\(kind) reverse \(reverse): tensor \(q)")
                }
            }
        }
    }

    /// The thread count and the OpenBLAS set-up change how the work is split, never a bit of the
    /// result: one thread, two of ours with one part (the all-steps products split by rows), two
    /// parts, and OpenBLAS on two threads give the same values, final states and every gradient.
    func testThreadCountsGiveIdenticalBits() {
        var rng = RandomGenerator(seed: 33)
        let n = 40, steps = 5, inSize = 12, h = 24
        for kind in [RecurrentKind.lstm, .gru] {
            let r = RandomRecurrentInputs(kind: kind, n: n, steps: steps, inSize: inSize, h: h, weightStd: 0.3, rng: &rng)
            let (x, h0, c0, wih, whh, bih, bhh, weights, all) = (r.x, r.h0, r.c0, r.wih, r.whh, r.bih, r.bhh, r.weights, r.all)
            func run(_ context: ComputeContext, parts: Int) -> [[Float]] {
                context.run {
                    for t in all { t.grad = nil }
                    let out = recurrentSequence(kind: kind, x, h0: h0, c0: c0, weightIH: wih, weightHH: whh, biasIH: bih, biasHH: bhh,
                                                lengths: nil, reverse: false, parts: parts)
                    (out * weights).sum().backward()
                    return [out.storage] + all.map { $0.grad! }
                }
            }
            let one = run(.layers(1), parts: 1)
            XCTAssertGreaterThan(one[0].map(abs).max()!, 0.01)
            for (name, other) in [("layers(2), one part", run(.layers(2), parts: 1)), ("layers(2), two parts", run(.layers(2), parts: 2)),
                                  ("gemmBound(2), two parts", run(.gemmBound(2), parts: 2))] {
                for (q, (a, b)) in zip(one, other).enumerated() {
                    XCTAssertEqual(a, b, "\(kind) \(name): tensor \(q) differs from one thread")
                }
            }
        }
    }
}

/// The random inputs of a recurrent sequence test, drawn in one fixed order: x `[n, steps, inSize]`,
/// h0 (and c0 for an LSTM) `[n, h]` with s.d. 0.3, weights `[G·h, inSize]` and `[G·h, h]` with s.d.
/// `weightStd`, biases with s.d. 0.2 (all requiring gradients), and the output-gradient weights.
struct RandomRecurrentInputs {
    let x, h0, wih, whh, bih, bhh, weights: Tensor
    let c0: Tensor?
    /// Every input that takes a gradient, in the order the tests compare them.
    var all: [Tensor] { [x, h0] + (c0.map { [$0] } ?? []) + [wih, whh, bih, bhh] }

    init(kind: RecurrentKind, n: Int, steps: Int, inSize: Int, h: Int, weightStd: Float, rng: inout RandomGenerator) {
        let gh = kind.gateCount * h
        x = Tensor.normal([n, steps, inSize], rng: &rng, requiresGrad: true)
        h0 = Tensor.normal([n, h], std: 0.3, rng: &rng, requiresGrad: true)
        c0 = kind.hasCellState ? Tensor.normal([n, h], std: 0.3, rng: &rng, requiresGrad: true) : nil
        wih = Tensor.normal([gh, inSize], std: weightStd, rng: &rng, requiresGrad: true)
        whh = Tensor.normal([gh, h], std: weightStd, rng: &rng, requiresGrad: true)
        bih = Tensor.normal([gh], std: 0.2, rng: &rng, requiresGrad: true)
        bhh = Tensor.normal([gh], std: 0.2, rng: &rng, requiresGrad: true)
        weights = Tensor.normal([n, steps + (kind.hasCellState ? 2 : 1), h], rng: &rng)
    }
}
