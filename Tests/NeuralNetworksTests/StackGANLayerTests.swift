import XCTest
@testable import IllusionNeuralNetworks

/// The layers StackGAN Stage-II is built from, against PyTorch (`scripts/make_stackgan_fixtures.py`)
/// and finite differences: nearest upsampling, bilinear resizing, the residual block, 4×4 stride-2 convolutions.
final class StackGANLayerTests: XCTestCase {
    var rng = RandomGenerator(seed: 1812)

    func testUpsampleNearestMatchesPyTorch() throws {
        let fx = try ConvFixture("upsample_nearest")
        XCTAssertGreaterThanOrEqual(fx.configs.count, 8)
        for (i, cfg) in fx.configs.enumerated() {
            let x = try fx.leaf(i, "x")
            let y = Upsample(scaleFactor: size2D(cfg["scale"]))(x)
            XCTAssertEqual(y.shape, try fx.tensor(i, "y").shape, "config \(i)")
            XCTAssertEqual(y.storage, try fx.tensor(i, "y").storage, "nearest upsampling copies values exactly, config \(i)")
            weightedSum(y, try fx.tensor(i, "grad_y")).backward()
            assertClose(x.grad, try fx.tensor(i, "grad_x").storage, "upsample[\(i)] dx")
        }
    }

    /// The fast nearest upsampling against its definition: outputs and input gradients equal to the bit.
    func testUpsampleNearestMatchesTheReference() {
        for (shape, scale) in [([2, 3, 5, 4], Size2D(2, 2)), ([1, 2, 3, 7], Size2D(3, 1)), ([3, 1, 1, 2], Size2D(1, 4)),
                               ([1, 4, 6, 3], Size2D(2, 3)), ([2, 2, 4, 4], Size2D(1, 1))] {
            let a = Tensor.normal(shape, rng: &rng), b = Tensor(shape: shape, storage: a.storage)
            a.requiresGrad = true; b.requiresGrad = true
            let fast = upsampleNearest2d(a, scaleFactor: scale), slow = upsampleNearest2dReference(b, scaleFactor: scale)
            XCTAssertEqual(fast.shape, [shape[0], shape[1], shape[2] * scale.height, shape[3] * scale.width])
            XCTAssertEqual(fast.storage, slow.storage, "forward \(shape) ×\(scale)")
            let g = Tensor.normal(fast.shape, rng: &rng)
            weightedSum(fast, g).backward()
            weightedSum(slow, g).backward()
            XCTAssertEqual(a.grad, b.grad, "backward \(shape) ×\(scale)")
            XCTAssertNotEqual(a.grad?.allSatisfy { $0 == 0 }, true)
        }
    }

    /// Each config of fixture `name`: the fast resize against PyTorch's output and against the definition
    /// (`parameter` is the config's scale or factor). Returns the number of configs.
    @discardableResult
    func checkResize(_ name: String, parameter: String, _ resize: (Tensor, Int) -> Tensor,
                     reference: (Tensor, Int) -> Tensor) throws -> Int {
        let fx = try ConvFixture(name)
        for (i, cfg) in fx.configs.enumerated() {
            let x = try fx.tensor(i, "x"), f = cfg[parameter] as! Int
            let y = resize(x, f)
            XCTAssertEqual(y.shape, try fx.tensor(i, "y").shape, "\(name) config \(i)")
            assertClose(y.storage, try fx.tensor(i, "y").storage, "\(name)[\(i)] y")
            assertClose(y.storage, reference(x, f).storage, tolerance: 1e-6, "fast kernel vs definition, \(name) config \(i)")
        }
        return fx.configs.count
    }

    func testResizeBilinearMatchesPyTorchAndTheReference() throws {
        try checkResize("resize_bilinear", parameter: "scale", { resizeBilinear($0, scaleFactor: $1) },
                        reference: { resizeBilinearReference($0, scaleFactor: $1) })
        // A constant image stays constant; ×1 is the identity.
        let flat = Tensor(repeating: 0.25, shape: [1, 2, 3, 5])
        XCTAssertEqual(resizeBilinear(flat, scaleFactor: 2).storage, [Float](repeating: 0.25, count: 2 * 6 * 10))
        let x = Tensor.normal([2, 1, 4, 3], rng: &rng)
        XCTAssertEqual(resizeBilinear(x, scaleFactor: 1).storage, x.storage)
    }

    /// Downsampling (Fashion-MNIST Stage-II back to 28×28): PyTorch's scale 1/d, the definition, and ×½ = the 2×2 block mean.
    func testResizeBilinearDownMatchesPyTorchAndTheReference() throws {
        let configs = try checkResize("resize_bilinear_down", parameter: "factor", { resizeBilinear($0, downscaleFactor: $1) },
                                      reference: { resizeBilinearReference($0, downscaleFactor: $1) })
        XCTAssertEqual(configs, 5)
        let x = Tensor(shape: [1, 1, 2, 4], storage: [1, 2, 10, 20, 3, 4, 30, 40])
        XCTAssertEqual(resizeBilinear(x, downscaleFactor: 2).storage, [2.5, 25])
    }

    /// StackGAN-Pytorch's ResBlock in training mode: output, gradients of input and every parameter,
    /// and the BatchNorm running statistics after the step, loaded through its state-dict names.
    func testResidualBlockMatchesPyTorch() throws {
        let fx = try ConvFixture("residual_block")
        for (i, cfg) in fx.configs.enumerated() {
            let c = cfg["channels"] as! Int
            let block = ResidualBlock(channels: c, rng: &rng)
            XCTAssertEqual(block.namedParameters().map(\.name),
                           ["block.0.weight", "block.1.weight", "block.1.bias", "block.3.weight", "block.4.weight", "block.4.bias"])
            XCTAssertEqual(block.namedBuffers().map(\.name).filter { !$0.hasSuffix("num_batches_tracked") },
                           ["block.1.running_mean", "block.1.running_var", "block.4.running_mean", "block.4.running_var"])
            for (name, t) in block.namedParameters() { t.storage = try fx.tensor(i, name).storage }
            let x = try fx.leaf(i, "x")
            let y = block(x)
            assertClose(y.storage, try fx.tensor(i, "y").storage, "resblock[\(i)] y")
            weightedSum(y, try fx.tensor(i, "grad_y")).backward()
            assertClose(x.grad, try fx.tensor(i, "grad_x").storage, "resblock[\(i)] dx")
            for (name, t) in block.namedParameters() { assertClose(t.grad, try fx.tensor(i, "grad.\(name)").storage, "resblock[\(i)] d\(name)") }
            let buffers = Dictionary(uniqueKeysWithValues: block.namedBuffers().map { ($0.name, $0.tensor) })
            for name in ["block.1.running_mean", "block.1.running_var", "block.4.running_mean", "block.4.running_var"] {
                assertClose(buffers[name]?.storage, try fx.tensor(i, "after.\(name)").storage, "resblock[\(i)] \(name)")
            }
        }
    }

    func testResidualBlockGradientsAndIdentityAtZeroWeights() {
        let block = ResidualBlock(channels: 2, rng: &rng)
        block.isTraining = false
        block.setTraining(false)
        let x = Tensor.normal([2, 2, 4, 4], rng: &rng, requiresGrad: true)
        for i in 0..<x.count where abs(x.storage[i]) < 0.05 { x.storage[i] += 0.2 }   // away from ReLU's kink
        let report = checkGradients(of: [x] + block.parameters, step: 1e-3) { block(x) }
        XCTAssertLessThanOrEqual(report.maxRelativeError, 1e-2, "\(report)")
        // With the last BatchNorm's γ = β = 0 the branch is silent: y = ReLU(x).
        let last = block.block.layers[4] as! BatchNorm2D
        last.weight!.storage = [0, 0]; last.bias!.storage = [0, 0]
        XCTAssertEqual(block(x).storage, x.storage.map { max(0, $0) })
    }

    /// The 4×4 stride-2 padding-1 convolutions of StackGAN's encoders and discriminators halve the side
    /// exactly, and their gradients check.
    func testFourByFourStrideTwoConvolutionHalves() {
        for side in [8, 16, 32, 64] {
            let conv = Conv2D(3, 4, kernelSize: 4, stride: 2, padding: 1, bias: false, rng: &rng)
            XCTAssertEqual(conv(Tensor.zeros([1, 3, side, side])).shape, [1, 4, side / 2, side / 2])
        }
        let conv = Conv2D(2, 3, kernelSize: 4, stride: 2, padding: 1, rng: &rng)
        let x = Tensor.normal([2, 2, 8, 8], rng: &rng, requiresGrad: true)
        let report = checkGradients(of: [x, conv.weight, conv.bias!]) { conv(x) }
        XCTAssertLessThanOrEqual(report.maxRelativeError, 1e-2, "\(report)")
    }
}
