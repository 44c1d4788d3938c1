import Foundation

/// The validation figures of a Fashion-MNIST generator beyond one Fréchet distance, all on the same
/// judge-CNN features as FD-FMNIST (``FMNISTFeatureExtractor``): KID-FMNIST (``KernelDistance``) and
/// precision, recall, density and coverage (``ManifoldMetrics``, k = 3), for the generator's samples
/// against the first `count` test images and for the real baseline (the first `count` training
/// images against the same test images), so every figure has its floor beside it.
public enum GeneratorValidation {
    /// The keys `illusion eval --json` adds: `kid_fmnist`, `kid_fmnist_sd`, `precision`, `recall`,
    /// `density`, `coverage`, each also with a `_real_baseline` suffix, and `prdc_k`, `kid_subsets`,
    /// `kid_subset_size`.
    public static func figures(generated: Tensor, extractor: FMNISTFeatureExtractor, count: Int, seed: UInt64,
                               directory: String = FashionMNIST.defaultDirectory) throws -> [String: Any] {
        let reference = try FDFMNIST.referenceImages(count: count, directory: directory)
        let train = try FashionMNIST.load(.train, directory: directory, options: IDXImageOptions(padding: 0, limit: count))
        let realTrain = train.floatImages(at: Array(0..<min(count, train.count)), encoding: .unitRange)
        func rows(_ images: Tensor) -> FeatureRows {
            let f = extractor.extract(images)
            return FeatureRows(values: f.values, rows: images.shape[0], columns: f.columns)
        }
        let test = rows(reference), fake = rows(generated), real = rows(realTrain)
        var out: [String: Any] = [:]
        for (suffix, other) in [("", fake), ("_real_baseline", real)] {
            let kid = try KernelDistance.compute(real: test, fake: other, seed: seed)
            let m = try ManifoldMetrics.compute(real: test, fake: other)
            out["kid_fmnist" + suffix] = kid.mean
            out["kid_fmnist_sd" + suffix] = kid.standardDeviation
            out["precision" + suffix] = m.precision
            out["recall" + suffix] = m.recall
            out["density" + suffix] = m.density
            out["coverage" + suffix] = m.coverage
            out["kid_subsets"] = kid.subsets
            out["kid_subset_size"] = kid.subsetSize
        }
        out["prdc_k"] = ManifoldMetrics.defaultK
        return out
    }
}

/// Which CNN judged a figure: its run folder, a fingerprint of its weights and its test accuracy.
/// FD/KID/precision figures are comparable only between evaluations by the same judge (the same
/// D = 2 VAE scores FD-FMNIST 563.8 with one CNN and 76.4 with another), so `illusion eval` prints
/// this beside them and warns when the judge is not ``referenceFingerprint``.
public struct JudgeIdentity: Codable, Equatable, Sendable {
    public var run: String
    /// FNV-1a 64 of model.safetensors, in hex.
    public var fingerprint: String
    public var testAccuracy: Double?
    public var isReference: Bool

    /// The reference judge of the README's generator figures: the weights shipped in the repository
    /// at ``referenceFolder`` (88.57 % test accuracy), written by ``referenceCommand`` on an AMD
    /// Zen 3 (2026-12-02). Its bits do not depend on the thread count (`--threads 1` and `--threads 2`
    /// write byte-identical weights: the convolution engine sums weight gradients in fixed groups),
    /// but they do depend on the CPU: OpenBLAS's kernels round differently (the same command on an
    /// AMD Zen 5 wrote `f504fd9ec30b0646`, 88.52 %), hence the shipped weights.
    public static let referenceFingerprint: String? = "bd7b96defb03c23a"
    /// The shipped reference judge, relative to the repository root (a run folder: config.json,
    /// model.safetensors, test_metrics.json).
    public static let referenceFolder = "judges/fashion-mnist-cnn"
    public static let referenceCommand = "ILLUSION_THREADS=1 illusion train cnn --arch seed --epochs 2 --no-augment --seed 0 --out runs/judge"

    public init(classifierRun path: String) throws {
        let folder = RunFolder(path: path)
        guard let bytes = FileManager.default.contents(atPath: folder.modelPath) else {
            throw ModelError.invalidRun("--fd-classifier \(path): model.safetensors is missing")
        }
        run = path
        fingerprint = JudgeIdentity.fnv1a(bytes)
        struct TestMetrics: Decodable { var accuracy: Double }
        testAccuracy = try? folder.readJSON(TestMetrics.self, from: "test_metrics.json").accuracy
        isReference = fingerprint == JudgeIdentity.referenceFingerprint
    }

    /// 64-bit FNV-1a of the bytes, as 16 hex digits.
    public static func fnv1a<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return String(format: "%016llx", h)
    }

    /// The JSON object `illusion eval` prints under `judge`.
    public var json: [String: Any] {
        var o: [String: Any] = ["run": run, "fingerprint": fingerprint, "is_reference": isReference]
        if let testAccuracy { o["test_accuracy"] = testAccuracy }
        return o
    }

    /// One line for stderr when the judge is not the reference (nil when it is).
    public var warning: String? {
        if isReference { return nil }
        let reference = JudgeIdentity.referenceFingerprint.map { "this is not the reference judge \($0) (--fd-classifier \(JudgeIdentity.referenceFolder) in the repository)" } ?? "no reference judge is recorded"
        return "illusion: warning: FD/KID/precision figures judged by \(run) (weights \(fingerprint)) are comparable only with figures from the same judge; \(reference)"
    }
}
