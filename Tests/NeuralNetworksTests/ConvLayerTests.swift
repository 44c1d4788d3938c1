import XCTest
@testable import IllusionNeuralNetworks

/// State-dict names and layouts (PyTorch's), default initialisation bounds, and mode behaviour.
final class ConvLayerTests: XCTestCase {
    var rng = RandomGenerator(seed: 12)

    func testStateDictLayoutsArePyTorchs() {
        let conv = Conv2D(3, 8, kernelSize: Size2D(3, 5), rng: &rng)
        XCTAssertEqual(conv.stateDict().map(\.name), ["weight", "bias"])
        XCTAssertEqual(conv.weight.shape, [8, 3, 3, 5])
        let deconv = Conv2DTranspose(8, 4, kernelSize: 3, stride: 2, rng: &rng)
        XCTAssertEqual(deconv.weight.shape, [8, 4, 3, 3])
        XCTAssertEqual(deconv.bias!.shape, [4])
        let conv1 = Conv1D(2, 6, kernelSize: 7, bias: false, rng: &rng)
        XCTAssertEqual(conv1.stateDict().map(\.name), ["weight"])
        XCTAssertEqual(conv1.weight.shape, [6, 2, 7])
        let model = Sequential(conv, BatchNorm2D(8), ReLU())
        XCTAssertEqual(model.stateDict().map(\.name), ["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var"])
    }

    func testDefaultInitialisationBoundsArePyTorchs() {
        // U(−1/√fanIn, 1/√fanIn); fanIn = C·kh·kw for Conv2d and Cout·kh·kw for ConvTranspose2d's [in, out, kh, kw].
        func check(_ values: [Float], bound: Float) {
            XCTAssertLessThanOrEqual(values.map(abs).max()!, bound)
            XCTAssertGreaterThan(values.map(abs).max()!, bound * 0.8)
        }
        let conv = Conv2D(16, 32, kernelSize: 3, rng: &rng)
        check(conv.weight.storage, bound: 1 / Float(16 * 9).squareRoot())
        check(conv.bias!.storage, bound: 1 / Float(16 * 9).squareRoot())
        let deconv = Conv2DTranspose(32, 16, kernelSize: 3, rng: &rng)
        check(deconv.weight.storage, bound: 1 / Float(16 * 9).squareRoot())
        check(deconv.bias!.storage, bound: 1 / Float(16 * 9).squareRoot())
        let conv1 = Conv1D(4, 50, kernelSize: 5, rng: &rng)
        check(conv1.weight.storage, bound: 1 / Float(20).squareRoot())
    }

    func testNoTapeWithoutGradientsAndSameValues() {
        let conv = Conv2D(2, 3, kernelSize: 3, stride: 2, padding: 1, rng: &rng)
        let x = Tensor.normal([2, 2, 9, 9], rng: &rng)
        let withTape = conv(x)
        XCTAssertNotNil(withTape.node)
        let without = noGrad { conv(x) }
        XCTAssertNil(without.node)
        XCTAssertEqual(withTape.storage, without.storage)
        let deconv = Conv2DTranspose(3, 2, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1, rng: &rng)
        XCTAssertEqual(noGrad { deconv(withTape) }.storage, deconv(withTape).storage)
    }

    func testUpsampleNearestAndReshapes() {
        let x = Tensor(shape: [1, 1, 2, 2], storage: [1, 2, 3, 4])
        XCTAssertEqual(Upsample(scaleFactor: 2)(x).storage, [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4])
        XCTAssertEqual(Flatten()(Tensor.zeros([3, 2, 4, 5])).shape, [3, 40])
        XCTAssertEqual(Reshape([64, 8, 8])(Tensor.zeros([2, 4096])).shape, [2, 64, 8, 8])
    }

    func testResidualAddsIdentity() {
        let conv = Conv2D(2, 2, kernelSize: 3, padding: .same, rng: &rng)
        let x = Tensor.normal([1, 2, 5, 5], rng: &rng)
        let y = Residual(conv)(x)
        let expected = zip(conv(x).storage, x.storage).map { $0 + $1 }
        XCTAssertEqual(y.storage, expected)
        XCTAssertEqual(Residual(conv).stateDict().map(\.name), ["body.weight", "body.bias"])
    }
}
