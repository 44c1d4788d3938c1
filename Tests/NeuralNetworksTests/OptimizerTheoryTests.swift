import XCTest
@testable import IllusionNeuralNetworks

/// The claims of docs/theory/optimizers.md.
final class OptimizerTheoryTests: XCTestCase {
    /// Bias correction: Adam's first step moves every parameter by ≈ lr·sign(g), whatever |g| is;
    /// without it the step would be lr·(1−β₁)/√(1−β₂) ≈ 3.16·lr.
    func testAdamFirstStepIsLearningRateWhateverTheGradientScale() {
        for scale: Float in [1e-4, 1, 1e4] {
            let p = Tensor(shape: [3], storage: [0, 0, 0], requiresGrad: true)
            let adam = Adam(parameters: [p], learningRate: 0.01)
            p.grad = [scale, -2 * scale, 0.5 * scale]
            adam.step()
            XCTAssertEqual(p.storage[0], -0.01, accuracy: 1e-5)
            XCTAssertEqual(p.storage[1], 0.01, accuracy: 1e-5)
            XCTAssertEqual(p.storage[2], -0.01, accuracy: 1e-5)
        }
    }

    /// On an ill-conditioned quadratic f(θ) = ½(θ₁² + 100θ₂²), momentum reaches a far lower loss
    /// than plain gradient descent with the same learning rate and step budget.
    func testMomentumBeatsPlainGradientDescentOnAnIllConditionedQuadratic() {
        func run(momentum: Float, nesterov: Bool = false) -> Float {
            let p = Tensor(shape: [2], storage: [1, 1], requiresGrad: true)
            let sgd = SGD(parameters: [p], learningRate: 0.009, momentum: momentum, nesterov: nesterov)
            for _ in 0..<100 {
                p.grad = [p.storage[0], 100 * p.storage[1]]
                sgd.step()
            }
            return 0.5 * (p.storage[0] * p.storage[0] + 100 * p.storage[1] * p.storage[1])
        }
        let plain = run(momentum: 0), heavyBall = run(momentum: 0.9), nesterov = run(momentum: 0.9, nesterov: true)
        XCTAssertLessThan(heavyBall, plain / 100, "plain \(plain), momentum \(heavyBall)")
        XCTAssertLessThan(nesterov, plain / 100, "plain \(plain), Nesterov \(nesterov)")
    }

    /// AdaGrad's effective step shrinks as squared gradients accumulate: with a constant gradient g
    /// the t-th step is lr·g/√(t·g²) = lr/√t.
    func testAdaGradStepShrinksAsOneOverRootT() {
        let p = Tensor(shape: [1], storage: [0], requiresGrad: true)
        let adagrad = AdaGrad(parameters: [p], learningRate: 0.1)
        var previous: Float = 0
        for t in 1...16 {
            p.grad = [3]
            adagrad.step()
            let step = previous - p.storage[0]
            previous = p.storage[0]
            XCTAssertEqual(step, 0.1 / Float(t).squareRoot(), accuracy: 1e-5)
        }
    }
}
