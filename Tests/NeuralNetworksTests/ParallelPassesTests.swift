import XCTest
@testable import IllusionNeuralNetworks

/// BatchNorm and Adam run their passes in parallel parts (``ParallelLoops``); the values must be
/// bit-identical to one thread, so the same seed trains the same model on any core count.
final class ParallelPassesTests: XCTestCase {
    override func tearDown() { ParallelLoops.configure(1) }

    private func batchNormTrainingStep(threads: Int) -> [[Float]] {
        ParallelLoops.configure(threads)
        var rng = RandomGenerator(seed: 11)
        let x = Tensor.normal([16, 12, 20, 20], mean: 1, std: 2, rng: &rng)
        x.requiresGrad = true
        let bn = BatchNorm2D(12)
        let upstream = Tensor.normal(x.shape, mean: 0, std: 1, rng: &rng)
        (bn(x) * upstream).sum().backward()
        let evalOut = { bn.isTraining = false; defer { bn.isTraining = true }; return bn(x).storage }()
        return [x.grad!, bn.weight!.grad!, bn.bias!.grad!, bn.runningMean.storage, bn.runningVar.storage, evalOut]
    }

    func testBatchNormParallelEqualsSerialBitForBit() {
        let serial = batchNormTrainingStep(threads: 1)
        let parallel = batchNormTrainingStep(threads: 2)
        for (k, name) in ["dx", "dγ", "dβ", "running mean", "running var", "eval output"].enumerated() {
            XCTAssertEqual(serial[k], parallel[k], name)
        }
    }

    func testAdamParallelEqualsSerialBitForBit() {
        func steps(threads: Int) -> [Float] {
            ParallelLoops.configure(threads)
            var rng = RandomGenerator(seed: 2)
            let w = Tensor.normal([300_000], mean: 0, std: 1, rng: &rng)
            w.requiresGrad = true
            let adam = Adam(parameters: [w], learningRate: 1e-2)
            for _ in 0..<3 {
                w.grad = nil
                (w * w).sum().backward()
                adam.step()
            }
            return w.storage
        }
        XCTAssertEqual(steps(threads: 1), steps(threads: 2))
    }
}
