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

/// Grad mode is per thread, and the tape refuses gradients of tensors modified in place.
final class TapeSafetyTests: XCTestCase {
    /// `noGrad` on one thread does not stop another thread from recording.
    func testNoGradIsPerThread() {
        let w = Tensor(shape: [2], storage: [1, 2], requiresGrad: true)
        let insideNoGrad = DispatchSemaphore(value: 0), recorded = DispatchSemaphore(value: 0)
        final class Flag: @unchecked Sendable { var value = false }
        let otherThreadRecorded = Flag()
        let thread = Thread {
            insideNoGrad.wait()
            otherThreadRecorded.value = (w * w).sum().node != nil
            recorded.signal()
        }
        thread.start()
        noGrad {
            XCTAssertFalse(GradMode.isEnabled)
            insideNoGrad.signal()
            recorded.wait()
            XCTAssertNil((w * w).sum().node)
        }
        XCTAssertTrue(otherThreadRecorded.value, "noGrad on the main thread switched recording off on another thread")
        XCTAssertTrue(GradMode.isEnabled)
    }

    /// Modifying an input that a recorded op still needs makes backward fail, naming the op.
    func testInPlaceModificationIsDetected() {
        let x = Tensor(shape: [3], storage: [1, 2, 3], requiresGrad: true)
        let y = x * x
        let loss = y.sum()
        x.storage[0] = 10                       // after the op recorded x
        XCTAssertThrowsError(try loss.backwardChecked()) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("modified in place") && text.contains("'multiply'"), text)
            XCTAssertTrue(text.contains("[3]"), text)
        }
        // Unmodified tensors still differentiate, and versions count mutations.
        let a = Tensor(shape: [2], storage: [1, 2], requiresGrad: true)
        let v0 = a.version
        XCTAssertNoThrow(try (a * a).sum().backwardChecked())
        XCTAssertEqual(a.grad, [2, 4])
        a.storage[1] = 5
        XCTAssertEqual(a.version, v0 + 1)
    }
}
