import Foundation

/// `illusion eval --run STACKGAN --fd-classifier CNN` for a class-conditioned greyscale run
/// (Fashion-MNIST, Stage-I 28 → Stage-II 56). The judge is a 28×28 CNN, so Stage-II's images are
/// brought back to 28 with the same bilinear resize (``resizeBilinear(_:downscaleFactor:)``, 2×2
/// means for ×2) before it sees them, and Stage-II is compared with Stage-I itself, not with an
/// enlarged Stage-I: what the second stage adds at 56 can show here only as far as it survives ×½.
/// Variants, all from the same noise, classes (sample i has class i mod K) and ε₀:
/// `stage1` (Stage-I's own 28×28 images), `stage2_downsampled`, `stage2_c_zeroed_downsampled`.
public enum StackGANClassEvaluation {
    public static let variants = ["stage1", "stage2_downsampled", "stage2_c_zeroed_downsampled"]

    public static func evaluate(run path: String, classifierRun: String?, count: Int, seed: UInt64) throws -> [String: Any] {
        let run = try StackGANRun(path: path)
        let s1 = run.config.stage1, m = run.config.model
        guard let classifierRun else {
            throw ModelError.invalidArgument("--fd-classifier is required to evaluate a class-conditioned StackGAN run (a 28×28 Fashion-MNIST CNN run: illusion train cnn)")
        }
        guard m.channels == 1 else { throw ModelError.invalidArgument("--run \(path): FD-FMNIST needs a greyscale (Fashion-MNIST) StackGAN run") }
        let extractor = try FMNISTFeatureExtractor(classifierRun: classifierRun)
        guard extractor.config.classCount == s1.conditionDim else {
            throw ModelError.invalidArgument("--fd-classifier \(classifierRun) has \(extractor.config.classCount) classes, the run \(s1.conditionDim)")
        }
        let reference = try FDFMNIST.referenceImages(count: count)
        var g = RandomGenerator(seed: seed)
        let noise = Tensor.normal([count, s1.noiseDim], rng: &g)
        var rows = [Float](repeating: 0, count: count * s1.conditionDim)
        for i in 0..<count { rows[i * s1.conditionDim + i % s1.conditionDim] = 1 }
        let conditions = Tensor(shape: [count, s1.conditionDim], storage: rows)
        let drawn = StackGANSampling.generate(run.gan, noise: noise, conditions: conditions, seed: seed)
        let zeroed = StackGANSampling.generate(run.gan, noise: noise, conditions: conditions, seed: seed, zeroAugmented: true).high
        let images = noGrad { [drawn.low, resizeBilinear(drawn.high, downscaleFactor: m.upscale), resizeBilinear(zeroed, downscaleFactor: m.upscale)]
            .map { ($0 + 1) * 0.5 } }   // [count, 1, S₁, S₁] in [0, 1]
        var out: [String: Any] = ["run": path, "kind": "stackgan", "dataset": run.config.dataset.name, "stage1_size": m.stage1ImageSize,
                                  "size": m.imageSize, "fd_images": count, "judge_side": 28, "judge": classifierRun,
                                  "stage2_judged_after": "bilinear downsampling ×1/\(m.upscale) to Stage-I's side"]
        for (name, x) in zip(variants, images) {
            let predicted = extractor.predictedClasses(x)
            let hits = predicted.enumerated().filter { $0.element == $0.offset % s1.conditionDim }.count
            out[name] = ["fd_fmnist": FDFMNIST.score(generated: x, reference: reference, extractor: extractor),
                         "condition_accuracy": Double(hits) / Double(count)]
        }
        return out
    }
}
