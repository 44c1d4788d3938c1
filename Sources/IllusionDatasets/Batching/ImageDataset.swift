/// A dataset of images held in memory as bytes, with labels and optional binary attributes.
///
/// Layouts (row-major):
/// - `images`: `[count, channels, height, width]` `UInt8` (planar, NCHW), 0 = black;
/// - `labels`: `[count]` class indices into `classNames` (all 0 for unlabelled sets);
/// - `attributes`: `[count, attributeNames.count]` `Bool` (CelebA-style, e.g. `Smiling`).
///
/// Images stay as bytes (a quarter of the memory of floats), in memory or memory-mapped from a
/// decoded-image cache (``pixels``; the same bytes either way); ``floatImages(at:encoding:generator:)``
/// makes `Float` NCHW tensors on demand, and ``DataLoader`` batches them.
public struct ImageDataset {
    /// Human-readable name (e.g. `Fashion-MNIST train`).
    public var name: String
    public let channels: Int
    public let height: Int
    public let width: Int
    /// Where the `[count, channels, height, width]` bytes live (memory or a mapped cache file).
    public var pixels: ImagePixels
    /// `[count, channels, height, width]` bytes (for a mapped dataset, a copy of all of them;
    /// batch through ``floatImages(at:encoding:generator:)`` instead). Setting stores them in memory.
    public var images: [UInt8] {
        get { pixels.allBytes(count: count, imageSize: imageSize) }
        set { pixels = .memory(newValue) }
    }
    /// `[count]` class indices.
    public var labels: [Int]
    /// Name of each class; `labels` index into it (may be empty for unlabelled data).
    public var classNames: [String]
    /// Names of the attribute columns (e.g. CelebA's 40), empty when there are none.
    public var attributeNames: [String]
    /// `[count, attributeNames.count]`, row-major.
    public var attributes: [Bool]
    /// The encoding loaders chose for this data (e.g. binarized Fashion-MNIST); ``DataLoader`` uses it by default.
    public var defaultEncoding: PixelEncoding

    /// Number of images.
    public var count: Int { labels.count }
    /// Bytes per image (`channels · height · width`).
    public var imageSize: Int { channels * height * width }
    /// Number of attribute columns.
    public var attributeCount: Int { attributeNames.count }

    /// Creates a dataset; sizes must agree (a programming error otherwise, not a data error).
    public init(name: String, channels: Int, height: Int, width: Int, images: [UInt8], labels: [Int],
                classNames: [String] = [], attributeNames: [String] = [], attributes: [Bool] = [],
                defaultEncoding: PixelEncoding = .unitRange) {
        require(images.count == labels.count * channels * height * width,
                     "ImageDataset: \(images.count) bytes for \(labels.count) images of \(channels)×\(height)×\(width)")
        self.init(name: name, channels: channels, height: height, width: width, pixels: .memory(images), labels: labels,
                  classNames: classNames, attributeNames: attributeNames, attributes: attributes, defaultEncoding: defaultEncoding)
    }

    /// Creates a dataset over `pixels` (for `.mapped`, one row per label).
    public init(name: String, channels: Int, height: Int, width: Int, pixels: ImagePixels, labels: [Int],
                classNames: [String] = [], attributeNames: [String] = [], attributes: [Bool] = [],
                defaultEncoding: PixelEncoding = .unitRange) {
        require(channels > 0 && height > 0 && width > 0, "ImageDataset: empty image geometry")
        if case let .mapped(file, rows) = pixels {
            require(rows.count == labels.count && file.imageBytes == channels * height * width,
                    "ImageDataset: \(rows.count) mapped rows of \(file.imageBytes) bytes for \(labels.count) images of \(channels)×\(height)×\(width)")
        }
        require(attributes.count == labels.count * attributeNames.count,
                     "ImageDataset: \(attributes.count) attribute values for \(labels.count)×\(attributeNames.count)")
        self.name = name
        self.channels = channels
        self.height = height
        self.width = width
        self.pixels = pixels
        self.labels = labels
        self.classNames = classNames
        self.attributeNames = attributeNames
        self.attributes = attributes
        self.defaultEncoding = defaultEncoding
    }

    /// The bytes of image `i`, `[channels, height, width]`.
    public func imageBytes(at i: Int) -> ArraySlice<UInt8> {
        if case let .memory(bytes) = pixels { return bytes[i * imageSize ..< (i + 1) * imageSize] }
        var out: [UInt8] = []
        pixels.forEachImage([i], imageSize: imageSize, count: count) { _, src in out = Array(src) }
        return out[...]
    }

    /// Starts reading images `indices` on a background thread (a mapped dataset's prefetch of the
    /// next batch while the current one trains, taken by the ``floatImages(at:encoding:generator:)``
    /// of the same indices; nothing to do in memory).
    public func prefetchImages(at indices: [Int]) {
        guard case let .mapped(file, rows) = pixels else { return }
        file.prefetch(images: indices.filter { $0 >= 0 && $0 < count }.map { rows[$0] })
    }

    /// Images at `indices` as a `Float` tensor `[indices.count, C, H, W]`.
    /// `generator` is only used by `.bernoulli`.
    public func floatImages(at indices: [Int], encoding: PixelEncoding? = nil,
                            generator: inout RandomGenerator) -> Tensor {
        let size = imageSize
        var out = [Float](repeating: 0, count: indices.count * size)
        let encoding = encoding ?? defaultEncoding
        out.withUnsafeMutableBufferPointer { dst in
            pixels.forEachImage(indices, imageSize: size, count: count) { b, src in
                encoding.encode(src, into: UnsafeMutableBufferPointer(rebasing: dst[b * size ..< (b + 1) * size]),
                                generator: &generator)
            }
        }
        return Tensor(shape: [indices.count, channels, height, width], storage: out)
    }

    /// Images at `indices` with a deterministic encoding (no generator needed; `.bernoulli` uses seed 0).
    public func floatImages(at indices: [Int], encoding: PixelEncoding? = nil) -> Tensor {
        var generator = RandomGenerator(seed: 0)
        return floatImages(at: indices, encoding: encoding, generator: &generator)
    }

    /// The attribute rows of `indices` as a 0/1 tensor `[indices.count, attributeCount]`.
    public func attributeMatrix(at indices: [Int]) -> Tensor {
        let a = attributeCount
        var out = [Float](repeating: 0, count: indices.count * a)
        for (r, i) in indices.enumerated() {
            for j in 0..<a where attributes[i * a + j] { out[r * a + j] = 1 }
        }
        return Tensor(shape: [indices.count, a], storage: out)
    }

    /// Column index of an attribute; the error lists the valid names.
    public func attributeIndex(named name: String) throws -> Int {
        guard let j = attributeNames.firstIndex(of: name) else {
            throw DatasetError.unknownAttribute(name: name, validNames: attributeNames)
        }
        return j
    }

    /// One attribute for every image (`[count]`).
    public func attributeColumn(named name: String) throws -> [Bool] {
        let j = try attributeIndex(named: name), a = attributeCount
        return (0..<count).map { attributes[$0 * a + j] }
    }

    /// The same images, labelled 0/1 by an attribute (classes `not <name>`, `<name>`).
    public func labeled(byAttribute name: String) throws -> ImageDataset {
        var copy = self
        copy.labels = try attributeColumn(named: name).map { $0 ? 1 : 0 }
        copy.classNames = ["not \(name)", name]
        return copy
    }

    /// Number of images per class (`[max(classNames.count, max label + 1)]`).
    public func labelHistogram() -> [Int] {
        var h = [Int](repeating: 0, count: max(classNames.count, (labels.max() ?? -1) + 1))
        for l in labels { h[l] += 1 }
        return h
    }

    /// A new dataset of the images at `indices`, in that order.
    public func subset(_ indices: [Int], name: String? = nil) -> ImageDataset {
        let a = attributeCount
        var attrs = [Bool](); attrs.reserveCapacity(indices.count * a)
        for i in indices { attrs.append(contentsOf: attributes[i * a ..< (i + 1) * a]) }
        return ImageDataset(name: name ?? self.name, channels: channels, height: height, width: width,
                            pixels: pixels.subset(indices, imageSize: imageSize), labels: indices.map { labels[$0] }, classNames: classNames,
                            attributeNames: attributeNames, attributes: attrs, defaultEncoding: defaultEncoding)
    }

    /// A seeded hold-out split: a random `validationFraction` of the images (rounded, at least
    /// one when the fraction is positive) goes to `validation`, the rest to `train`; both keep
    /// the original relative order.
    public func split(validationFraction: Double, seed: UInt64) throws -> (train: ImageDataset, validation: ImageDataset) {
        guard validationFraction >= 0, validationFraction < 1 else {
            throw DatasetError.invalidArgument("validation fraction must be in [0, 1), got \(validationFraction)")
        }
        let split: HoldOutSplit
        do { split = try HoldOutSplit(count: count, validationFraction: validationFraction, seed: seed) } catch {
            throw DatasetError.invalidArgument("\(error)")
        }
        return (subset(split.training, name: name + " (train part)"), subset(split.validation, name: name + " (validation part)"))
    }
}
