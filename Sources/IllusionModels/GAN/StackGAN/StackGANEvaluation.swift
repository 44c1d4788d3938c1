import Foundation

/// How well Stage-II refines: the attribute control table and a Fréchet distance on the attribute
/// judges' features, for Stage-II, for Stage-I enlarged ×(S₂/S₁) bilinearly (the baseline without a
/// second stage), and for Stage-II with its ĉ zeroed (the ablation of the second conditioning vector) —
/// all three from the same noise, conditions and ε₀, judged by the same judges at Stage-II's side.
public enum StackGANEvaluation {
    /// The three image sources compared.
    public enum Variant: String, CaseIterable, Sendable {
        case stage2 = "stage2"
        case stage1Bilinear = "stage1_bilinear"
        case stage2ZeroedCondition = "stage2_c_zeroed"
    }

    /// Images of `variant` in [−1, 1] at Stage-II's side for `noise` and `conditions`.
    public static func images(_ run: StackGANRun, _ variant: Variant, noise: Tensor, conditions: Tensor, seed: UInt64) -> Tensor {
        let drawn = StackGANSampling.generate(run.gan, noise: noise, conditions: conditions, seed: seed,
                                              zeroAugmented: variant == .stage2ZeroedCondition)
        return variant == .stage1Bilinear ? resizeBilinear(drawn.low, scaleFactor: run.config.model.upscale) : drawn.high
    }

    /// `illusion eval --run STACKGAN [--judge-attribute all]`: per variant the FD on judge features
    /// (`fd_judge`, `count` images against as many test images; `fd_judge_real_baseline`: training vs
    /// test images) and, per judged attribute, the fraction judged positive with it on and off.
    /// A class-conditioned run (Fashion-MNIST) is judged by ``StackGANClassEvaluation`` with `classifierRun`.
    public static func evaluate(run path: String, judgeAttribute: String?, classifierRun: String? = nil, count: Int = 1000,
                                seed: UInt64 = 1234) throws -> [String: Any] {
        let run = try StackGANRun(path: path)
        let s1 = run.config.stage1
        if s1.conditionKind == "class" {
            guard judgeAttribute == nil else { throw ModelError.invalidArgument("--judge-attribute applies to attribute-conditioned runs; \(path) is conditioned on classes") }
            return try StackGANClassEvaluation.evaluate(run: path, classifierRun: classifierRun, count: count, seed: seed)
        }
        var out: [String: Any] = ["run": path, "kind": "stackgan", "dataset": run.config.dataset.name,
                                  "stage1_size": run.config.model.stage1ImageSize, "size": run.config.model.imageSize]
        guard s1.conditionKind == "attributes" else {
            throw ModelError.invalidArgument("--run \(path): eval of a StackGAN run needs attribute conditions (faces); this one is \(s1.conditionKind ?? "unconditional")")
        }
        let names = try GANEvaluation.judgedAttributes(judgeAttribute ?? "all", config: s1)
        let data = try run.config.dataset.load()
        let n = min(count, data.test.count)
        guard n >= 2 else { throw ModelError.invalidArgument("--fd-count: the test split has \(data.test.count) images") }
        // Judges at Stage-II's side, one per attribute (as eval of a cGAN run).
        var judges: [(column: Int, judge: AttributeJudge)] = []
        for name in names {
            let judge = AttributeJudge(attribute: name, channels: s1.channels, imageSize: run.config.model.imageSize, seed: seed)
            try judge.train(on: data.train, test: data.test)
            judges.append((s1.conditionNames.firstIndex(of: name)!, judge))
        }
        // FD: noise from the seed, the test images' own attribute rows, n of each.
        var g = RandomGenerator(seed: seed)
        let noise = Tensor.normal([n, s1.noiseDim], rng: &g)
        let testRows = data.test.attributeMatrix(at: Array(0..<n))
        let realTest = data.test.floatImages(at: Array(0..<n))
        let realTrain = data.train.floatImages(at: Array(0..<min(n, data.train.count)))
        let testFeatures = judgeFeatures(judges.map(\.judge), realTest)
        out["fd_judge_real_baseline"] = FrechetDistance.distance(features: judgeFeatures(judges.map(\.judge), realTrain), rows: realTrain.shape[0],
                                                                 testFeatures, rows: n, columns: 32 * judges.count)
        out["fd_images"] = n
        out["judge_test_accuracy"] = Dictionary(uniqueKeysWithValues: judges.map { ($0.judge.attribute, $0.judge.testAccuracy) })
        // Attribute control: rows of test images valid with the attribute both on and off, as GANEvaluation.
        let trainRows = data.train.attributeMatrix(at: Array(0..<data.train.count)).storage, d = s1.conditionDim
        let seen = Set((0..<data.train.count).map { Array(trainRows[($0 * d)..<(($0 + 1) * d)]) })
        let allTest = data.test.attributeMatrix(at: Array(0..<data.test.count))
        let controlCount = min(count, 1000)
        var controlNoiseRNG = RandomGenerator(seed: seed)
        let controlNoise = Tensor.normal([controlCount, s1.noiseDim], rng: &controlNoiseRNG)
        for variant in Variant.allCases {
            var figures: [String: Any] = [:]
            let generated = noGrad { (images(run, variant, noise: noise, conditions: testRows, seed: seed) + 1) * 0.5 }
            figures["fd_judge"] = FrechetDistance.distance(features: judgeFeatures(judges.map(\.judge), generated), rows: n,
                                                           testFeatures, rows: n, columns: 32 * judges.count)
            var table: [String: Any] = [:]
            for (column, judge) in judges {
                let valid = GANEvaluation.flippableRows(allTest, column: column, seen: seen)
                guard !valid.isEmpty else { continue }
                let rows = (0..<controlCount).flatMap { valid[$0 % valid.count] }
                func fraction(_ value: Float) -> Double {
                    var c = rows
                    for r in 0..<controlCount { c[r * d + column] = value }
                    let x = images(run, variant, noise: controlNoise, conditions: Tensor(shape: [controlCount, d], storage: c), seed: seed)
                    let p = judge.probabilities(noGrad { (x + 1) * 0.5 })
                    return Double(p.filter { $0 > 0.5 }.count) / Double(controlCount)
                }
                table[judge.attribute] = ["judged_positive_with_attribute": fraction(1), "judged_positive_without_attribute": fraction(0)]
            }
            figures["attribute_control"] = table
            out[variant.rawValue] = figures
        }
        return out
    }

    /// The judges' last convolutional features, averaged over the map (32 per judge), concatenated:
    /// `[N, 32·judges]` as a flat row-major array, for images `[N, C, H, W]` in [0, 1].
    static func judgeFeatures(_ judges: [AttributeJudge], _ images: Tensor) -> [Float] {
        let n = images.shape[0]
        var out = [Float](repeating: 0, count: n * 32 * judges.count)
        noGrad {
            for (j, judge) in judges.enumerated() {
                let trunk = Sequential(Array(judge.network.layers.prefix(6)))   // conv-ReLU ×3
                var start = 0
                while start < n {
                    let end = min(n, start + 256)
                    let h = trunk(images.batch(start..<end))   // [b, 32, s, s]
                    let plane = h.shape[2] * h.shape[3]
                    for r in 0..<(end - start) {
                        for c in 0..<32 {
                            var sum: Float = 0
                            for k in 0..<plane { sum += h.storage[(r * 32 + c) * plane + k] }
                            out[((start + r) * judges.count + j) * 32 + c] = sum / Float(plane)
                        }
                    }
                    start = end
                }
            }
        }
        return out
    }
}
