import Foundation

/// Drawing from a StackGAN: Stage-I and Stage-II images for the same noise and conditions.
public enum StackGANSampling {
    /// Stage-I's fixed-noise grid (8 attribute rows of training images × 8 noise vectors, or one row per class).
    public static func fixedGrid(stage1: GANModelConfig, data: ImageDataset) -> GANGrid {
        GANSampling.fixedGrid(config: stage1, data: data)
    }

    /// Stage-I images `[N, C, S₁, S₁]` and Stage-II images `[N, C, S₂, S₂]` in [−1, 1] for `noise` and
    /// `conditions`, in evaluation mode, without the tape, in chunks; ε₀ and ε from `seed`.
    /// `zeroAugmented`: Stage-II with ĉ = 0 (the ablation of its second conditioning vector).
    public static func generate(_ gan: StackGAN, noise: Tensor, conditions: Tensor, seed: UInt64, zeroAugmented: Bool = false,
                                chunk: Int = 128) -> (low: Tensor, high: Tensor) {
        let wasTraining = gan.generator.isTraining
        gan.setTraining(false)
        defer { gan.setTraining(wasTraining) }
        var g = RandomGenerator(seed: seed, stream: 0x6361_6570)
        let n = noise.shape[0]
        var lows: [Tensor] = [], highs: [Tensor] = []
        noGrad {
            var start = 0
            while start < n {
                let end = min(n, start + chunk)
                let c = conditions.batch(start..<end)
                let low = gan.lowResolution(noise: noise.batch(start..<end), condition: c, rng: &g)
                lows.append(low)
                highs.append(gan.generator.refine(low, condition: c, rng: &g, zeroAugmented: zeroAugmented).images)
                start = end
            }
        }
        return noGrad { (Tensor.concatenate(lows, axis: 0), Tensor.concatenate(highs, axis: 0)) }
    }

    /// Rows of `columns` pairs: a row of Stage-I images (enlarged to Stage-II's side, nearest neighbour,
    /// so every pixel stays visible), then the Stage-II images of the same noise and condition below it.
    public static func pairGrid(low: Tensor, high: Tensor, columns: Int) throws -> PixelImage {
        let n = low.shape[0], side = high.shape[2], factor = side / low.shape[2]
        let enlarged = noGrad { upsampleNearest2d(low, scaleFactor: Size2D(factor)) }
        var rows: [Tensor] = [], labels: [String] = []
        var start = 0
        while start < n {
            let end = min(n, start + columns)
            rows += [enlarged.batch(start..<end), high.batch(start..<end)]
            labels += ["I", "II"]
            if end - start < columns {   // pad a short last row pair so both rows line up
                let pad = Tensor(repeating: 1, shape: [columns - (end - start)] + Array(high.shape.dropFirst()))
                rows[rows.count - 2] = Tensor.concatenate([rows[rows.count - 2], pad], axis: 0)
                rows[rows.count - 1] = Tensor.concatenate([rows[rows.count - 1], pad], axis: 0)
            }
            start = end
        }
        return try ImageGrid.make(tensor: noGrad { Tensor.concatenate(rows, axis: 0) }, columns: columns, padding: 2, rowLabels: labels,
                                  scale: side <= 32 ? 2 : 1, valueRange: -1...1)
    }

    /// `illusion sample --run DIR [--condition …]` for a StackGAN run: Stage-I above Stage-II, same noise
    /// and condition, as a PNG (and optionally raw safetensors `z`, `conditions`, `stage1`, `images`).
    @discardableResult
    public static func writeSamples(run path: String, count: Int, seed: UInt64, condition: String?, out: String,
                                    raw: String? = nil) throws -> [String: Any] {
        guard count >= 1 && count <= 10_000 else { throw ModelError.invalidArgument("--count must be in 1…10000, got \(count)") }
        let run = try StackGANRun(path: path)
        let input = try GANSampling.inputs(config: run.config.stage1, count: count, seed: seed, condition: condition)
        let drawn = generate(run.gan, noise: input.noise, conditions: input.conditions!, seed: seed)
        try pairGrid(low: drawn.low, high: drawn.high, columns: min(count, 8)).writePNG(to: out)
        if let raw {
            var file = SafeTensors()
            file.set("z", input.noise)
            file.set("conditions", input.conditions!)
            file.set("stage1", drawn.low)
            file.set("images", drawn.high)
            file.metadata = ["run": path, "seed": String(seed), "value_range": "-1..1"]
            try file.write(to: raw)
        }
        return ["out": out, "raw": raw ?? NSNull(), "count": count, "kind": "stackgan", "condition": condition ?? NSNull(),
                "stage1_size": run.config.model.stage1ImageSize, "size": run.config.model.imageSize]
    }
}

/// A trained StackGAN Stage-II opened from its run folder (sample, eval).
public struct StackGANRun {
    public let folder: RunFolder
    public let config: StackGANRunConfig
    public let gan: StackGAN

    public init(path: String) throws {
        folder = RunFolder(path: path)
        try folder.requireExisting()
        let kind = try folder.readJSON(RunKind.self, from: "config.json").kind
        guard kind == "stackgan" else { throw ModelError.invalidRun("--run \(path): this is a \(kind) run, not a StackGAN run") }
        config = try folder.readJSON(StackGANRunConfig.self, from: "config.json")
        try config.stage1.validate()
        try config.model.validate()
        var rng = RandomGenerator(seed: 0)
        gan = StackGAN(stage1: config.stage1, config: config.model, rng: &rng)
        try Checkpoint.load(gan, from: folder.modelPath)
        gan.setTraining(false)
    }
}
