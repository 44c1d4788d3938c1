import Foundation

/// What a decoded-image cache was built from, as a SHA-256: the loader's options (kind, size,
/// channels, crop, limit, skipping) and, for every source file in order, its path, size in bytes
/// and modification time (nanoseconds), plus any side files (CelebA's annotation lists). A file
/// added, removed, renamed, rewritten or touched changes the fingerprint, and the cache is rebuilt.
public struct SourceFingerprint {
    private var text: [UInt8] = []

    public init(options: [String]) {
        text = Array(("illusioncraft decoded-image cache v1\n" + options.joined(separator: "\n") + "\n").utf8)
    }

    /// Adds one file's path, size and mtime (a missing file is recorded as such).
    public mutating func add(file path: String) {
        var info = stat()
        if stat(path, &info) == 0 {
            text += Array("\(path)\t\(info.st_size)\t\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)\n".utf8)
        } else {
            text += Array("\(path)\tmissing\n".utf8)
        }
    }

    /// The 32-byte digest.
    public var digest: [UInt8] { SHA256.digest(text) }
}

extension SHA256 {
    /// The 32 digest bytes.
    static func digest(_ message: [UInt8]) -> [UInt8] {
        let hex = Array(hexDigest(message).utf8)
        func nibble(_ c: UInt8) -> UInt8 { c <= 57 ? c - 48 : c - 87 }
        return stride(from: 0, to: hex.count, by: 2).map { nibble(hex[$0]) << 4 | nibble(hex[$0 + 1]) }
    }
}
