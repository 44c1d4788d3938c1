import XCTest
@testable import IllusionNeuralNetworks

/// ``LayerFusion``: a ``Sequential`` that fuses BatchNorm → ReLU/LeakyReLU and ReLU → MaxPool2D gives
/// the values, gradients and running statistics of the same layers run one by one (`==` per element:
/// a zero gradient may differ in sign only), in training and evaluation mode; plus finite-difference
/// checks of the fused BatchNorm op itself.
final class LayerFusionTests: XCTestCase {
    /// Two copies of a network from one seed: fused (the default) and layer by layer.
    func pair(_ make: (inout RandomGenerator) -> [Layer]) -> (fused: Sequential, plain: Sequential) {
        var a = RandomGenerator(seed: 11), b = RandomGenerator(seed: 11)
        let fused = Sequential(make(&a)), plain = Sequential(make(&b))
        plain.fusesAdjacentLayers = false
        return (fused, plain)
    }

    /// Runs both networks on the same input (some windows all negative) for two steps and compares
    /// outputs, input and parameter gradients and buffers.
    func assertSame(_ nets: (fused: Sequential, plain: Sequential), input shape: [Int], training: Bool,
                    _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        nets.fused.setTraining(training); nets.plain.setTraining(training)
        var rng = RandomGenerator(seed: 5)
        for step in 0..<2 {
            let values = Tensor.normal(shape, mean: -0.3, std: 1, rng: &rng).storage
            let weights = Tensor.normal(shape, rng: &rng).storage  // reused as the output gradient's seed
            var outputs: [[Float]] = [], inputGrads: [[Float]?] = []
            for net in [nets.fused, nets.plain] {
                net.zeroGradients()
                let x = Tensor(shape: shape, storage: values, requiresGrad: true)
                let y = net(x)
                outputs.append(y.storage)
                let g = Tensor(shape: y.shape, storage: Array(weights.prefix(y.count)) + [Float](repeating: 0.5, count: max(0, y.count - weights.count)))
                (y * g).sum().backward()
                inputGrads.append(x.grad)
            }
            XCTAssertEqual(outputs[0], outputs[1], "\(what) step \(step): outputs", file: file, line: line)
            XCTAssertNotNil(inputGrads[0], file: file, line: line)
            XCTAssertEqual(inputGrads[0], inputGrads[1], "\(what) step \(step): input gradient", file: file, line: line)
            for (p, q) in zip(nets.fused.namedParameters(), nets.plain.namedParameters()) {
                XCTAssertEqual(p.tensor.grad, q.tensor.grad, "\(what) step \(step): gradient of \(p.name)", file: file, line: line)
            }
            for (p, q) in zip(nets.fused.namedBuffers(), nets.plain.namedBuffers()) {
                XCTAssertEqual(p.tensor.storage, q.tensor.storage, "\(what) step \(step): buffer \(p.name)", file: file, line: line)
            }
        }
    }

    func testBatchNormThenRectifierMatchesTheLayersOneByOne() {
        let rectifiers: [(String, () -> Layer)] = [("ReLU", { ReLU() }), ("LeakyReLU(0.2)", { LeakyReLU(slope: 0.2) })]
        for (name, rectifier) in rectifiers {
            for training in [true, false] {
                // 17 values per row: the 16-lane blocks and the scalar tail of the fused reductions
                let nets = pair { rng in [Conv2D(3, 4, kernelSize: 3, padding: 1, rng: &rng), BatchNorm2D(4), rectifier(),
                                          Conv2D(4, 2, kernelSize: 3, stride: 2, padding: 1, rng: &rng)] }
                assertSame(nets, input: [3, 3, 17, 5], training: training, "Conv-BN2D-\(name) training \(training)")
                let dense = pair { rng in [Dense(6, 5, rng: &rng), BatchNorm1D(5), rectifier(), Dense(5, 3, rng: &rng)] }
                assertSame(dense, input: [7, 6], training: training, "Dense-BN1D-\(name) training \(training)")
            }
        }
    }

    func testReLUThenMaxPoolMatchesTheLayersOneByOne() {
        for (pool, size) in [(MaxPool2D(kernelSize: 2), 10), (MaxPool2D(kernelSize: 2), 11), (MaxPool2D(kernelSize: 3, stride: 2, padding: 1), 9)] {
            let nets = pair { rng in [Conv2D(2, 3, kernelSize: 3, rng: &rng), ReLU(), pool, Flatten()] }
            // the two copies share the pooling layer object: it has no state
            assertSame(nets, input: [2, 2, size + 2, size + 2], training: true, "Conv-ReLU-\(pool.summaryName) on \(size)×\(size)")
        }
    }

    /// The pairs are really fused (one tape op instead of two), and pairs that must not be are not.
    func testWhichPairsFuse() {
        let x = Tensor.normal([2, 3, 4, 4], rng: &rng)
        XCTAssertNotNil(LayerFusion.forward(BatchNorm2D(3), then: ReLU(), x))
        XCTAssertNotNil(LayerFusion.forward(BatchNorm2D(3), then: LeakyReLU(slope: 0.2), x))
        XCTAssertNotNil(LayerFusion.forward(ReLU(), then: MaxPool2D(kernelSize: 2), x))
        XCTAssertNil(LayerFusion.forward(BatchNorm2D(3), then: LeakyReLU(slope: -0.5), x), "a negative slope is not monotone")
        XCTAssertNil(LayerFusion.forward(LeakyReLU(slope: 0.2), then: MaxPool2D(kernelSize: 2), x), "rounding can move a tie")
        XCTAssertNil(LayerFusion.forward(BatchNorm2D(3), then: Sigmoid(), x))
        let p = Tensor.normal([2, 3, 4, 4], rng: &rng, requiresGrad: true)
        let fused = LayerFusion.forward(BatchNorm2D(3), then: LeakyReLU(slope: 0.2), p)!
        XCTAssertEqual(fused.node?.name, "batch_norm_leaky_relu")
        XCTAssertEqual(fused.node?.inputs.first === p, true, "one op from the input, not two")
    }

    var rng = RandomGenerator(seed: 77)

    /// x `[2, 2, 3, 3]` whose channels hold ±v pairs (v in [0.4, 1.6]): mean 0 per channel, and every
    /// normalised value at least ≈ 0.3 from the rectifier's kink (finite differences step 0.01).
    func pairedInput() -> Tensor {
        var values = [Float](repeating: 0, count: 36)
        for ch in 0..<2 {
            for i in 0..<9 {
                let v = Float(0.4 + 1.2 * rng.nextDouble()) * (rng.nextUInt32() & 1 == 0 ? 1 : -1)
                values[(0 * 2 + ch) * 9 + i] = v
                values[(1 * 2 + ch) * 9 + i] = -v
            }
        }
        return Tensor(shape: [2, 2, 3, 3], storage: values, requiresGrad: true)
    }

    func testFusedBatchNormGradientsByFiniteDifferences() {
        for slope: Float in [0, 0.2] {
            for training in [true, false] {
                let x = pairedInput()
                let w = Tensor(shape: [2], storage: [1.2, 0.8], requiresGrad: true)
                let b = Tensor(shape: [2], storage: [0.05, -0.04], requiresGrad: true)
                let mean = Tensor(shape: [2], storage: [0, 0]), variance = Tensor(shape: [2], storage: [0.9, 1.1])
                let report = checkGradients(of: [x, w, b]) {
                    batchNorm(x, weight: w, bias: b, runningMean: training ? nil : mean, runningVar: training ? nil : variance,
                              training: training, rectifierSlope: slope)
                }
                XCTAssertLessThanOrEqual(report.maxRelativeError, 1e-2, "slope \(slope) training \(training): \(report)")
            }
        }
    }
}
