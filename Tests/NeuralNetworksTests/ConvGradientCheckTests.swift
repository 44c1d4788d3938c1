import XCTest
@testable import IllusionNeuralNetworks

/// Finite-difference gradient checks (Tensors' `checkGradients`: central differences with Richardson
/// extrapolation, Float64 accumulation) for every layer of the convolution family. The forward runs in
/// Float32, so a difference quotient carries ~10⁻⁴ absolute noise; index or formula bugs give O(1) errors.
final class ConvGradientCheckTests: XCTestCase {
    var rng = RandomGenerator(seed: 2024)

    func assertGradients(_ inputs: [Tensor], tolerance: Double = 1e-2, _ what: String, _ f: () -> Tensor,
                         file: StaticString = #filePath, line: UInt = #line) {
        let report = checkGradients(of: inputs, f)
        XCTAssertLessThanOrEqual(report.maxRelativeError, tolerance, "\(what): \(report)", file: file, line: line)
    }

    func testConv2D() {
        let configs: [(Size2D, Size2D, ConvPadding, Size2D)] = [
            (3, 1, 0, 1), (3, 2, 1, 1), (Size2D(2, 3), Size2D(3, 1), .explicit(Size2D(2, 0)), Size2D(1, 2)), (3, 2, .same, 1), (4, 3, .same, 2),
        ]
        for (k, s, p, d) in configs {
            let layer = Conv2D(2, 3, kernelSize: k, stride: s, padding: p, dilation: d, rng: &rng)
            let x = Tensor.normal([2, 2, 7, 6], rng: &rng, requiresGrad: true)
            assertGradients([x, layer.weight, layer.bias!], "Conv2D k\(k) s\(s) p\(p) d\(d)") { layer(x) }
        }
    }

    /// Stride-1 convolutions with few output channels run as a transposed convolution of the
    /// flipped kernel (``narrowOutputPadding(_:outChannels:)``): its gradients, including a
    /// rectangular kernel and padding 0 (transposed padding k−1).
    func testConv2DNarrowOutputRoute() {
        let configs: [(Size2D, ConvPadding)] = [(3, 1), (Size2D(2, 3), .explicit(Size2D(1, 0))), (3, 0)]
        for (k, p) in configs {
            let layer = Conv2D(6, 2, kernelSize: k, padding: p, rng: &rng)
            let x = Tensor.normal([2, 6, 5, 6], rng: &rng, requiresGrad: true)
            let win = ConvolutionGeometry.window(channels: 6, height: 5, width: 6, kernelSize: k, stride: 1, padding: p, dilation: 1)
            XCTAssertNotNil(narrowOutputPadding(win, outChannels: 2), "k\(k) p\(p) should take the transposed route")
            assertGradients([x, layer.weight, layer.bias!], "Conv2D 6→2 k\(k) p\(p)") { layer(x) }
        }
    }

    func testConv2DTranspose() {
        let configs: [(Size2D, Size2D, Size2D, Size2D, Size2D)] = [
            (3, 1, 0, 0, 1), (3, 2, 1, 1, 1), (Size2D(2, 3), Size2D(3, 2), Size2D(0, 1), Size2D(2, 1), Size2D(1, 2)), (4, 2, 1, 0, 2),
        ]
        for (k, s, p, op, d) in configs {
            let layer = Conv2DTranspose(3, 2, kernelSize: k, stride: s, padding: p, outputPadding: op, dilation: d, rng: &rng)
            let x = Tensor.normal([2, 3, 4, 5], rng: &rng, requiresGrad: true)
            assertGradients([x, layer.weight, layer.bias!], "Conv2DTranspose k\(k) s\(s) p\(p) op\(op) d\(d)") { layer(x) }
        }
    }

    func testConv1D() {
        for (k, s, p, d) in [(3, 1, 0, 1), (3, 2, 1, 2), (4, 3, 2, 1)] {
            let layer = Conv1D(2, 3, kernelSize: k, stride: s, padding: ConvPadding(integerLiteral: p), dilation: d, rng: &rng)
            let x = Tensor.normal([2, 2, 11], rng: &rng, requiresGrad: true)
            assertGradients([x, layer.weight, layer.bias!], "Conv1D k\(k) s\(s) p\(p) d\(d)") { layer(x) }
        }
        let same = Conv1D(2, 2, kernelSize: 4, stride: 2, padding: .same, rng: &rng)
        let x = Tensor.normal([1, 2, 9], rng: &rng, requiresGrad: true)
        assertGradients([x, same.weight, same.bias!], "Conv1D same") { same(x) }
    }

    /// Distinct values 0.03 apart, so a ±0.01 step never changes which element is the maximum.
    func spreadInput(_ shape: [Int]) -> Tensor {
        let n = shape.reduce(1, *)
        return Tensor(shape: shape, storage: rng.permutation(n).map { Float($0) * 0.03 - Float(n) * 0.015 }, requiresGrad: true)
    }

    func testPooling() {
        let x = spreadInput([2, 2, 7, 6])
        assertGradients([x], "MaxPool2D 2") { MaxPool2D(kernelSize: 2)(x) }
        assertGradients([x], "MaxPool2D 3 s2 p1") { MaxPool2D(kernelSize: 3, stride: 2, padding: 1)(x) }
        assertGradients([x], "AvgPool2D 3 s2 p1") { AvgPool2D(kernelSize: 3, stride: 2, padding: 1)(x) }
        assertGradients([x], "AvgPool2D 2×3 no pad count") {
            AvgPool2D(kernelSize: Size2D(2, 3), stride: 1, padding: Size2D(1, 1), countIncludePad: false)(x)
        }
    }

    func testBatchNormTrainingAndEvaluation() {
        for shape in [[5, 3], [4, 3, 5], [3, 3, 4, 3]] {
            let layer: BatchNormalization = shape.count == 4 ? BatchNorm2D(3) : BatchNorm1D(3)
            layer.weight!.storage = [0.5, 1.5, -1]
            layer.bias!.storage = [0.1, -0.2, 0.3]
            let x = Tensor.normal(shape, mean: 1, std: 2, rng: &rng, requiresGrad: true)
            assertGradients([x, layer.weight!, layer.bias!], "\(layer.summaryName) training \(shape)") { layer(x) }
            layer.isTraining = false
            assertGradients([x, layer.weight!, layer.bias!], "\(layer.summaryName) eval \(shape)") { layer(x) }
        }
    }

    func testDropoutUpsampleReshapingAndResidual() {
        let x = Tensor.normal([2, 3, 4, 5], rng: &rng, requiresGrad: true)
        let keep = (0..<x.count).map { _ in rng.nextFloat() >= 0.4 }
        assertGradients([x], "dropout") { dropout(x, keep: keep, p: 0.4) }
        assertGradients([x], "Upsample 2×3") { Upsample(scaleFactor: Size2D(2, 3))(x) }
        assertGradients([x], "Flatten") { Flatten()(x) }
        assertGradients([x], "Reshape") { Reshape([5, 12])(x) }
        let conv = Conv2D(3, 3, kernelSize: 3, padding: 1, rng: &rng)
        let block = Residual(Sequential(conv, Tanh()))
        assertGradients([x, conv.weight, conv.bias!], "Residual") { block(x) }
        let projected = Residual(Conv2D(3, 2, kernelSize: 3, padding: .same, rng: &rng),
                                 shortcut: Conv2D(3, 2, kernelSize: 1, rng: &rng))
        assertGradients([x] + projected.parameters, "Residual with 1×1 shortcut") { projected(x) }
    }
}
