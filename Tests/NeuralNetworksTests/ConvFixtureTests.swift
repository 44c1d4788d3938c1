import XCTest
@testable import IllusionNeuralNetworks

/// Conv2D, Conv2DTranspose and Conv1D against PyTorch's F.conv2d / F.conv_transpose2d / F.conv1d:
/// outputs and gradients w.r.t. input, weight and bias for 24 random configurations each.
final class ConvFixtureTests: XCTestCase {
    func testConv2DMatchesPyTorch() throws {
        let fx = try ConvFixture("conv2d")
        XCTAssertGreaterThanOrEqual(fx.configs.count, 20)
        for (i, cfg) in fx.configs.enumerated() {
            let x = try fx.leaf(i, "x"), w = try fx.leaf(i, "weight"), b = fx.optionalTensor(i, "bias")
            b?.requiresGrad = true
            let padding: ConvPadding = (cfg["padding"] as? String) == "same" ? .same : .explicit(size2D(cfg["padding"]))
            let y = conv2d(x, w, b, stride: size2D(cfg["stride"]), padding: padding, dilation: size2D(cfg["dilation"]))
            let expected = try fx.tensor(i, "y")
            XCTAssertEqual(y.shape, expected.shape, "config \(i) \(cfg)")
            assertClose(y.storage, expected.storage, "conv2d[\(i)] y")
            weightedSum(y, try fx.tensor(i, "grad_y")).backward()
            assertClose(x.grad, try fx.tensor(i, "grad_x").storage, "conv2d[\(i)] dx")
            assertClose(w.grad, try fx.tensor(i, "grad_weight").storage, "conv2d[\(i)] dW")
            if let b { assertClose(b.grad, try fx.tensor(i, "grad_bias").storage, "conv2d[\(i)] db") }
        }
    }

    func testConv2DLayerWithWorkspaceMatchesPyTorchOverRepeatedSteps() throws {
        // The layer reuses its column buffer across steps; run each config twice through one layer.
        let fx = try ConvFixture("conv2d")
        var rng = RandomGenerator(seed: 1)
        for (i, cfg) in fx.configs.enumerated() where (cfg["padding"] as? String) != "same" {
            let wRef = try fx.tensor(i, "weight")
            let layer = Conv2D(wRef.shape[1], wRef.shape[0], kernelSize: Size2D(wRef.shape[2], wRef.shape[3]),
                               stride: size2D(cfg["stride"]), padding: .explicit(size2D(cfg["padding"])),
                               dilation: size2D(cfg["dilation"]), bias: cfg["bias"] as! Bool, rng: &rng)
            layer.weight.storage = wRef.storage
            if let b = layer.bias { b.storage = try fx.tensor(i, "bias").storage }
            for _ in 0..<2 {
                layer.zeroGradients()
                let x = try fx.leaf(i, "x")
                let y = layer(x)
                assertClose(y.storage, try fx.tensor(i, "y").storage, "Conv2D layer[\(i)] y")
                weightedSum(y, try fx.tensor(i, "grad_y")).backward()
                assertClose(x.grad, try fx.tensor(i, "grad_x").storage, "Conv2D layer[\(i)] dx")
                assertClose(layer.weight.grad, try fx.tensor(i, "grad_weight").storage, "Conv2D layer[\(i)] dW")
            }
        }
    }

    func testConv2DTransposeMatchesPyTorch() throws {
        let fx = try ConvFixture("conv_transpose2d")
        XCTAssertGreaterThanOrEqual(fx.configs.count, 20)
        for (i, cfg) in fx.configs.enumerated() {
            let x = try fx.leaf(i, "x"), w = try fx.leaf(i, "weight"), b = fx.optionalTensor(i, "bias")
            b?.requiresGrad = true
            let y = convTranspose2d(x, w, b, stride: size2D(cfg["stride"]), padding: size2D(cfg["padding"]),
                                    outputPadding: size2D(cfg["output_padding"]), dilation: size2D(cfg["dilation"]),
                                    workspace: ColumnWorkspace())
            let expected = try fx.tensor(i, "y")
            XCTAssertEqual(y.shape, expected.shape, "config \(i) \(cfg)")
            assertClose(y.storage, expected.storage, "convTranspose2d[\(i)] y")
            weightedSum(y, try fx.tensor(i, "grad_y")).backward()
            assertClose(x.grad, try fx.tensor(i, "grad_x").storage, "convTranspose2d[\(i)] dx")
            assertClose(w.grad, try fx.tensor(i, "grad_weight").storage, "convTranspose2d[\(i)] dW")
            if let b { assertClose(b.grad, try fx.tensor(i, "grad_bias").storage, "convTranspose2d[\(i)] db") }
        }
    }

    func testConv1DMatchesPyTorch() throws {
        let fx = try ConvFixture("conv1d")
        XCTAssertGreaterThanOrEqual(fx.configs.count, 20)
        for (i, cfg) in fx.configs.enumerated() {
            let x = try fx.leaf(i, "x"), w = try fx.leaf(i, "weight"), b = fx.optionalTensor(i, "bias")
            b?.requiresGrad = true
            let padding: ConvPadding = (cfg["padding"] as? String) == "same" ? .same : ConvPadding(integerLiteral: cfg["padding"] as! Int)
            let y = conv1d(x, w, b, stride: cfg["stride"] as! Int, padding: padding, dilation: cfg["dilation"] as! Int)
            let expected = try fx.tensor(i, "y")
            XCTAssertEqual(y.shape, expected.shape, "config \(i) \(cfg)")
            assertClose(y.storage, expected.storage, "conv1d[\(i)] y")
            weightedSum(y, try fx.tensor(i, "grad_y")).backward()
            assertClose(x.grad, try fx.tensor(i, "grad_x").storage, "conv1d[\(i)] dx")
            assertClose(w.grad, try fx.tensor(i, "grad_weight").storage, "conv1d[\(i)] dW")
            if let b { assertClose(b.grad, try fx.tensor(i, "grad_bias").storage, "conv1d[\(i)] db") }
        }
    }
}
