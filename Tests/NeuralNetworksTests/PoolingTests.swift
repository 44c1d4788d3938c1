import XCTest
@testable import IllusionNeuralNetworks

/// MaxPool2D / AvgPool2D against PyTorch (24 configurations each) plus layer behaviour.
final class PoolingTests: XCTestCase {
    func testMaxPoolMatchesPyTorch() throws {
        let fx = try ConvFixture("max_pool2d")
        XCTAssertGreaterThanOrEqual(fx.configs.count, 20)
        for (i, cfg) in fx.configs.enumerated() {
            let x = try fx.leaf(i, "x")
            let layer = MaxPool2D(kernelSize: size2D(cfg["kernel"]), stride: size2D(cfg["stride"]), padding: size2D(cfg["padding"]))
            let y = layer(x)
            XCTAssertEqual(y.shape, try fx.tensor(i, "y").shape, "config \(i)")
            assertClose(y.storage, try fx.tensor(i, "y").storage, "maxPool[\(i)] y")
            weightedSum(y, try fx.tensor(i, "grad_y")).backward()
            assertClose(x.grad, try fx.tensor(i, "grad_x").storage, "maxPool[\(i)] dx")
        }
    }

    func testAvgPoolMatchesPyTorch() throws {
        let fx = try ConvFixture("avg_pool2d")
        XCTAssertGreaterThanOrEqual(fx.configs.count, 20)
        for (i, cfg) in fx.configs.enumerated() {
            let x = try fx.leaf(i, "x")
            let layer = AvgPool2D(kernelSize: size2D(cfg["kernel"]), stride: size2D(cfg["stride"]), padding: size2D(cfg["padding"]),
                                  countIncludePad: cfg["count_include_pad"] as! Bool)
            let y = layer(x)
            XCTAssertEqual(y.shape, try fx.tensor(i, "y").shape, "config \(i)")
            assertClose(y.storage, try fx.tensor(i, "y").storage, "avgPool[\(i)] y")
            weightedSum(y, try fx.tensor(i, "grad_y")).backward()
            assertClose(x.grad, try fx.tensor(i, "grad_x").storage, "avgPool[\(i)] dx")
        }
    }

    func testStrideDefaultsToKernelAndHandExample() {
        let x = Tensor(shape: [1, 1, 4, 4], storage: (0..<16).map(Float.init))
        let maxY = MaxPool2D(kernelSize: 2)(x)
        XCTAssertEqual(maxY.shape, [1, 1, 2, 2])
        XCTAssertEqual(maxY.storage, [5, 7, 13, 15])
        XCTAssertEqual(AvgPool2D(kernelSize: 2)(x).storage, [2.5, 4.5, 10.5, 12.5])
    }

    /// The branch-free 2×2 kernel against the general window loop: values, argmax (through the
    /// gradient) with ties, −∞ and NaNs, odd sizes (the last row/column dropped), several threads.
    func testPairwiseKernelMatchesGeneralLoop() {
        var rng = RandomGenerator(seed: 41)
        for shape in [[2, 3, 7, 9], [3, 5, 14, 14], [4, 16, 28, 28], [1, 2, 6, 5]] {   // rows of 4, 7, 14 (overlapping blocks), 2 (general loop)
            let x = Tensor.normal(shape, rng: &rng, requiresGrad: true)
            for i in stride(from: 0, to: x.count - 1, by: 13) { x.storage[i] = x.storage[i + 1] }   // ties
            x.storage[5] = -.infinity; x.storage[6] = -.infinity
            x.storage[30] = .nan; x.storage[31] = .nan; x.storage[40] = .nan
            let seed = Tensor.normal([shape[0], shape[1], shape[2] / 2, shape[3] / 2], rng: &rng).storage
            let saved = ParallelLoops.threads
            defer { ParallelLoops.configure(saved) }
            for threads in [1, 2] {
                ParallelLoops.configure(threads)
                x.grad = nil
                let fast = maxPool2d(x, kernelSize: 2)
                fast.backward(gradient: seed)
                let fastGrad = x.grad!
                x.grad = nil
                let reference = maxPool2d(x, kernelSize: 2, stride: nil, padding: 0, pairwiseKernel: false)
                reference.backward(gradient: seed)
                XCTAssertEqual(fast.storage.map(\.bitPattern), reference.storage.map(\.bitPattern), "\(shape) values, \(threads) threads")
                XCTAssertEqual(fastGrad.map(\.bitPattern), x.grad!.map(\.bitPattern), "\(shape) argmax routing (bits, −0 included), \(threads) threads")
            }
        }
    }
}
