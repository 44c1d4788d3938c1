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

    /// The residual add fused into the GEMM (C starts as the residual, β = 1) gives what the
    /// separate add gives, with and without a bias, and its gradients pass the finite-difference check.
    func testLinearAddingResidualEqualsSeparateAddAndPassesGradientCheck() {
        var rng = RandomGenerator(seed: 5)
        for withBias in [false, true] {
            let layer = Dense(6, 4, bias: withBias, rng: &rng)
            let x = Tensor.normal([5, 6], rng: &rng, requiresGrad: true)
            let r = Tensor.normal([5, 4], rng: &rng, requiresGrad: true)
            let g = Tensor.normal([5, 4], rng: &rng).storage
            let fused = linear(x, layer.weight, layer.bias, adding: r)
            fused.backward(gradient: g)
            let fusedGrads = [x.grad!, r.grad!, layer.weight.grad!]
            x.grad = nil; r.grad = nil; layer.weight.grad = nil; layer.bias?.grad = nil
            let separate = r + linear(x, layer.weight, layer.bias)
            separate.backward(gradient: g)
            XCTAssertLessThan(maxRelativeDifference(fused.storage, separate.storage), 1e-6, "bias \(withBias)")
            XCTAssertNotEqual(fused.storage, linear(x, layer.weight, layer.bias).storage, "the residual is added")
            XCTAssertEqual(fusedGrads[1], g, "d(residual) = dy")
            XCTAssertLessThan(maxRelativeDifference(fusedGrads[0], x.grad!), 1e-6)
            XCTAssertLessThan(maxRelativeDifference(fusedGrads[2], layer.weight.grad!), 1e-6)
            let inputs = [x, r, layer.weight] + (layer.bias.map { [$0] } ?? [])
            let report = checkGradients(of: inputs) { linear(x, layer.weight, layer.bias, adding: r).tanh() }
            XCTAssertLessThan(report.maxRelativeError, 2e-3, "bias \(withBias): \(report)")
        }
    }
}
