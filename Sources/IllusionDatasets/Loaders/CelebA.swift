import Foundation
import IllusionImaging

/// Options for loading CelebA.
public struct CelebAOptions: Sendable {
    /// Side of the centred square cut from each 178×218 image before resizing (148 keeps the face).
    public var cropSize: Int
    /// Side of the stored square images (64, 128 or 256; any positive size works).
    public var imageSize: Int
    /// Load only the first `limit` images of the split (partition-file order); nil = all.
    public var limit: Int?
    /// Attribute columns to keep, by name (nil = all 40, in file order). Unknown names are an error
    /// that lists the valid ones.
    public var attributes: [String]?
    /// Decoding threads (default: every core).
    public var threads: Int
    /// Leave out images that cannot be decoded (truncated, corrupt, over ``ImageDecodeLimits``)
    /// with a warning each and a count, instead of failing the load (the default).
    public var skipUndecodable = false
    /// Memory or the on-disk decoded cache (nil: ``DataCachePolicy/current``).
    public var cache: DataCachePolicy?

    public init(cropSize: Int = 148, imageSize: Int = 64, limit: Int? = nil, attributes: [String]? = nil,
                threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.cropSize = cropSize
        self.imageSize = imageSize
        self.limit = limit
        self.attributes = attributes
        self.threads = threads
    }
}

/// CelebA (aligned & cropped faces) from a directory in its published layout:
/// ```
/// <dir>/img_align_celeba/000001.jpg …   178×218 RGB JPEGs
/// <dir>/list_eval_partition.txt          "000001.jpg 0" (0 train, 1 validation, 2 test)
/// <dir>/list_attr_celeba.txt             count line, 40 names line, "000001.jpg -1 1 … " lines
/// ```
/// Each image is centre-cropped to `cropSize`² and area-resized to `imageSize`², then kept as
/// bytes: 162,770 training images at 64×64 take about 2 GB. JPEGs are decoded on every core.
/// Labels are all 0 (use ``ImageDataset/labeled(byAttribute:)`` to label by an attribute).
public enum CelebA {
    public static let imageDirectoryName = "img_align_celeba"
    public static let partitionFileName = "list_eval_partition.txt"
    public static let attributeFileName = "list_attr_celeba.txt"

    /// Loads one split as an ``ImageDataset`` `[N, 3, imageSize, imageSize]` with attributes.
    public static func load(_ split: DatasetSplit, directory: String,
                            options: CelebAOptions = CelebAOptions()) throws -> ImageDataset {
        guard options.cropSize > 0, options.imageSize > 0, options.imageSize <= 4096 else {
            throw DatasetError.invalidArgument("CelebA crop size \(options.cropSize) and image size \(options.imageSize) must be positive (image size at most 4096)")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DatasetError.missingFile(path: directory, reason: "CelebA directory does not exist")
        }
        let root = directory as NSString
        let imageDirectory = root.appendingPathComponent(imageDirectoryName)
        guard FileManager.default.fileExists(atPath: imageDirectory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DatasetError.missingFile(path: imageDirectory, reason: "CelebA image folder not found (expected \(imageDirectoryName)/ with the aligned JPEGs)")
        }
        let annotations = try CelebAAnnotations(partitionPath: root.appendingPathComponent(partitionFileName),
                                                attributePath: root.appendingPathComponent(attributeFileName))

        // Attribute columns to keep.
        let all = annotations.attributeNames
        let keptNames = options.attributes ?? all
        let columns = try keptNames.map { name -> Int in
            guard let j = all.firstIndex(of: name) else { throw DatasetError.unknownAttribute(name: name, validNames: all) }
            return j
        }

        var selected = annotations.splits.indices.filter { annotations.splits[$0] == split }
        if let limit = options.limit { selected = Array(selected.prefix(max(0, limit))) }
        let paths = selected.map { (imageDirectory as NSString).appendingPathComponent(annotations.fileNames[$0]) }

        let crop = options.cropSize, size = options.imageSize
        let key = ["celeba", DecodedImageCache.absolute(directory), "split=\(split.rawValue)", "crop=\(crop)", "size=\(size)",
                   "limit=\(options.limit.map(String.init) ?? "all")", "skip=\(options.skipUndecodable)"]
        let (pixels, undecodable) = try DecodedImageCache.pixels(
            paths: PathList(paths), policy: options.cache ?? DataCachePolicy.current, name: "celeba-\(split.rawValue)-\(size)", key: key,
            sideFiles: [root.appendingPathComponent(partitionFileName)], channels: 3, size: size, threads: options.threads,
            skipUndecodable: options.skipUndecodable) { image, path in
            guard image.width >= crop, image.height >= crop else {
                throw DatasetError.malformed(path: path, reason: "image is \(image.width)×\(image.height), smaller than the \(crop)×\(crop) centre crop")
            }
            return try image.centerCropped(size: crop).resized(width: size, height: size)
        }
        let unreadable = UndecodableImages(positions: undecodable)
        try unreadable.report(path: { paths[$0] }, total: paths.count, directory: imageDirectory, warn: { logLine("warning: " + $0) })
        selected = unreadable.keeping(selected)

        var attributes = [Bool](repeating: false, count: selected.count * columns.count)
        for (r, i) in selected.enumerated() {
            for (k, j) in columns.enumerated() { attributes[r * columns.count + k] = annotations.attributes[i * all.count + j] }
        }
        return ImageDataset(name: "CelebA \(split.rawValue)", channels: 3, height: size, width: size, pixels: pixels,
                            labels: Array(repeating: 0, count: selected.count), classNames: [],
                            attributeNames: keptNames, attributes: attributes)
    }

    /// The 40 attribute names of the published `list_attr_celeba.txt`, in file order.
    public static let attributeNames = [
        "5_o_Clock_Shadow", "Arched_Eyebrows", "Attractive", "Bags_Under_Eyes", "Bald", "Bangs", "Big_Lips",
        "Big_Nose", "Black_Hair", "Blond_Hair", "Blurry", "Brown_Hair", "Bushy_Eyebrows", "Chubby", "Double_Chin",
        "Eyeglasses", "Goatee", "Gray_Hair", "Heavy_Makeup", "High_Cheekbones", "Male", "Mouth_Slightly_Open",
        "Mustache", "Narrow_Eyes", "No_Beard", "Oval_Face", "Pale_Skin", "Pointy_Nose", "Receding_Hairline",
        "Rosy_Cheeks", "Sideburns", "Smiling", "Straight_Hair", "Wavy_Hair", "Wearing_Earrings", "Wearing_Hat",
        "Wearing_Lipstick", "Wearing_Necklace", "Wearing_Necktie", "Young",
    ]
}
