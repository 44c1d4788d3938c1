import XCTest
@testable import IllusionTensors

final class TapeTests: XCTestCase {
    func testGradientsAccumulateOverPathsAndBackwardCalls() {
        let x = Tensor(shape: [2], storage: [3, -1], requiresGrad: true)
        (x * x + x).sum().backward()               // d/dx = 2x + 1
        XCTAssertEqual(x.grad, [7, -1])
        (x * 2).sum().backward()                    // accumulates, as PyTorch
        XCTAssertEqual(x.grad, [9, 1])
        x.zeroGrad()
        XCTAssertNil(x.grad)
    }

    func testNoGradRecordsNothingAndConstantsGetNoGradient() {
        let w = Tensor(shape: [2], storage: [1, 2], requiresGrad: true)
        let c = Tensor(shape: [2], storage: [5, 6])
        let y = noGrad { (w * c).sum() }
        XCTAssertNil(y.node)
        XCTAssertTrue(GradMode.isEnabled)
        let z = (w * c).sum()
        XCTAssertNotNil(z.node)
        z.backward()
        XCTAssertEqual(w.grad, [5, 6])
        XCTAssertNil(c.grad)
        XCTAssertNil(z.node, "the tape is released after backward")
    }

    func testDeepChainDoesNotRecurse() {
        // 20k ops: an iterative topological sort must not overflow the stack.
        let x = Tensor(1, requiresGrad: true)
        var y = x
        for _ in 0..<20_000 { y = y * Tensor(1.0001) }
        y.backward()
        XCTAssertEqual(Double(x.grad![0]), Foundation.pow(1.0001, 20_000), accuracy: 1e-2)
    }

    func testShapeErrorsAndCheckedConstructor() {
        XCTAssertThrowsError(try Tensor.checked(shape: [2, 3], storage: [1, 2])) { error in
            XCTAssertEqual(error as? TensorError, .countMismatch(shape: [2, 3], count: 2))
            XCTAssertEqual("\(error)", "shape [2, 3] needs 6 values, got 2")
        }
        XCTAssertThrowsError(try Tensor.checked(shape: [-1], storage: []))
    }
}
