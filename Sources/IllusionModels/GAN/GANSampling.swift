import Foundation

/// The fixed inputs of the per-epoch sample grid and the real-data diversity they are compared with.
public struct GANGrid {
    /// Noise `[rows·columns, noiseDim]` from ``GANSampling/fixedNoiseSeed``.
    public var noise: Tensor
    /// Conditions `[rows·columns, conditionDim]` (nil for DCGAN).
    public var conditions: Tensor?
    public var columns: Int
    public var rowLabels: [String]?
    /// Diversity is measured within consecutive groups of this many samples (a row of one class/attribute set).
    public var groupSize: Int
    /// The matching real images (`[−1, 1]`), for the reference diversity.
    public var referenceImages: Tensor
}

/// Drawing images from a GAN: the fixed-noise grid, `illusion sample` for GAN runs.
public enum GANSampling {
    /// Seed of the fixed noise batch (the same every epoch and on resume).
    public static let fixedNoiseSeed: UInt64 = 42

    /// Unconditional: 64 noise vectors, 8 columns, compared with the first 64 training images.
    /// Class-conditional: one row per class, the same 8 noise vectors in every row, compared with 8 real
    /// images of each class. Attribute-conditional: 8 rows with the attribute vectors of training images
    /// 0…7, 8 noise vectors each, compared with training images 0…63.
    public static func fixedGrid(config: GANModelConfig, data: ImageDataset) -> GANGrid {
        var g = RandomGenerator(seed: fixedNoiseSeed, stream: 0x6E6F_6973)
        let columns = 8
        guard config.isConditional else {
            let n = min(64, data.count)
            return GANGrid(noise: Tensor.normal([64, config.noiseDim], rng: &g), conditions: nil, columns: columns, rowLabels: nil,
                           groupSize: n, referenceImages: data.floatImages(at: Array(0..<n), encoding: .symmetricRange))
        }
        let base = Tensor.normal([columns, config.noiseDim], rng: &g)
        if config.conditionKind == "class" {
            let k = config.conditionDim
            let noise = Tensor(shape: [k * columns, config.noiseDim], storage: Array((0..<k).map { _ in base.storage }.joined()))
            let labels = (0..<k).flatMap { Array(repeating: $0, count: columns) }
            var reference: [Int] = []
            for c in 0..<k { reference += (0..<data.count).lazy.filter { data.labels[$0] == c }.prefix(columns) }
            let names = (0..<k).map { $0 < config.conditionNames.count ? config.conditionNames[$0] : "class \($0)" }
            let complete = reference.count == k * columns
            return GANGrid(noise: noise, conditions: GANConditions.oneHot(labels, classes: k), columns: columns, rowLabels: names,
                           groupSize: complete ? columns : reference.count,
                           referenceImages: data.floatImages(at: reference, encoding: .symmetricRange))
        }
        let rows = min(8, data.count)
        let noise = Tensor(shape: [rows * columns, config.noiseDim], storage: Array((0..<rows).map { _ in base.storage }.joined()))
        let conditions = data.attributeMatrix(at: (0..<rows).flatMap { Array(repeating: $0, count: columns) })
        let n = min(64, data.count)
        return GANGrid(noise: noise, conditions: conditions, columns: columns, rowLabels: nil, groupSize: columns,
                       referenceImages: data.floatImages(at: Array(0..<n), encoding: .symmetricRange))
    }

    /// Diversity of a batch: mean pairwise distance within groups of `groupSize` rows.
    public static func diversity(of images: Tensor, groupSize: Int) -> Double {
        ModeCollapse.meanWithinGroupDistance(images, groupSize: groupSize)
    }

    /// Generator outputs in [−1, 1] for `noise` (and `conditions`), in evaluation mode (BatchNorm running
    /// statistics), without the tape, in chunks; ε of conditioning augmentation from `seed`. Restores the mode.
    public static func generate(_ generator: DCGANGenerator, noise: Tensor, conditions: Tensor?, seed: UInt64, chunk: Int = 256) -> Tensor {
        let wasTraining = generator.isTraining
        generator.setTraining(false)
        defer { generator.setTraining(wasTraining) }
        var g = RandomGenerator(seed: seed, stream: 0x6361_6570)
        let n = noise.shape[0]
        var parts: [Tensor] = []
        noGrad {
            var start = 0
            while start < n {
                let end = min(n, start + chunk)
                let out = generator.generate(noise: noise.batch(start..<end), condition: conditions?.batch(start..<end), rng: &g)
                parts.append(out.images)
                start = end
            }
        }
        return noGrad { Tensor.concatenate(parts, axis: 0) }
    }

    /// A grid picture of images in [−1, 1] (enlarged ×2 when ≤ 32 pixels).
    public static func grid(_ images: Tensor, columns: Int, rowLabels: [String]? = nil) throws -> PixelImage {
        try ImageGrid.make(tensor: images, columns: max(1, columns), padding: 2, rowLabels: rowLabels,
                           scale: images.shape[2] <= 32 ? 2 : 1, valueRange: -1...1)
    }

    /// Noise and conditions for `illusion sample --run DIR [--condition …]`:
    /// DCGAN: `count` samples; with `--condition`: `count` samples of that class/attribute set;
    /// class run without it: one labelled row per class (`count / classes` columns).
    public static func inputs(config: GANModelConfig, count: Int, seed: UInt64, condition: String?)
        throws -> (noise: Tensor, conditions: Tensor?, columns: Int, rowLabels: [String]?) {
        var g = RandomGenerator(seed: seed)
        let square = Int(Double(count).squareRoot().rounded(.up))
        guard config.isConditional else {
            if condition != nil { throw ModelError.invalidArgument("--condition: this DCGAN run is unconditional") }
            return (Tensor.normal([count, config.noiseDim], rng: &g), nil, square, nil)
        }
        if let condition {
            let v = try GANConditions.parse(condition, config: config)
            let c = Tensor(shape: [count, config.conditionDim], storage: Array(Array(repeating: v, count: count).joined()))
            return (Tensor.normal([count, config.noiseDim], rng: &g), c, square, nil)
        }
        guard config.conditionKind == "class" else {
            throw ModelError.invalidArgument("--condition is required for an attribute-conditioned run: a comma list of attributes that are on (\(config.conditionNames.joined(separator: ", "))), or none")
        }
        let k = config.conditionDim, columns = max(1, count / k)
        let base = Tensor.normal([columns, config.noiseDim], rng: &g)
        let noise = Tensor(shape: [k * columns, config.noiseDim], storage: Array((0..<k).map { _ in base.storage }.joined()))
        let labels = (0..<k).flatMap { Array(repeating: $0, count: columns) }
        return (noise, GANConditions.oneHot(labels, classes: k), columns, config.conditionNames.isEmpty ? nil : config.conditionNames)
    }

    /// `illusion sample` for GAN runs: writes a PNG grid (and optionally raw safetensors with `z`,
    /// `conditions`, `images`) and returns what `--json` prints.
    @discardableResult
    public static func writeSamples(run path: String, count: Int, seed: UInt64, condition: String?, out: String,
                                    raw: String? = nil) throws -> [String: Any] {
        guard count >= 1 && count <= 10_000 else { throw ModelError.invalidArgument("--count must be in 1…10000, got \(count)") }
        let run = try GANRun(path: path)
        let input = try inputs(config: run.config.model, count: count, seed: seed, condition: condition)
        let images = generate(run.gan.generator, noise: input.noise, conditions: input.conditions, seed: seed)
        try grid(images, columns: input.columns, rowLabels: input.rowLabels).writePNG(to: out)
        if let raw {
            var file = SafeTensors()
            file.set("z", input.noise)
            if let c = input.conditions { file.set("conditions", c) }
            file.set("images", images)
            file.metadata = ["run": path, "seed": String(seed), "value_range": "-1..1"]
            try file.write(to: raw)
        }
        return ["out": out, "raw": raw ?? NSNull(), "count": images.shape[0], "kind": run.config.kind,
                "condition": condition ?? NSNull()]
    }
}

/// A trained GAN opened from its run folder (sample, eval).
public struct GANRun {
    public let folder: RunFolder
    public let config: GANRunConfig
    public let gan: GenerativeAdversarialNetwork

    public init(path: String) throws {
        folder = RunFolder(path: path)
        try folder.requireExisting()
        let kind = try folder.readJSON(RunKind.self, from: "config.json").kind
        guard kind == "dcgan" || kind == "cgan" else {
            throw ModelError.invalidRun("--run \(path): this is a \(kind) run, not a GAN run")
        }
        config = try folder.readJSON(GANRunConfig.self, from: "config.json")
        try config.model.validate()
        var rng = RandomGenerator(seed: 0)
        gan = GenerativeAdversarialNetwork(config: config.model, rng: &rng)
        try Checkpoint.load(gan, from: folder.modelPath)
        gan.setTraining(false)
    }
}
