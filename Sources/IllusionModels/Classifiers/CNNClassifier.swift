import Foundation

/// The seeds' small CNN: conv(32) → ReLU → max-pool 2 → conv(64) → ReLU → max-pool 2 → flatten →
/// dense(128) → ReLU → dropout → dense(classes); softmax is applied by the loss (logits out).
/// With `batchNorm` (the default), a BatchNorm2D follows each convolution (before the ReLU); with
/// `convolutionDropout` > 0 a Dropout follows each max-pool (Keras' classic Fashion-MNIST recipe).
/// With `conv3Filters` a third block (conv → BatchNorm → ReLU → max-pool 2) follows the second:
/// the `three-block` network of `illusion train cnn --arch three-block` (conv32-pool-conv64-pool-
/// conv128-pool-dense256, 28 → 14 → 7 → 3); `nil` (the struct's default and every config written
/// before it existed) is the seeds' two-block network (`--arch seed`; the CLI's default is `double-conv`, `CNNArchitecture`).
/// The checkpoint indices below are those of two blocks without BatchNorm or convolution dropout
/// (with BatchNorm only: 0, 1 conv1+BN, 4, 5 conv2+BN, 9, 12 dense; three blocks with BatchNorm:
/// 0, 1 · 4, 5 · 8, 9 conv+BN, 13, 16 dense; `double-conv` (two conv+BN+ReLU per block):
/// 0, 1 · 3, 4 · 7, 8 · 10, 11 conv+BN, 15, 18 dense; `ModelSummary` lists the names of any variant).
///
/// Input `[N, channels, imageSize, imageSize]` in [0, 1]. Built as one `torch.nn.Sequential`, so the
/// checkpoint names are its indices: without BatchNorm `0.weight` (conv1 `[32, C, 3, 3]`), `3.weight`
/// (conv2 `[64, 32, 3, 3]`), `7.weight` (dense `[128, 64·s·s]`), `10.weight` (`[classes, 128]`).
public struct CNNConfig: Codable, Equatable, Sendable {
    public var channels = 1
    public var imageSize = 28
    public var classNames: [String]
    public var conv1Filters = 32
    public var conv2Filters = 64
    public var kernelSize = 3
    /// `same` (28 → 28 → 14 → 14 → 7) or `valid` (28 → 26 → 13 → 11 → 5), as Keras names them.
    public var padding = "same"
    public var denseUnits = 128
    public var dropout: Float = 0.4
    public var batchNorm = true
    /// Dropout after each pooling block; `nil` (configs written before it existed) means none.
    public var convolutionDropout: Float?
    /// Filters of the optional third convolution block; nil = two blocks (the seeds' network).
    public var conv3Filters: Int?
    /// 3×3 convolutions (each with its BatchNorm and ReLU) in every block before the pool: 2 in the
    /// `double-conv` network (VGG's pattern); nil (configs written before it existed) means 1.
    public var convolutionsPerBlock: Int?
    /// Initialiser of the convolution and hidden dense weights: `he` (He-uniform, U(±√(6/fanIn))) or
    /// `pytorch` (PyTorch's default, U(±1/√fanIn)); nil (configs written before it existed) means `he`.
    /// Biases and the last layer always use PyTorch's default.
    public var weightInit: String?

    public init(classNames: [String], channels: Int = 1, imageSize: Int = 28) {
        self.classNames = classNames; self.channels = channels; self.imageSize = imageSize
    }

    public var classCount: Int { classNames.count }

    public func validate() throws {
        guard ["same", "valid"].contains(padding) else { throw ModelError.invalidArgument("--padding must be same or valid, got \(padding)") }
        guard dropout >= 0 && dropout < 1 else { throw ModelError.invalidArgument("--dropout must be in [0, 1), got \(dropout)") }
        if let p = convolutionDropout, !(p >= 0 && p < 1) {
            throw ModelError.invalidArgument("--conv-dropout must be in [0, 1), got \(p)")
        }
        guard conv1Filters >= 1, conv2Filters >= 1, (conv3Filters ?? 1) >= 1, denseUnits >= 1 else {
            throw ModelError.invalidArgument("--filters and --dense-units must be positive")
        }
        guard (convolutionsPerBlock ?? 1) >= 1 else {
            throw ModelError.invalidArgument("convolutionsPerBlock must be ≥ 1, got \(convolutionsPerBlock!)")
        }
        guard ["he", "pytorch"].contains(weightInit ?? "he") else {
            throw ModelError.invalidArgument("--weight-init must be he or pytorch, got \(weightInit!)")
        }
        guard kernelSize >= 1 && kernelSize % 2 == 1 else { throw ModelError.invalidArgument("--kernel-size must be odd, got \(kernelSize)") }
        guard featureSize >= 1 else {
            throw ModelError.invalidArgument("--image-size \(imageSize) is too small for \(blockFilters.count) \(kernelSize)×\(kernelSize) \(padding) convolutions and as many poolings")
        }
        guard classCount >= 2 else { throw ModelError.invalidArgument("a classifier needs at least 2 classes, got \(classCount)") }
    }

    /// Output channels of each convolution block, in order (two or three).
    public var blockFilters: [Int] { [conv1Filters, conv2Filters] + (conv3Filters.map { [$0] } ?? []) }

    /// Convolutions per block (1 unless `convolutionsPerBlock` says otherwise).
    public var convolutionsInEachBlock: Int { convolutionsPerBlock ?? 1 }

    /// Side of the feature maps entering the dense layer (each block: its convolutions, then pool 2).
    public var featureSize: Int {
        let shrink = padding == "same" ? 0 : (kernelSize - 1) * convolutionsInEachBlock
        return blockFilters.reduce(imageSize) { side, _ in (side - shrink) / 2 }
    }

    public var summary: String {
        let convDrop = (convolutionDropout ?? 0) > 0 ? ", dropout \(convolutionDropout!) after each pool" : ""
        let blocks = blockFilters.map { String(repeating: "conv\($0)-", count: convolutionsInEachBlock) + "pool-" }.joined()
        return "\(blocks)dense\(denseUnits) (\(kernelSize)×\(kernelSize) \(padding)\(convDrop), dropout \(dropout) before the last layer\(batchNorm ? ", BatchNorm" : "")\(weightInit == "pytorch" ? ", PyTorch's default init" : ""))"
    }
}

public enum CNNClassifier {
    public static func make(_ config: CNNConfig, rng: inout RandomGenerator) -> Sequential {
        let padding: ConvPadding = config.padding == "same" ? .same : .valid
        let k = Size2D(config.kernelSize, config.kernelSize)
        let weightInit: Initializer = config.weightInit == "pytorch" ? .pytorchDefault : .heUniform()
        var layers: [Layer] = []
        func block(_ input: Int, _ output: Int) {
            for i in 0..<config.convolutionsInEachBlock {
                layers.append(Conv2D(i == 0 ? input : output, output, kernelSize: k, padding: padding, weightInit: weightInit, rng: &rng))
                if config.batchNorm { layers.append(BatchNorm2D(output)) }
                layers.append(ReLU())
            }
            layers.append(MaxPool2D(kernelSize: 2))
            if let p = config.convolutionDropout, p > 0 { layers.append(Dropout(p: p, rng: &rng)) }
        }
        var channels = config.channels
        for filters in config.blockFilters {
            block(channels, filters)
            channels = filters
        }
        layers.append(Flatten())
        layers.append(Dense(channels * config.featureSize * config.featureSize, config.denseUnits,
                            weightInit: weightInit, rng: &rng))
        layers.append(ReLU())
        layers.append(Dropout(p: config.dropout, rng: &rng))
        layers.append(Dense(config.denseUnits, config.classCount, rng: &rng))
        return Sequential(layers)
    }
}
