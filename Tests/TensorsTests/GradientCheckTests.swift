import XCTest
import Foundation
@testable import IllusionTensors

/// Finite-difference gradient checks of every tensor op (losses and Dense are checked in
/// NeuralNetworksTests). Inputs are kept at least 0.1 away from kinks (relu, abs, clamp, max).
final class GradientCheckTests: XCTestCase {
    var rng = RandomGenerator(seed: 7)

    /// Values in ±[0.2, 1.2] (away from 0 and from each other's kinks).
    func signed(_ shape: [Int]) -> Tensor {
        let t = Tensor.uniform(shape, low: 0.2, high: 1.2, rng: &rng, requiresGrad: true)
        for i in 0..<t.count where rng.nextUInt32() & 1 == 0 { t.storage[i] = -t.storage[i] }
        return t
    }

    func positive(_ shape: [Int]) -> Tensor { Tensor.uniform(shape, low: 0.5, high: 2, rng: &rng, requiresGrad: true) }

    let tolerance = 2e-3

    func check(_ name: String, _ inputs: [Tensor], file: StaticString = #filePath, line: UInt = #line,
               _ f: () -> Tensor) {
        let report = checkGradients(of: inputs, f)
        XCTAssertLessThan(report.maxRelativeError, tolerance, "\(name): \(report)", file: file, line: line)
        XCTAssertGreaterThan(report.checkedElements, 0, file: file, line: line)
    }

    func testArithmeticWithBroadcastingBothWays() {
        var (a, b) = (signed([2, 3, 4]), signed([3, 1]))
        check("add [2,3,4]+[3,1]", [a, b]) { a + b }
        check("add [3,1]+[2,3,4]", [a, b]) { b + a }
        (a, b) = (signed([3, 1]), signed([1, 4]))
        check("subtract [3,1]-[1,4]", [a, b]) { a - b }
        check("subtract [1,4]-[3,1]", [a, b]) { b - a }
        check("multiply [3,1]*[1,4]", [a, b]) { a * b }
        let s = Tensor(0.7, requiresGrad: true)
        check("multiply scalar", [a, s]) { s * a }
        let (c, d) = (signed([2, 3]), signed([3]))
        check("divide [2,3]/[3]", [c, d]) { c / d }
        check("divide [3]/[2,3]", [c, d]) { d / c }
        check("negate", [c]) { -c }
    }

    func testMatmul() {
        let (a, b) = (signed([3, 5]), signed([5, 2]))
        check("matmul", [a, b]) { a.matmul(b) }
    }

    func testReductions() {
        let x = signed([2, 3, 4])
        check("sum", [x]) { x.sum() }
        check("mean", [x]) { x.mean() }
        check("sum axis 1", [x]) { x.sum(axis: 1) }
        check("sum axes [0,2] keepDims", [x]) { x.sum(axes: [0, 2], keepDims: true) }
        check("mean axis -1", [x]) { x.mean(axis: -1) }
        check("mean axes [0,1]", [x]) { x.mean(axes: [0, 1]) }
        // Distinct values spaced ≥ 0.1 so the finite difference never changes the arg-max.
        let spaced = Tensor(shape: [2, 4, 3], storage: rng.permutation(24).map { Float($0) * 0.1 - 1.2 }, requiresGrad: true)
        check("max axis 1", [spaced]) { spaced.max(axis: 1) }
        check("max axis 0 keepDims", [spaced]) { spaced.max(axis: 0, keepDims: true) }
        check("max axis -1", [spaced]) { spaced.max(axis: -1) }
    }

    func testUnaryOps() {
        let x = signed([3, 4]), p = positive([3, 4])
        check("exp", [x]) { x.exp() }
        check("log", [p]) { p.log() }
        check("sqrt", [p]) { p.sqrt() }
        check("pow 2.5", [p]) { p.pow(2.5) }
        check("pow -1.5", [p]) { p.pow(-1.5) }
        check("pow 3", [x]) { x.pow(3) }
        check("squared", [x]) { x.squared() }
        check("abs", [x]) { x.abs() }
        check("clamp", [x]) { x.clamp(min: -0.1, max: 0.1 + 1e-3) } // |x| ≥ 0.2: all outside, gradient 0
        let inside = Tensor(shape: [5], storage: [-0.9, -0.3, 0.05, 0.4, 0.95], requiresGrad: true)
        check("clamp mixed", [inside]) { inside.clamp(min: -0.5, max: 0.5) }
    }

    func testActivations() {
        let x = signed([3, 4])
        check("sigmoid", [x]) { x.sigmoid() }
        check("tanh", [x]) { x.tanh() }
        check("relu", [x]) { x.relu() }
        check("leakyReLU", [x]) { x.leakyReLU(slope: 0.2) }
        check("elu", [x]) { x.elu(alpha: 0.7) }
        check("softplus", [x]) { x.softplus() }
        let logits = Tensor.normal([3, 5], std: 2, rng: &rng, requiresGrad: true)
        check("softmax", [logits]) { logits.softmax() }
        check("logSoftmax", [logits]) { logits.logSoftmax() }
        let rank3 = Tensor.normal([2, 2, 3], rng: &rng, requiresGrad: true)
        check("softmax rank 3", [rank3]) { rank3.softmax() }
    }

    func testShapeOps() {
        let x = signed([2, 3, 4])
        check("reshape", [x]) { x.reshaped([4, -1]) }
        check("flattenedBatch", [x]) { x.flattenedBatch() }
        check("transpose", [x]) { x.transposed() }
        check("permute", [x]) { x.permuted([2, 0, 1]) }
        check("flippedSpatially", [x]) { x.flippedSpatially() }
        let (a, b) = (signed([2, 1, 4]), signed([2, 2, 4]))
        check("concat axis 1", [a, b, x]) { Tensor.concatenate([a, b, x], axis: 1) }
        check("concat axis 0", [x, x]) { Tensor.concatenate([x, x], axis: 0) }
        check("narrow axis 2", [x]) { x.narrowed(axis: 2, start: 1, length: 2) }
        check("batch", [x]) { x.batch(1..<2) }
        let rows = signed([5, 3])
        check("gatherRows with repeats", [rows]) { rows.gatherRows([4, 0, 4, 2]) }
    }

    func testComposedGraphReusingATensor() {
        // x appears on several paths; gradients must accumulate across them.
        let x = signed([3, 4]), w = signed([4, 2])
        check("composed", [x, w]) { ((x * x).matmul(w).tanh() + x.sum(axis: 1, keepDims: true)).mean(axis: 0) }
    }

    func testCheckerCatchesAWrongGradient() {
        // A deliberately wrong backward (routes the gradient to the reversed index) must fail loudly.
        let x = signed([6])
        let report = checkGradients(of: [x]) {
            Tensor.result("bad_square", shape: x.shape, storage: x.storage.map { $0 * $0 }, inputs: [x]) { _, g in
                x.accumulateGrad((0..<g.count).map { 2 * x.storage[g.count - 1 - $0] * g[$0] })
            }
        }
        XCTAssertGreaterThan(report.maxRelativeError, 0.05, "\(report)")
    }
}
