import Foundation

/// The networks `illusion train cnn --arch` names, each with the defaults of its recipe (flags
/// given on the command line override them).
///
/// - `seed`: the seeds' conv32-pool-conv64-pool-dense128, plain cross-entropy, ±2 px shifts and
///   flips when augmenting — the network of the README's older CNN rows and of the fixed FD judge
///   (`JudgeIdentity.referenceCommand`).
/// - `three-block`: conv32-pool-conv64-pool-conv128-pool-dense256 (BatchNorm after each
///   convolution, 28 → 14 → 7 → 3), label smoothing 0.1, ±2 px shifts and flips: measured at
///   92.15 % (README), under-fitting in 20 epochs.
/// - `double-conv` (the CLI's default): conv32-conv32-pool-conv64-conv64-pool-dense256 (VGG's two
///   3×3 convolutions per block, BatchNorm after each, 28 → 14 → 7), label smoothing 0.1, horizontal
///   flips only (no shifts: Fashion-MNIST's objects are centred, and shifts made three-block
///   under-fit), PyTorch's default weight init (He-uniform cost it 0.56 points at 10 epochs).
///
/// `seed` and `three-block` keep He-uniform weights, so their README rows reproduce unchanged.
public enum CNNArchitecture: String, CaseIterable, Codable, Sendable {
    case seed
    case threeBlock = "three-block"
    case doubleConv = "double-conv"

    /// The architecture a config describes (two convolutions per block: `double-conv`; else three
    /// blocks: `three-block`, two: `seed`).
    public init(of config: CNNConfig) {
        if config.convolutionsInEachBlock == 2 { self = .doubleConv; return }
        self = config.conv3Filters == nil ? .seed : .threeBlock
    }

    /// Filters of the convolution blocks.
    public var defaultFilters: [Int] {
        switch self {
        case .seed, .doubleConv: return [32, 64]
        case .threeBlock: return [32, 64, 128]
        }
    }
    /// Convolutions in each block (each with BatchNorm and ReLU) before its pool.
    public var convolutionsPerBlock: Int { self == .doubleConv ? 2 : 1 }
    /// Units of the hidden dense layer.
    public var defaultDenseUnits: Int { self == .seed ? 128 : 256 }
    /// Label smoothing ε of the training loss (0 = plain cross-entropy).
    public var defaultLabelSmoothing: Float { self == .seed ? 0 : 0.1 }
    /// Largest random shift of the augmentation in pixels (0 = flips only).
    public var defaultMaxShift: Int { self == .doubleConv ? 0 : 2 }
    /// Initialiser of the convolution and hidden dense weights, as `CNNConfig.weightInit` names it:
    /// `pytorch` (U(±1/√fanIn)) for `double-conv`, `he` (He-uniform) for the older two.
    public var defaultWeightInit: String { self == .doubleConv ? "pytorch" : "he" }

    /// Sets the block filters (as many as this architecture has blocks), the convolutions per block
    /// and the dense units.
    public func configure(_ config: inout CNNConfig, filters: [Int]? = nil, denseUnits: Int? = nil) throws {
        let counts = filters ?? defaultFilters
        guard counts.count == defaultFilters.count else {
            throw ModelError.invalidArgument("--filters: --arch \(rawValue) has \(defaultFilters.count) convolution blocks, so it takes \(defaultFilters.count) integers (e.g. \(defaultFilters.map(String.init).joined(separator: ","))), got \(counts.count)")
        }
        config.conv1Filters = counts[0]
        config.conv2Filters = counts[1]
        config.conv3Filters = counts.count > 2 ? counts[2] : nil
        config.convolutionsPerBlock = convolutionsPerBlock == 1 ? nil : convolutionsPerBlock
        config.denseUnits = denseUnits ?? defaultDenseUnits
    }
}
