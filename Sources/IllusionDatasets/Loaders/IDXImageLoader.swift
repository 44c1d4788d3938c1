import Foundation

/// The split of a dataset to load.
public enum DatasetSplit: String, CaseIterable, Sendable {
    case train, validation, test
}

/// Options for image datasets stored as IDX pairs (MNIST, Fashion-MNIST).
public struct IDXImageOptions: Sendable {
    /// Zero pixels added on every side (2 turns 28×28 into 32×32, as the book's VAE does).
    public var padding: Int
    /// How bytes become floats in batches: `.unitRange` scales to [0, 1]; `.byteRange` keeps
    /// 0…255; `.binarized(threshold:)` is fixed binarization; `.bernoulli` dynamic binarization.
    public var encoding: PixelEncoding
    /// Load only the first `limit` items (nil = all).
    public var limit: Int?

    public init(padding: Int = 0, encoding: PixelEncoding = .unitRange, limit: Int? = nil) {
        self.padding = padding
        self.encoding = encoding
        self.limit = limit
    }

    /// 28×28 padded to 32×32, scaled to [0, 1].
    public static let paddedTo32 = IDXImageOptions(padding: 2)
}

/// Loads an (images, labels) pair of IDX files into an ``ImageDataset`` (1 channel).
public enum IDXImageLoader {
    /// File names of a split in the MNIST layout: `train-images-idx3-ubyte[.gz]` etc. (`t10k` for test).
    /// Prefers the `.gz` file when both exist.
    public static func paths(directory: String, split: DatasetSplit) throws -> (images: String, labels: String) {
        let prefix: String
        switch split {
        case .train: prefix = "train"
        case .test: prefix = "t10k"
        case .validation:
            throw DatasetError.invalidArgument("MNIST-style datasets have only train and test splits; hold out a validation part with ImageDataset.split(validationFraction:seed:)")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DatasetError.missingFile(path: directory, reason: "dataset directory does not exist")
        }
        func find(_ base: String) -> String {
            let gz = (directory as NSString).appendingPathComponent(base + ".gz")
            if FileManager.default.fileExists(atPath: gz) { return gz }
            let raw = (directory as NSString).appendingPathComponent(base)
            return FileManager.default.fileExists(atPath: raw) ? raw : gz
        }
        return (find("\(prefix)-images-idx3-ubyte"), find("\(prefix)-labels-idx1-ubyte"))
    }

    /// Reads and validates an image file (`[N, H, W]` uint8) and a label file (`[N]` uint8,
    /// values below `classNames.count`) and pairs them.
    public static func load(imagesPath: String, labelsPath: String, name: String, classNames: [String],
                            options: IDXImageOptions = IDXImageOptions()) throws -> ImageDataset {
        guard options.padding >= 0, options.padding <= 1024 else {
            throw DatasetError.invalidArgument("padding must be in 0...1024, got \(options.padding)")
        }
        let labelFile = try IDXFile(contentsOf: labelsPath)
        guard labelFile.elementType == .uint8, labelFile.dimensions.count == 1 else {
            throw DatasetError.malformed(path: labelsPath, reason: "expected a 1-D uint8 IDX label file, found \(labelFile.dimensions.count)-D \(labelFile.elementType)")
        }
        var imageFile = try IDXFile(contentsOf: imagesPath)
        guard imageFile.elementType == .uint8, imageFile.dimensions.count == 3 else {
            throw DatasetError.malformed(path: imagesPath, reason: "expected a 3-D uint8 IDX image file [N, H, W], found \(imageFile.dimensions.count)-D \(imageFile.elementType)")
        }
        let n = imageFile.dimensions[0], h = imageFile.dimensions[1], w = imageFile.dimensions[2]
        guard h > 0, w > 0 else { throw DatasetError.malformed(path: imagesPath, reason: "image size \(h)×\(w) is empty") }
        guard labelFile.itemCount == n else {
            throw DatasetError.inconsistent(path: labelsPath, reason: "\(labelFile.itemCount) labels but \(imagesPath) has \(n) images")
        }
        if let bad = labelFile.payload.firstIndex(where: { Int($0) >= classNames.count }) {
            throw DatasetError.malformed(path: labelsPath, reason: "label \(labelFile.payload[bad]) at item \(bad) is not below the \(classNames.count) classes")
        }
        let keep = min(n, max(0, options.limit ?? n))
        let labels = labelFile.payload[0..<keep].map(Int.init)

        let p = options.padding
        let images: [UInt8]
        if p == 0 {
            if keep < n { imageFile.payload.removeLast((n - keep) * h * w) }
            images = imageFile.payload
        } else {
            images = pad(imageFile.payload, count: keep, height: h, width: w, padding: p)
        }
        return ImageDataset(name: name, channels: 1, height: h + 2 * p, width: w + 2 * p, images: images,
                            labels: labels, classNames: classNames, defaultEncoding: options.encoding)
    }

    /// Copies `count` images `[H, W]` into zero-filled `[H+2p, W+2p]` frames, centred.
    static func pad(_ source: [UInt8], count: Int, height h: Int, width w: Int, padding p: Int) -> [UInt8] {
        let ph = h + 2 * p, pw = w + 2 * p
        var out = [UInt8](repeating: 0, count: count * ph * pw)
        source.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for i in 0..<count {
                    for y in 0..<h {
                        let s = src.baseAddress! + (i * h + y) * w
                        let d = dst.baseAddress! + (i * ph + y + p) * pw + p
                        d.update(from: s, count: w)
                    }
                }
            }
        }
        return out
    }
}
