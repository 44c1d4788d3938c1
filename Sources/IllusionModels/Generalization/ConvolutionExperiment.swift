import Foundation

/// Why convolution helps, measured:
///
/// 1. Parameters: a k×k convolution C→C' on an H×W image is a linear map; written as the dense matrix
///    T (``convolutionMatrix(weight:outChannels:window:)``, `[C'·Ho·Wo, C·H·W]`) it has C'·Ho·Wo·C·H·W
///    entries, of which only the in-window ones are non-zero and only C'·C·k² distinct — the rest are
///    zeros or copies (weight sharing). Counted from the matrix built with all-distinct weights.
/// 2. Translation equivariance: with circular padding, conv(shift(x)) = shift(conv(x)) exactly (the
///    reference below sums the same products in the same order, so the equality is bit-exact); with
///    zero padding the border breaks it, and the measured error says by how much.
/// 3. Inductive bias under one budget: a CNN and a one-hidden-layer MLP with (almost) the same number
///    of parameters, trained the same way on a Fashion-MNIST subset: test accuracy and train–test gap.
public struct ConvolutionExperiment: Sendable {
    public var trainImages = 10_000
    public var epochs = 5
    public var batchSize = 64
    public var learningRate: Float = 0.001
    public var testImages = 10_000
    /// false skips the Fashion-MNIST part.
    public var fashion = true
    public var dataDirectory = FashionMNIST.defaultDirectory
    public var seed: UInt64 = 0

    public init() {}

    public func validate() throws {
        guard trainImages >= 1 else { throw ModelError.invalidArgument("--samples (training images) must be ≥ 1, got \(trainImages)") }
        guard testImages >= 1 else { throw ModelError.invalidArgument("--test-samples must be ≥ 1, got \(testImages)") }
        guard epochs >= 1, batchSize >= 1 else { throw ModelError.invalidArgument("--epochs and --batch-size must be ≥ 1") }
        guard learningRate > 0, learningRate.isFinite else { throw ModelError.invalidArgument("--lr must be positive, got \(learningRate)") }
    }

    public struct ParameterCount: Codable, Sendable {
        public var layer: String
        /// Entries of the dense matrix T (plus one bias per output value for the dense layer).
        public var denseParameters: Int
        /// Structurally non-zero entries of T.
        public var nonZeroEntries: Int
        /// Distinct values among them = the convolution's weights; plus C' biases.
        public var convolutionParameters: Int
        /// Whether the counts were read off the explicit matrix (else by formula, checked against the matrix on the first layer).
        public var countedFromMatrix: Bool
    }

    public struct Equivariance: Codable, Sendable {
        public var shift: [Int]
        /// max |conv(shift x) − shift(conv x)| with circular padding (the reference sums): 0 means exact.
        public var circularMaxError: Double
        /// ‖conv(shift x) − shift(conv x)‖ / ‖conv x‖ with zero padding.
        public var zeroPaddingRelativeError: Double
        /// Share of output values that differ with zero padding (the border band).
        public var zeroPaddingAffectedShare: Double
        /// The same relative error through our im2col `Conv2D` layer (zero padding `same`).
        public var conv2DLayerRelativeError: Double
    }

    public struct Comparison: Codable, Sendable {
        public var model: String
        public var parameters: Int
        public var trainAccuracy: Double
        public var testAccuracy: Double
        public var gap: Double
    }

    public struct Result: Codable, Sendable {
        public var parameterCounts: [ParameterCount]
        public var equivariance: Equivariance
        public var comparison: [Comparison]
        public var trainImages: Int
        public var epochs: Int
    }

    /// Counts of the 3×3 `same` convolution C→C' on an H×W image from its explicit matrix.
    public static func countFromMatrix(channels c: Int, outChannels co: Int, height h: Int, width w: Int, kernel k: Int = 3) -> ParameterCount {
        let window = ConvolutionWindow2D(channels: c, height: h, width: w, kernelHeight: k, kernelWidth: k,
                                         padTop: k / 2, padLeft: k / 2, outputHeight: h, outputWidth: w)
        let weight = (0..<(co * c * k * k)).map { Float($0 + 1) }   // all distinct, exact in Float
        let t = convolutionMatrix(weight: weight, outChannels: co, window: window)
        let nonZero = t.filter { $0 != 0 }
        return ParameterCount(layer: "conv \(c)→\(co) \(k)×\(k) on \(h)×\(w)", denseParameters: t.count + co * h * w,
                              nonZeroEntries: nonZero.count, convolutionParameters: Set(nonZero).count + co, countedFromMatrix: true)
    }

    /// The same counts by formula (for layers whose matrix is too large to build).
    public static func countByFormula(channels c: Int, outChannels co: Int, height h: Int, width w: Int, kernel k: Int = 3) -> ParameterCount {
        // In-bounds taps per axis for `same` padding: Σ over output positions of the window's overlap.
        func taps(_ n: Int) -> Int { (0..<n).reduce(0) { s, o in s + (0..<k).filter { o - k / 2 + $0 >= 0 && o - k / 2 + $0 < n }.count } }
        return ParameterCount(layer: "conv \(c)→\(co) \(k)×\(k) on \(h)×\(w)", denseParameters: co * h * w * c * h * w + co * h * w,
                              nonZeroEntries: co * c * taps(h) * taps(w), convolutionParameters: co * c * k * k + co, countedFromMatrix: false)
    }

    /// Reference cross-correlation of one image `x` `[C, H, W]` with `weight` `[C', C, k, k]`, `same` size,
    /// circular or zero padding; sums over (c, ki, kj) in that order, in Double.
    public static func referenceConvolution(_ x: [Double], channels c: Int, height h: Int, width w: Int,
                                            weight: [Double], outChannels co: Int, kernel k: Int, circular: Bool) -> [Double] {
        var y = [Double](repeating: 0, count: co * h * w)
        for o in 0..<co { for oy in 0..<h { for ox in 0..<w {
            var s = 0.0
            for ci in 0..<c { for ki in 0..<k { for kj in 0..<k {
                var iy = oy + ki - k / 2, ix = ox + kj - k / 2
                if circular { iy = (iy % h + h) % h; ix = (ix % w + w) % w } else if iy < 0 || iy >= h || ix < 0 || ix >= w { continue }
                s += weight[((o * c + ci) * k + ki) * k + kj] * x[(ci * h + iy) * w + ix]
            } } }
            y[(o * h + oy) * w + ox] = s
        } } }
        return y
    }

    /// Circular shift of every channel of `[C, H, W]` by (dy, dx).
    public static func shifted<T>(_ x: [T], channels c: Int, height h: Int, width w: Int, by dy: Int, _ dx: Int) -> [T] {
        var out = x
        for ci in 0..<c { for y in 0..<h { for xx in 0..<w {
            out[(ci * h + (y + dy) % h) * w + (xx + dx) % w] = x[(ci * h + y) * w + xx]
        } } }
        return out
    }

    /// The equivariance measurements on a random 3×16×16 image and random 4×3×3×3 weights, shift (3, 5).
    public static func measureEquivariance(seed: UInt64) -> Equivariance {
        let c = 3, co = 4, h = 16, w = 16, k = 3, dy = 3, dx = 5
        var g = RandomGenerator(seed: seed, stream: 0xE9)
        let x = (0..<(c * h * w)).map { _ in Double(Float(g.nextNormal())) }
        let weight = (0..<(co * c * k * k)).map { _ in Double(Float(g.nextNormal())) }
        func errors(circular: Bool) -> (max: Double, relative: Double, share: Double) {
            let a = referenceConvolution(shifted(x, channels: c, height: h, width: w, by: dy, dx), channels: c, height: h, width: w,
                                         weight: weight, outChannels: co, kernel: k, circular: circular)
            let base = referenceConvolution(x, channels: c, height: h, width: w, weight: weight, outChannels: co, kernel: k, circular: circular)
            let b = shifted(base, channels: co, height: h, width: w, by: dy, dx)
            let diff = zip(a, b).map { abs($0 - $1) }
            let norm = base.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return (diff.max() ?? 0, diff.reduce(0) { $0 + $1 * $1 }.squareRoot() / norm, Double(diff.filter { $0 > 1e-9 }.count) / Double(diff.count))
        }
        let circular = errors(circular: true), zero = errors(circular: false)
        // The same through the Conv2D layer (im2col + GEMM, Float).
        var rng = RandomGenerator(seed: seed)
        let layer = Conv2D(c, co, kernelSize: 3, padding: .same, bias: false, rng: &rng)
        layer.weight.storage = weight.map(Float.init)
        let conv2D: Double = noGrad {
            let input = Tensor(shape: [1, c, h, w], storage: x.map(Float.init))
            let moved = Tensor(shape: [1, c, h, w], storage: shifted(x, channels: c, height: h, width: w, by: dy, dx).map(Float.init))
            let base = layer(input).storage
            let b = shifted(base, channels: co, height: h, width: w, by: dy, dx), a = layer(moved).storage
            let num = zip(a, b).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) }
            return num.squareRoot() / base.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        }
        return Equivariance(shift: [dy, dx], circularMaxError: circular.max, zeroPaddingRelativeError: zero.relative,
                            zeroPaddingAffectedShare: zero.share, conv2DLayerRelativeError: conv2D)
    }

    /// The small CNN of the budget comparison: conv(1→16)-ReLU-pool-conv(16→32)-ReLU-pool-dense(1568→10).
    public static func smallCNN(rng: inout RandomGenerator) -> Sequential {
        Sequential([Conv2D(1, 16, kernelSize: 3, padding: .same, weightInit: .heUniform(), rng: &rng), ReLU(), MaxPool2D(kernelSize: 2),
                    Conv2D(16, 32, kernelSize: 3, padding: .same, weightInit: .heUniform(), rng: &rng), ReLU(), MaxPool2D(kernelSize: 2),
                    Flatten(), Dense(32 * 7 * 7, 10, rng: &rng)])
    }

    /// A 784→h→10 ReLU MLP with h chosen so its parameter count is closest to `budget`.
    public static func budgetMLP(budget: Int, rng: inout RandomGenerator) -> Sequential {
        let h = max(1, Int((Double(budget - 10) / 795).rounded()))
        return Sequential([Flatten(), Dense(784, h, weightInit: .heUniform(), rng: &rng), ReLU(), Dense(h, 10, rng: &rng)])
    }

    public func run(progress: (String) -> Void = { _ in }) throws -> Result {
        try validate()
        let counts = [ConvolutionExperiment.countFromMatrix(channels: 1, outChannels: 32, height: 28, width: 28),
                      ConvolutionExperiment.countByFormula(channels: 32, outChannels: 64, height: 14, width: 14)]
        for c in counts { progress("\(c.layer): dense \(c.denseParameters), non-zero \(c.nonZeroEntries), convolution \(c.convolutionParameters)") }
        let eq = ConvolutionExperiment.measureEquivariance(seed: seed)
        progress(String(format: "equivariance: circular max error %.3g, zero padding relative error %.3g (%.1f%% of outputs)",
                        eq.circularMaxError, eq.zeroPaddingRelativeError, 100 * eq.zeroPaddingAffectedShare))
        var comparison: [Comparison] = []
        if fashion {
            let train = try FashionMNIST.load(.train, directory: dataDirectory, options: IDXImageOptions(padding: 0, limit: trainImages))
            let test = try FashionMNIST.load(.test, directory: dataDirectory, options: IDXImageOptions(padding: 0, limit: testImages))
            let xTrain = train.floatImages(at: Array(0..<train.count), encoding: .unitRange)
            let xTest = test.floatImages(at: Array(0..<test.count), encoding: .unitRange)
            var rng = RandomGenerator(seed: seed &+ 11)
            let cnn = ConvolutionExperiment.smallCNN(rng: &rng)
            let mlp = ConvolutionExperiment.budgetMLP(budget: cnn.parameterCounts.trainable, rng: &rng)
            for (name, model) in [("cnn", cnn), ("mlp", mlp)] {
                let trainer = ExperimentTrainer(epochs: epochs, batchSize: batchSize, learningRate: learningRate, seed: seed)
                try trainer.train(model, x: xTrain, labels: train.labels)
                let trainAcc = 1 - ExperimentTrainer.errorRate(model, x: xTrain, labels: train.labels)
                let testAcc = 1 - ExperimentTrainer.errorRate(model, x: xTest, labels: test.labels)
                comparison.append(Comparison(model: name, parameters: model.parameterCounts.trainable, trainAccuracy: trainAcc,
                                             testAccuracy: testAcc, gap: trainAcc - testAcc))
                progress(String(format: "%@ (%d parameters): train %.4f, test %.4f", name, model.parameterCounts.trainable, trainAcc, testAcc))
            }
        }
        return Result(parameterCounts: counts, equivariance: eq, comparison: comparison, trainImages: trainImages, epochs: epochs)
    }
}
