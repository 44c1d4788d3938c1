import Foundation
import IllusionImaging

/// Options for ``ImageFolder``.
public struct ImageFolderOptions: Sendable {
    /// How a non-square image becomes a square.
    public enum SquareFit: Sendable {
        /// Cut the centred largest square, then resize (keeps proportions; the default).
        case centerCrop
        /// Resize the whole image to the square (distorts proportions).
        case stretch
    }

    /// Side of the stored square images.
    public var imageSize: Int
    /// 3 (RGB) or 1 (grey).
    public var channels: Int
    public var fit: SquareFit
    /// Load only the first `limit` images (in class, then file-name order); nil = all.
    public var limit: Int?
    /// Decoding threads (default: every core).
    public var threads: Int
    /// Leave out files that cannot be decoded (truncated, corrupt, over ``ImageDecodeLimits``) with
    /// a warning each and a count, instead of failing the load (the default).
    public var skipUndecodable = false
    /// Memory or the on-disk decoded cache (nil: ``DataCachePolicy/current``, `auto` unless the
    /// command line said otherwise).
    public var cache: DataCachePolicy?

    public init(imageSize: Int = 64, channels: Int = 3, fit: SquareFit = .centerCrop, limit: Int? = nil,
                threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.imageSize = imageSize
        self.channels = channels
        self.fit = fit
        self.limit = limit
        self.threads = threads
    }
}

/// Any directory of PNG/JPEG images, flat or with one sub-folder per class.
///
/// - Flat: every image file directly in the directory; all labels 0, no class names.
/// - Classes: one sub-folder per class (class name = folder name, classes in sorted order,
///   label = position); image files directly at the top level are then an error.
///
/// File policy: files named `*.png`, `*.jpg`, `*.jpeg` (any case) are decoded, and one that is
/// not a valid image is an error naming it. Other files (README, .txt, …) are skipped with a
/// warning on stderr and listed in ``Result/skippedFiles``; hidden files (`.DS_Store`) are
/// skipped silently. Files are taken in sorted name order.
public enum ImageFolder {
    /// The loaded images and the files that were skipped.
    public struct Result {
        public let dataset: ImageDataset
        /// Paths of files skipped because their extension is not an image extension.
        public let skippedFiles: [String]
        /// Image files left out because they could not be decoded (only with `skipUndecodable`).
        public var undecodableFiles: [String] = []
    }

    /// Extensions (lower case) treated as images.
    public static let imageExtensions: Set<String> = ["png", "jpg", "jpeg"]

    /// Loads every image of `directory` as an ``ImageDataset`` `[N, channels, imageSize, imageSize]`.
    public static func load(directory: String, options: ImageFolderOptions = ImageFolderOptions(),
                            warn: (String) -> Void = { logLine("warning: " + $0) }) throws -> Result {
        let result = try loadListed(directory: directory, options: options, warn: warn)
        // The listing (file names, paths, sort order) is freed now; give its pages back to the
        // system so that they do not stay resident for the whole training (glibc keeps freed heap).
        HeapTrim.releaseFreedPages()
        return result
    }

    private static func loadListed(directory: String, options: ImageFolderOptions, warn: (String) -> Void) throws -> Result {
        guard options.channels == 1 || options.channels == 3 else {
            throw DatasetError.invalidArgument("image folder channels must be 1 or 3, got \(options.channels)")
        }
        guard options.imageSize > 0, options.imageSize <= 4096 else {
            throw DatasetError.invalidArgument("image size must be in 1...4096, got \(options.imageSize)")
        }
        let top = try entries(of: directory)
        var skipped: [String] = []
        var classNames: [String] = []
        // The image files (compact: 100,000 paths are one buffer, not 100,000 strings) and their labels.
        var files = PathList(), labels: [Int] = []
        if top.directories.isEmpty {
            let images = (0..<top.files.count).map { isImage(top.files[$0]) }
            for k in images.indices where !images[k] { skipped.append(top.files[k]) }
            files = skipped.isEmpty ? top.files : top.files.filter { images[$0] }
            labels = [Int](repeating: 0, count: files.count)
        } else {
            if let stray = (0..<top.files.count).lazy.map({ top.files[$0] }).first(where: isImage) {
                throw DatasetError.malformed(path: stray, reason: "image file at the top of a folder whose sub-folders are classes; move it into a class folder")
            }
            skipped += top.files.strings(0..<top.files.count)
            for (label, sub) in top.directories.enumerated() {
                classNames.append((sub as NSString).lastPathComponent)
                let inner = try entries(of: sub)
                for k in 0..<inner.files.count {
                    let f = inner.files[k]
                    if isImage(f) { files.append(f); labels.append(label) } else { skipped.append(f) }
                }
                skipped += inner.directories
            }
        }
        for s in skipped { warn("\(s): skipped, not a .png/.jpg/.jpeg file") }
        if let limit = options.limit {
            files = files.prefix(max(0, limit))
            labels = Array(labels.prefix(max(0, limit)))
        }
        guard !files.isEmpty else {
            throw DatasetError.missingFile(path: directory, reason: "no .png/.jpg/.jpeg images found")
        }
        let size = options.imageSize, fit = options.fit
        let key = ["folder", DecodedImageCache.absolute(directory), "size=\(size)", "channels=\(options.channels)",
                   "fit=\(fit)", "limit=\(options.limit.map(String.init) ?? "all")", "skip=\(options.skipUndecodable)"]
        let (pixels, undecodable) = try DecodedImageCache.pixels(
            paths: files, policy: options.cache ?? DataCachePolicy.current,
            name: "folder-" + (DecodedImageCache.absolute(directory) as NSString).lastPathComponent, key: key,
            channels: options.channels, size: size, threads: options.threads, skipUndecodable: options.skipUndecodable) { image, _ in
            let square: PixelImage
            switch fit {
            case .centerCrop: square = try image.centerCropped(size: min(image.width, image.height))
            case .stretch: square = image
            }
            return try square.resized(width: size, height: size)
        }
        let unreadable = UndecodableImages(positions: undecodable)
        try unreadable.report(path: { files[$0] }, total: files.count, directory: directory, warn: warn)
        labels = unreadable.keeping(labels)
        let dataset = ImageDataset(name: (directory as NSString).lastPathComponent, channels: options.channels,
                                   height: size, width: size, pixels: pixels, labels: labels,
                                   classNames: classNames)
        var result = Result(dataset: dataset, skippedFiles: skipped)
        result.undecodableFiles = undecodable.map { files[$0] }
        return result
    }

    static func isImage(_ path: String) -> Bool {
        imageExtensions.contains((path as NSString).pathExtension.lowercased())
    }

    /// Sorted non-hidden files and sub-directories of a directory (listed with `readdir`, so a
    /// folder of 100,000 files costs one compact ``PathList``, not an array of strings).
    static func entries(of directory: String) throws -> (files: PathList, directories: [String]) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            throw DatasetError.missingFile(path: directory, reason: "image folder does not exist")
        }
        guard isDirectory.boolValue else { throw DatasetError.unreadable(path: directory, reason: "is a file, expected an image folder") }
        guard let stream = opendir(directory) else {
            throw DatasetError.unreadable(path: directory, reason: "cannot list folder: " + String(cString: strerror(errno)).lowercased())
        }
        defer { closedir(stream) }
        var names = PathList(), kinds: [UInt8] = []
        while let entry = readdir(stream) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            guard !name.hasPrefix(".") else { continue }
            names.append(name)
            kinds.append(entry.pointee.d_type)
        }
        var files = PathList(), directories: [String] = []
        files.reserve(count: names.count, bytes: names.byteCount + names.count * (directory.utf8.count + 1))
        for k in names.sortedOrder() {
            let path = (directory as NSString).appendingPathComponent(names[k])
            var dir: Bool
            switch Int32(kinds[k]) {
            case Int32(DT_DIR): dir = true
            case Int32(DT_REG): dir = false
            default:   // a symbolic link or a file system without d_type: follow it, as fileExists does
                var info = stat()
                dir = stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
            }
            if dir { directories.append(path) } else { files.append(path) }
        }
        return (files, directories)
    }
}
