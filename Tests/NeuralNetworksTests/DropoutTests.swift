import XCTest
@testable import IllusionNeuralNetworks

/// Dropout: PyTorch's inverted scaling (replaying its masks), identity in evaluation, seeded masks.
final class DropoutTests: XCTestCase {
    func testScalingMatchesPyTorch() throws {
        let fx = try ConvFixture("dropout")
        XCTAssertGreaterThanOrEqual(fx.configs.count, 20)
        for (i, cfg) in fx.configs.enumerated() {
            let p = Float(cfg["p"] as! Double)
            let x = try fx.leaf(i, "x"), expected = try fx.tensor(i, "y")
            let keep = expected.storage.map { $0 != 0 } // the fixture's inputs are positive
            let y = dropout(x, keep: keep, p: p)
            assertClose(y.storage, expected.storage, "dropout[\(i)] y")
            weightedSum(y, try fx.tensor(i, "grad_y")).backward()
            assertClose(x.grad, try fx.tensor(i, "grad_x").storage, "dropout[\(i)] dx")
        }
    }

    func testEvalIsIdentityAndTrainingKeepsTheMean() {
        var rng = RandomGenerator(seed: 9)
        let x = Tensor.uniform([100, 100], low: 1, high: 2, rng: &rng)
        let layer = Dropout(p: 0.3, seed: 42)
        layer.isTraining = false
        XCTAssertTrue(layer(x) === x)
        layer.isTraining = true
        let y = layer(x)
        let zeros = y.storage.filter { $0 == 0 }.count
        XCTAssertEqual(Double(zeros) / 10_000, 0.3, accuracy: 0.02)
        for (a, b) in zip(y.storage, x.storage) where a != 0 { XCTAssertEqual(a, b / 0.7, accuracy: 1e-5) }
        XCTAssertEqual(Double(y.sum().scalar) / Double(x.sum().scalar), 1, accuracy: 0.03)
    }

    func testSameSeedSameMask() {
        let x = Tensor.ones([50])
        XCTAssertEqual(Dropout(p: 0.5, seed: 7)(x).storage, Dropout(p: 0.5, seed: 7)(x).storage)
        XCTAssertNotEqual(Dropout(p: 0.5, seed: 7)(x).storage, Dropout(p: 0.5, seed: 8)(x).storage)
    }
}
