import CImageCodecs

/// gzip decompression with zlib (`inflateInit2` with `16 + MAX_WBITS`: gzip header parsing and
/// CRC-32/length checking), straight into caller-sized buffers so a whole file is inflated once
/// into its final, preallocated array.
///
/// Truncated input is reported as ``DatasetError/truncatedGzip(path:)``; bad headers, bad deflate
/// data and CRC mismatches as ``DatasetError/corruptGzip(path:reason:)``. Concatenated members
/// (`cat a.gz b.gz`) are decoded as one stream.
final class GzipReader {
    private let compressed: [UInt8]
    private let source: String
    private var stream = z_stream()
    private var consumed = 0
    private var finished = false

    /// True when `bytes` starts with the gzip magic `1f 8b`.
    static func isGzip(_ bytes: [UInt8]) -> Bool { bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B }

    /// The largest output the input could possibly hold (deflate cannot expand more than ~1032:1).
    var maximumOutput: Int { compressed.count.multipliedReportingOverflow(by: 1032).overflow ? Int.max : compressed.count * 1032 }

    /// The uncompressed size (mod 2³²) claimed by the last member's trailer; a hint only.
    var trailerSize: Int {
        let n = compressed.count
        guard n >= 4 else { return 0 }
        return Int(compressed[n - 4]) | Int(compressed[n - 3]) << 8 | Int(compressed[n - 2]) << 16 | Int(compressed[n - 1]) << 24
    }

    init(_ compressed: [UInt8], source: String) throws {
        self.compressed = compressed
        self.source = source
        guard compressed.count >= 18 else {
            if Self.isGzip(compressed) { throw DatasetError.truncatedGzip(path: source) }
            throw DatasetError.corruptGzip(path: source, reason: "too short to be a gzip file (\(compressed.count) bytes)")
        }
        let status = inflateInit2_(&stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw DatasetError.corruptGzip(path: source, reason: "zlib could not start (code \(status))") }
    }

    deinit { inflateEnd(&stream) }

    /// Inflates into `out` until it is full or the stream ends; returns the bytes written.
    func read(into out: UnsafeMutableRawBufferPointer) throws -> Int {
        var produced = 0
        try compressed.withUnsafeBufferPointer { input in
            while produced < out.count && !finished {
                let chunkIn = min(input.count - consumed, Int(UInt32.max))
                let chunkOut = min(out.count - produced, Int(UInt32.max))
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress! + consumed)
                stream.avail_in = uInt(chunkIn)
                stream.next_out = out.baseAddress!.assumingMemoryBound(to: UInt8.self) + produced
                stream.avail_out = uInt(chunkOut)
                let status = inflate(&stream, Z_NO_FLUSH)
                consumed += chunkIn - Int(stream.avail_in)
                produced += chunkOut - Int(stream.avail_out)
                switch status {
                case Z_STREAM_END:
                    let rest = input[consumed...]
                    if rest.count >= 2 && rest[rest.startIndex] == 0x1F && rest[rest.startIndex + 1] == 0x8B {
                        guard inflateReset(&stream) == Z_OK else {
                            throw DatasetError.corruptGzip(path: source, reason: "cannot restart for the next gzip member")
                        }
                    } else if rest.allSatisfy({ $0 == 0 }) {
                        finished = true
                    } else {
                        throw DatasetError.corruptGzip(path: source, reason: "\(rest.count) unexpected bytes after the end of the gzip stream")
                    }
                case Z_OK:
                    continue
                case Z_BUF_ERROR:
                    if consumed == input.count { throw DatasetError.truncatedGzip(path: source) }
                    throw DatasetError.corruptGzip(path: source, reason: "zlib made no progress")
                case Z_DATA_ERROR:
                    throw DatasetError.corruptGzip(path: source, reason: stream.msg.map { String(cString: $0) } ?? "invalid deflate data")
                case Z_MEM_ERROR:
                    throw DatasetError.corruptGzip(path: source, reason: "out of memory while inflating")
                default:
                    throw DatasetError.corruptGzip(path: source, reason: "zlib error code \(status)")
                }
            }
        }
        return produced
    }

    /// Up to `count` bytes (fewer only when the stream ends) in a freshly allocated array that is
    /// never zero-filled first.
    func read(upTo count: Int) throws -> [UInt8] {
        try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            initialized = try read(into: UnsafeMutableRawBufferPointer(buffer))
        }
    }

    /// Exactly `count` bytes, or nil when the stream ends earlier (the caller reports what that
    /// means for its format).
    func read(exactly count: Int) throws -> [UInt8]? {
        let bytes = try read(upTo: count)
        return bytes.count == count ? bytes : nil
    }

    /// True when no decompressed bytes are left (checks by trying to read one).
    func isAtEnd() throws -> Bool {
        var probe: UInt8 = 0
        return try withUnsafeMutableBytes(of: &probe) { try read(into: $0) } == 0
    }

    /// Everything that is left: one read sized by the trailer hint (capped by what the input can
    /// hold), then doubling reads if the hint was short.
    func readToEnd() throws -> [UInt8] {
        var chunk = max(1024, min(trailerSize, maximumOutput))
        var output = try read(upTo: chunk)
        while !finished {  // the last read filled its buffer; the stream goes on
            chunk *= 2
            output += try read(upTo: chunk)
        }
        return output
    }
}

/// Whole-buffer gzip decompression.
enum GzipInflater {
    static func isGzip(_ bytes: [UInt8]) -> Bool { GzipReader.isGzip(bytes) }

    /// Decompresses a complete gzip file; `source` (the path) is used in error messages.
    static func inflate(_ compressed: [UInt8], source: String) throws -> [UInt8] {
        try GzipReader(compressed, source: source).readToEnd()
    }
}
