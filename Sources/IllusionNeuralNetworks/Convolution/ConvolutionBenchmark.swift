import Foundation

/// Throughput of the convolution layers at given shapes, for the Benchmarks executable:
/// GFLOP/s of Conv2D / Conv2DTranspose forward and backward, beside the raw SGEMM of the same
/// (forward) GEMM shape, so the cost of im2col/col2im and reordering is visible.
///
/// FLOPs: forward 2·N·Cout·Ho·Wo·C·kh·kw for Conv2D (2·N·Cin·H·W·Cout·kh·kw for the transpose, whose
/// input is the small side); backward (input and weight gradients) twice that.
public struct ConvolutionThroughput: Codable, Sendable, CustomStringConvertible {
    /// The case's name.
    public var layer: String
    /// Images per measured call N.
    public var batch: Int
    /// `C×H×W → Cout×Ho×Wo`.
    public var shape: String
    /// Median forward time of one batch, in ms.
    public var forwardMilliseconds: Double
    /// Median backward time (input and weight gradients) of one batch, in ms.
    public var backwardMilliseconds: Double
    /// Forward FLOPs (see above) / forward time, in 10⁹ per second.
    public var forwardGFLOPS: Double
    /// Backward FLOPs (twice the forward's) / backward time, in 10⁹ per second.
    public var backwardGFLOPS: Double
    /// The forward's SGEMM alone (`[m, k]·[k, n]`) at the same shape.
    public var gemmGFLOPS: Double
    /// The SGEMM's shape as `m×k·k×n`.
    public var gemm: String

    public var description: String {
        String(format: "%@ N=%d %@: fwd %.2f ms (%.1f GFLOP/s), bwd %.2f ms (%.1f GFLOP/s); SGEMM %@ %.1f GFLOP/s",
               layer, batch, shape, forwardMilliseconds, forwardGFLOPS, backwardMilliseconds, backwardGFLOPS, gemm, gemmGFLOPS)
    }
}

/// Timing of our convolution routes on one layer shape (used by `make bench`).
public enum ConvolutionBenchmark {
    /// One layer shape: a Conv2D (or Conv2DTranspose) with a 3×3-style kernel on `size × size` inputs.
    public struct Case: Sendable {
        /// The row label in the report (e.g. `fashion conv2`).
        public var name: String
        /// True: a Conv2DTranspose; false: a Conv2D.
        public var transposed: Bool
        /// Input channels of the layer.
        public var inChannels: Int
        /// Output channels of the layer.
        public var outChannels: Int
        /// Input height = width in pixels.
        public var size: Int
        /// Square kernel side k.
        public var kernel: Int
        /// Stride on both axes.
        public var stride: Int
        /// Zero padding on each side.
        public var padding: Int
        /// Extra output rows/columns of a transposed convolution (PyTorch `output_padding`).
        public var outputPadding: Int
        /// A case; the defaults are the VAEs' down-sampling convolution: 3×3 kernel, stride 2, padding 1.
        public init(_ name: String, transposed: Bool = false, _ inChannels: Int, _ outChannels: Int, size: Int,
                    kernel: Int = 3, stride: Int = 2, padding: Int = 1, outputPadding: Int = 0) {
            self.name = name; self.transposed = transposed
            self.inChannels = inChannels; self.outChannels = outChannels; self.size = size
            self.kernel = kernel; self.stride = stride; self.padding = padding; self.outputPadding = outputPadding
        }
    }

    /// The convolution layers of the Fashion-MNIST conv VAE (32×32×1) and of the face VAE (256×256×3).
    public static let vaeCases: [Case] = [
        Case("fashion enc1", 1, 32, size: 32), Case("fashion enc2", 32, 64, size: 16), Case("fashion enc3", 64, 128, size: 8),
        Case("fashion dec1", transposed: true, 128, 128, size: 4, outputPadding: 1),
        Case("fashion dec2", transposed: true, 128, 64, size: 8, outputPadding: 1),
        Case("fashion dec3", transposed: true, 64, 32, size: 16, outputPadding: 1),
        Case("fashion out", 32, 1, size: 32, stride: 1),
        Case("face enc1", 3, 32, size: 256), Case("face enc2", 32, 64, size: 128), Case("face enc3", 64, 64, size: 64),
        Case("face enc5", 64, 64, size: 16),
        Case("face dec1", transposed: true, 64, 64, size: 8, outputPadding: 1),
        Case("face dec3", transposed: true, 64, 64, size: 32, outputPadding: 1),
        Case("face dec4", transposed: true, 64, 32, size: 64, outputPadding: 1),
        Case("face dec5", transposed: true, 32, 3, size: 128, outputPadding: 1),
    ]

    /// Median wall time of `repeats` runs of `body` after one warm-up, in seconds.
    static func medianTime(repeats: Int, _ body: () -> Void) -> Double {
        body()
        var times: [Double] = []
        for _ in 0..<max(repeats, 1) {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return times.sorted()[times.count / 2]
    }

    /// Measures one case at one batch size.
    public static func measure(_ c: Case, batch: Int, repeats: Int = 5, seed: UInt64 = 1) -> ConvolutionThroughput {
        var rng = RandomGenerator(seed: seed)
        let layer: Layer
        let outSize: Int
        if c.transposed {
            layer = Conv2DTranspose(c.inChannels, c.outChannels, kernelSize: Size2D(c.kernel), stride: Size2D(c.stride),
                                    padding: Size2D(c.padding), outputPadding: Size2D(c.outputPadding), rng: &rng)
            outSize = ConvolutionGeometry.transposedOutputSize(inputSize: c.size, kernelSize: c.kernel, stride: c.stride,
                                                               padding: c.padding, outputPadding: c.outputPadding)
        } else {
            layer = Conv2D(c.inChannels, c.outChannels, kernelSize: Size2D(c.kernel), stride: Size2D(c.stride),
                           padding: .explicit(Size2D(c.padding)), rng: &rng)
            outSize = ConvolutionGeometry.outputSize(inputSize: c.size, kernelSize: c.kernel, stride: c.stride, padding: c.padding)
        }
        let x = Tensor.normal([batch, c.inChannels, c.size, c.size], rng: &rng, requiresGrad: true)
        let taps = c.kernel * c.kernel
        // GEMM of the forward: conv [Cout, C·k²]·[C·k², N·Ho·Wo]; transpose [Cout·k², Cin]·[Cin, N·H·W].
        let (m, n, k) = c.transposed ? (c.outChannels * taps, batch * c.size * c.size, c.inChannels)
                                     : (c.outChannels, batch * outSize * outSize, c.inChannels * taps)
        let flops = 2 * Double(m) * Double(n) * Double(k)
        let forward = medianTime(repeats: repeats) { _ = noGrad { layer(x) } }
        var gradient: [Float] = []
        let y = layer(x)
        gradient = [Float](repeating: 0.01, count: y.count)
        // Only the backward pass is timed: the forward on the tape runs before the clock starts.
        var backwardTimes: [Double] = []
        for repetition in 0...max(repeats, 1) {
            layer.zeroGradients(); x.grad = nil
            let out = layer(x)
            let start = DispatchTime.now().uptimeNanoseconds
            out.backward(gradient: gradient)
            if repetition > 0 { backwardTimes.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9) }  // 0 = warm-up
        }
        let backward = backwardTimes.sorted()[backwardTimes.count / 2]
        let a = [Float](repeating: 0.5, count: m * k), b = [Float](repeating: 0.25, count: k * n)
        var cm = [Float](repeating: 0, count: m * n)
        let gemmTime = medianTime(repeats: repeats) {
            a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in cm.withUnsafeMutableBufferPointer { cp in
                sgemm(m: m, n: n, k: k, a: ap.baseAddress!, lda: k, b: bp.baseAddress!, ldb: n, c: cp.baseAddress!, ldc: n)
            } } }
        }
        return ConvolutionThroughput(
            layer: (c.transposed ? "Conv2DTranspose " : "Conv2D ") + c.name, batch: batch,
            shape: "\(c.inChannels)×\(c.size)×\(c.size) → \(c.outChannels)×\(outSize)×\(outSize)",
            forwardMilliseconds: forward * 1e3, backwardMilliseconds: backward * 1e3,
            forwardGFLOPS: flops / forward / 1e9, backwardGFLOPS: 2 * flops / max(backward, 1e-9) / 1e9,
            gemmGFLOPS: flops / gemmTime / 1e9, gemm: "[\(m)×\(k)]·[\(k)×\(n)]")
    }

    /// Every VAE case at each batch size.
    public static func run(batches: [Int] = [32, 100], repeats: Int = 5) -> [ConvolutionThroughput] {
        batches.flatMap { b in vaeCases.map { measure($0, batch: b, repeats: repeats) } }
    }
}
