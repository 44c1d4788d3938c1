import Foundation

/// What a decoded-image cache was built from, as a SHA-256: the loader's options (kind, size,
/// channels, crop, limit, skipping) and, for every source file in order, its path, size in bytes
/// and modification time (nanoseconds), plus any side files (CelebA's annotation lists). A file
/// added, removed, renamed, rewritten or touched changes the fingerprint, and the cache is rebuilt.
///
/// The description is hashed as it is added (``SHA256/Stream``), so fingerprinting 100,000 files
/// keeps no text per file in memory.
public struct SourceFingerprint {
    private var hash = SHA256.Stream()

    public init(options: [String]) {
        hash.update(Array(("illusioncraft decoded-image cache v1\n" + options.joined(separator: "\n") + "\n").utf8))
    }

    /// Adds one file's path, size and mtime (a missing file is recorded as such).
    public mutating func add(file path: String) {
        var info = stat()
        if stat(path, &info) == 0 {
            hash.update(Array("\(path)\t\(info.st_size)\t\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)\n".utf8))
        } else {
            hash.update(Array("\(path)\tmissing\n".utf8))
        }
    }

    /// The 32-byte digest.
    public var digest: [UInt8] {
        var copy = hash
        return copy.finalize()
    }
}

extension SHA256 {
    /// The 32 digest bytes.
    static func digest(_ message: [UInt8]) -> [UInt8] {
        var stream = Stream()
        stream.update(message)
        return stream.finalize()
    }
}
