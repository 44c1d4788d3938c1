import XCTest
@testable import IllusionNeuralNetworks

/// With our threads on (OpenBLAS single-threaded, as the CLI runs), repeating a convolution's
/// forward and backward gives bit-identical values and gradients: the same --seed, the same run.
final class ConvDeterminismTests: XCTestCase {
    func testChunkedConvolutionsAreBitReproducible() {
        let saved = ComputeContext.current
        defer { saved.apply() }
        ComputeContext.layers(2).apply()
        func once() -> [[Float]] {
            var rng = RandomGenerator(seed: 5)
            let x = Tensor.normal([16, 8, 20, 20], rng: &rng, requiresGrad: true)
            let w = Tensor.normal([12, 8, 3, 3], rng: &rng, requiresGrad: true)
            let b = Tensor.normal([12], rng: &rng, requiresGrad: true)
            let wt = Tensor.normal([12, 6, 3, 3], rng: &rng, requiresGrad: true)
            let y = conv2d(x, w, b, stride: 2, padding: 1, workspace: ColumnWorkspace())
            let z = convTranspose2d(y, wt, nil, stride: 2, padding: 1, outputPadding: 1, workspace: ColumnWorkspace())
            z.backward(gradient: Tensor.normal(z.shape, rng: &rng).storage)
            return [z.storage, x.grad!, w.grad!, b.grad!, wt.grad!]
        }
        let first = once()
        for _ in 0..<5 { XCTAssertEqual(once(), first) }
    }
}
