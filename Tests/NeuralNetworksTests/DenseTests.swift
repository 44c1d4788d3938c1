import XCTest
@testable import IllusionNeuralNetworks

final class DenseTests: XCTestCase {
    func testLinearMatchesPyTorch() throws {
        let fixture = try CoreFixture("dense")
        for name in ["dense", "dense_nobias"] {
            let x = try fixture.leaf("\(name).x"), w = try fixture.leaf("\(name).weight")
            let b = fixture.has("\(name).bias") ? try fixture.leaf("\(name).bias") : nil
            let y = linear(x, w, b)
            coreAssertClose(y, try fixture.tensor("\(name).out"), "\(name) forward")
            y.backward(gradient: try fixture.tensor("\(name).gout").storage)
            coreAssertClose(x.gradient, try fixture.tensor("\(name).grad_x"), "\(name) grad x")
            coreAssertClose(w.gradient, try fixture.tensor("\(name).grad_weight"), "\(name) grad weight")
            if let b { coreAssertClose(b.gradient, try fixture.tensor("\(name).grad_bias"), "\(name) grad bias") }
        }
    }

    func testDenseLayerGradientCheckAndStateDictNames() {
        var rng = RandomGenerator(seed: 4)
        let layer = Dense(5, 3, rng: &rng)
        let x = Tensor.normal([4, 5], rng: &rng, requiresGrad: true)
        let report = checkGradients(of: [x, layer.weight, layer.bias!]) { layer(x) }
        XCTAssertLessThan(report.maxRelativeError, 2e-3, "\(report)")
        let noBias = Dense(5, 2, bias: false, rng: &rng)
        let r2 = checkGradients(of: [x, noBias.weight]) { noBias(x).tanh() }
        XCTAssertLessThan(r2.maxRelativeError, 2e-3, "\(r2)")
        XCTAssertEqual(layer.namedParameters().map(\.name), ["weight", "bias"])
        XCTAssertEqual(layer.weight.shape, [3, 5])
        // PyTorch default init bound 1/√in.
        XCTAssert(layer.weight.storage.allSatisfy { abs($0) <= 1 / Float(5).squareRoot() })
        let model = Sequential(Dense(2, 4, rng: &rng), ReLU(), Dense(4, 1, rng: &rng))
        XCTAssertEqual(model.namedParameters().map(\.name), ["0.weight", "0.bias", "2.weight", "2.bias"])
    }
}
