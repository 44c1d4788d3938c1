import XCTest
@testable import IllusionTensors

/// The dedicated ReLU / LeakyReLU kernels against the generic elementwise op they replaced.
final class ActivationFastPathTests: XCTestCase {
    /// Two sizes: 60 values (7 eight-lane blocks and a tail of 4) and 150,015 (split over threads).
    func check(_ fast: (Tensor) -> Tensor, _ reference: (Tensor) -> Tensor) {
        check([4, 3, 5], fast, reference)
        check([7, 333, 65], fast, reference)
    }

    func check(_ shape: [Int], _ fast: (Tensor) -> Tensor, _ reference: (Tensor) -> Tensor) {
        var rng = RandomGenerator(seed: 5)
        let x = Tensor.normal(shape, rng: &rng, requiresGrad: true)
        x.storage[0] = 0  // the kink: derivative 0 (ReLU) / slope (LeakyReLU), as PyTorch
        x.storage[9] = 0
        let seed = Tensor.normal(shape, rng: &rng).storage
        let y = fast(x)
        y.backward(gradient: seed)
        let g = x.grad!
        x.grad = nil
        let r = reference(x)
        r.backward(gradient: seed)
        XCTAssertEqual(y.storage, r.storage)
        XCTAssertEqual(g, x.grad!)
    }

    func testReLUMatchesReference() { check({ $0.relu() }, { $0.referenceReLU() }) }
    func testLeakyReLUMatchesReference() {
        check({ $0.leakyReLU(slope: 0.2) }, { $0.referenceLeakyReLU(slope: 0.2) })
    }
}
