import XCTest
@testable import IllusionNeuralNetworks

/// BatchNorm1D/2D against PyTorch in training and evaluation mode, including the running statistics.
final class BatchNormTests: XCTestCase {
    func testBatchNormMatchesPyTorch() throws {
        let fx = try ConvFixture("batch_norm")
        XCTAssertGreaterThanOrEqual(fx.configs.count, 20)
        for (i, cfg) in fx.configs.enumerated() {
            let x = try fx.leaf(i, "x")
            let c = x.shape[1], affine = cfg["affine"] as! Bool, training = cfg["training"] as! Bool
            let momentum = (cfg["momentum"] as? Double).map(Float.init)
            let layer: BatchNormalization = x.rank == 4
                ? BatchNorm2D(c, momentum: momentum, affine: affine) : BatchNorm1D(c, momentum: momentum, affine: affine)
            layer.isTraining = training
            if affine {
                layer.weight!.storage = try fx.tensor(i, "weight").storage
                layer.bias!.storage = try fx.tensor(i, "bias").storage
            }
            layer.runningMean.storage = try fx.tensor(i, "running_mean").storage
            layer.runningVar.storage = try fx.tensor(i, "running_var").storage
            let y = layer(x)
            assertClose(y.storage, try fx.tensor(i, "y").storage, "batchNorm[\(i)] y")
            assertClose(layer.runningMean.storage, try fx.tensor(i, "running_mean_after").storage, "batchNorm[\(i)] running_mean")
            assertClose(layer.runningVar.storage, try fx.tensor(i, "running_var_after").storage, "batchNorm[\(i)] running_var")
            XCTAssertEqual(layer.numBatchesTracked, training ? 1 : 0)
            weightedSum(y, try fx.tensor(i, "grad_y")).backward()
            assertClose(x.grad, try fx.tensor(i, "grad_x").storage, "batchNorm[\(i)] dx")
            if affine {
                assertClose(layer.weight!.grad, try fx.tensor(i, "grad_weight").storage, "batchNorm[\(i)] dγ")
                assertClose(layer.bias!.grad, try fx.tensor(i, "grad_bias").storage, "batchNorm[\(i)] dβ")
            }
        }
    }

    func testStateDictNamesAndCounts() {
        let bn = BatchNorm2D(8)
        XCTAssertEqual(bn.stateDict().map(\.name), ["weight", "bias", "running_mean", "running_var"])
        XCTAssertEqual(bn.parameterCounts.trainable, 16)
        XCTAssertEqual(bn.parameterCounts.nonTrainable, 16)
        XCTAssertEqual(bn.runningVar.storage, [Float](repeating: 1, count: 8))
        XCTAssertEqual(bn.eps, 1e-5)
        XCTAssertEqual(bn.momentum, 0.1)
    }

    func testTrainingOutputIsNormalisedPerChannel() {
        var rng = RandomGenerator(seed: 3)
        let x = Tensor.normal([6, 3, 4, 4], mean: 5, std: 3, rng: &rng)
        let y = BatchNorm2D(3)(x)
        for ch in 0..<3 {
            var values: [Double] = []
            for n in 0..<6 { for i in 0..<16 { values.append(Double(y.storage[(n * 3 + ch) * 16 + i])) } }
            let mean = values.reduce(0, +) / Double(values.count)
            let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)
            XCTAssertEqual(mean, 0, accuracy: 1e-5)
            XCTAssertEqual(variance, 1, accuracy: 1e-3)
        }
    }
}
