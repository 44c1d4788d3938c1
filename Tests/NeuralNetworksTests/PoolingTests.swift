import XCTest
@testable import NeuralNetworks

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
}
