import Foundation

/// The colour-face dataset a face model trains on: CelebA when its directory is given and
/// present, otherwise ``SyntheticFaces`` with the same image size, so commands work on any
/// machine. Both carry CelebA-named attributes (`Smiling`, `Eyeglasses`, …).
public enum ColorFaces {
    /// Where the data came from.
    public enum Source: Equatable, Sendable {
        case celebA(directory: String)
        case synthetic(seed: UInt64)
    }

    /// Loads `split` of CelebA from `celebADirectory` if that directory exists (errors in it are
    /// thrown, not hidden); otherwise generates `syntheticCount` faces (train) or a tenth of that
    /// (validation/test, from a different seed) at `imageSize`.
    public static func load(_ split: DatasetSplit, celebADirectory: String?, imageSize: Int = 64,
                            limit: Int? = nil, syntheticCount: Int = 20_000, seed: UInt64 = 0) throws -> (dataset: ImageDataset, source: Source) {
        if let directory = celebADirectory, FileManager.default.fileExists(atPath: directory) {
            let ds = try CelebA.load(split, directory: directory, options: CelebAOptions(imageSize: imageSize, limit: limit))
            return (ds, .celebA(directory: directory))
        }
        let splitSeed: UInt64
        var count: Int
        switch split {
        case .train: splitSeed = seed; count = syntheticCount
        case .validation: splitSeed = seed &+ 1_000_003; count = max(1, syntheticCount / 10)
        case .test: splitSeed = seed &+ 2_000_006; count = max(1, syntheticCount / 10)
        }
        if let limit { count = min(count, max(0, limit)) }
        var ds = try SyntheticFaces.dataset(count: count, size: imageSize, seed: splitSeed)
        ds.name = "Synthetic faces \(split.rawValue)"
        return (ds, .synthetic(seed: splitSeed))
    }
}
