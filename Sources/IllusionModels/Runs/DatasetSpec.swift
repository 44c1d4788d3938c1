import Foundation

/// Which data a run trains on (config.json "dataset"), and how to load it.
public struct DatasetSpec: Codable, Equatable, Sendable {
    /// `fashion-mnist`, `mnist`, `celeba`, `faces-synthetic` or `folder`.
    public var name: String
    /// Directory for mnist/celeba/folder (fashion-mnist defaults to Debian's path).
    public var directory: String?
    /// Square image size the model sees.
    public var imageSize: Int
    /// Pad 28×28 to 32×32 (the fashion VAE); otherwise IDX images stay 28×28.
    public var padTo32: Bool
    /// Load at most this many training images (nil = all). Unless ``evalLimit`` says otherwise, the
    /// test split is cut to a sixth as many (a quick look stays quick end to end).
    public var limit: Int?
    /// At most this many test images (nil: all, or limit/6 when ``limit`` is set).
    public var evalLimit: Int?
    /// Synthetic faces: how many to generate for training (test gets a fifth as many).
    public var syntheticCount: Int
    /// celeba/folder: leave out images that do not decode, warned and counted (`--skip-bad-images`;
    /// nil = false, so configs written before it read the same).
    public var skipUndecodable: Bool?

    public static let names = ["fashion-mnist", "mnist", "celeba", "faces-synthetic", "folder"]

    public init(name: String, directory: String? = nil, imageSize: Int, padTo32: Bool = false, limit: Int? = nil,
                evalLimit: Int? = nil, syntheticCount: Int = 20000) {
        self.name = name; self.directory = directory; self.imageSize = imageSize
        self.padTo32 = padTo32; self.limit = limit; self.evalLimit = evalLimit; self.syntheticCount = syntheticCount
    }

    public func validate() throws {
        guard DatasetSpec.names.contains(name) else {
            throw ModelError.invalidArgument("--dataset: unknown dataset '\(name)' (expected one of \(DatasetSpec.names.joined(separator: ", ")))")
        }
        if ["mnist", "celeba", "folder"].contains(name) && directory == nil {
            throw ModelError.invalidArgument("--data: the \(name) dataset needs --data DIR (it cannot be downloaded here)")
        }
        if let directory {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
                throw ModelError.invalidArgument("--data \(directory): no such directory")
            }
        }
        if let limit, limit < 1 { throw ModelError.invalidArgument("--limit must be ≥ 1, got \(limit)") }
        if let evalLimit, evalLimit < 1 { throw ModelError.invalidArgument("--eval-limit must be ≥ 1, got \(evalLimit)") }
        if skipUndecodable == true && !["celeba", "folder"].contains(name) {
            throw ModelError.invalidArgument("--skip-bad-images applies to --dataset celeba or folder, not \(name)")
        }
    }

    /// How many test images are loaded at most (nil = all).
    public var testLimit: Int? { evalLimit ?? limit.map { max(1, $0 / 6) } }

    /// Loads (train, test). Errors name the file or flag at fault.
    public func load() throws -> (train: ImageDataset, test: ImageDataset) {
        try validate()
        switch name {
        case "fashion-mnist", "mnist":
            let dir = directory ?? FashionMNIST.defaultDirectory
            let trainOptions = IDXImageOptions(padding: padTo32 ? 2 : 0, limit: limit)
            let testOptions = IDXImageOptions(padding: padTo32 ? 2 : 0, limit: testLimit)
            let loaded = name == "mnist"
                ? (try MNIST.load(.train, directory: dir, options: trainOptions), try MNIST.load(.test, directory: dir, options: testOptions))
                : (try FashionMNIST.load(.train, directory: dir, options: trainOptions), try FashionMNIST.load(.test, directory: dir, options: testOptions))
            guard let k = idxEnlargement else { return loaded }
            return (Self.enlarged(loaded.0, by: k), Self.enlarged(loaded.1, by: k))
        default:
            return try loadColour()
        }
    }
}
