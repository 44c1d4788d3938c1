import XCTest
@testable import IllusionNeuralNetworks

/// With our threads on (OpenBLAS single-threaded, as the CLI runs), repeating a convolution's
/// forward and backward gives bit-identical values and gradients: the same --seed, the same run —
/// and the same bits on 1, 2 or 3 threads (chunks and weight-gradient groups do not depend on the
/// thread count; ConvolutionEngine's doc).
final class ConvDeterminismTests: XCTestCase {
    /// Forward values and every gradient of a conv → transposed conv pair on `threads` threads.
    private func convolutionPair(threads: Int, batch: Int) -> [[Float]] {
        ComputeContext.layers(threads).apply()
        var rng = RandomGenerator(seed: 11)
        let x = Tensor.normal([batch, 8, 20, 20], rng: &rng, requiresGrad: true)
        let w = Tensor.normal([12, 8, 3, 3], rng: &rng, requiresGrad: true)
        let b = Tensor.normal([12], rng: &rng, requiresGrad: true)
        let wt = Tensor.normal([12, 6, 4, 4], rng: &rng, requiresGrad: true)
        let bt = Tensor.normal([6], rng: &rng, requiresGrad: true)
        let y = conv2d(x, w, b, stride: 2, padding: 1, workspace: ColumnWorkspace())
        let z = convTranspose2d(y, wt, bt, stride: 2, padding: 1, outputPadding: 0, workspace: ColumnWorkspace())
        z.backward(gradient: Tensor.normal(z.shape, rng: &rng).storage)
        return [y.storage, z.storage, x.grad!, w.grad!, b.grad!, wt.grad!, bt.grad!]
    }

    func testTheThreadCountDoesNotChangeTheBits() {
        let saved = ComputeContext.current
        defer { saved.apply() }
        // 37 samples: chunks of unequal length; 3 threads: groups dealt unevenly.
        for batch in [1, 5, 37] {
            let one = convolutionPair(threads: 1, batch: batch)
            XCTAssertGreaterThan(one[3].map(abs).max()!, 0)
            for threads in [2, 3] {
                let other = convolutionPair(threads: threads, batch: batch)
                for (i, (a, b)) in zip(one, other).enumerated() {
                    XCTAssertEqual(a, b, "batch \(batch), \(threads) threads: tensor \(i) differs from 1 thread")
                }
            }
        }
    }

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
