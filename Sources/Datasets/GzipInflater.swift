import CImageCodecs

/// gzip decompression with zlib (`inflateInit2` with `16 + MAX_WBITS`, i.e. gzip header and
/// CRC-32 checking), straight into one preallocated output buffer.
///
/// The output size is taken from the gzip trailer (ISIZE, the uncompressed size mod 2³²),
/// capped by deflate's maximum ratio so a hostile trailer cannot force a huge allocation;
/// the buffer grows if the hint was wrong. Concatenated gzip members are all decoded.
enum GzipInflater {
    /// True when `bytes` starts with the gzip magic `1f 8b`.
    static func isGzip(_ bytes: [UInt8]) -> Bool { bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B }

    /// Decompresses a whole gzip file. `source` (the path) is used in error messages.
    /// Throws ``DatasetError/truncatedGzip(path:)`` when the data ends early and
    /// ``DatasetError/corruptGzip(path:reason:)`` for bad headers, bad data or a CRC mismatch.
    static func inflate(_ compressed: [UInt8], source: String) throws -> [UInt8] {
        guard compressed.count >= 18 else {
            if isGzip(compressed) { throw DatasetError.truncatedGzip(path: source) }
            throw DatasetError.corruptGzip(path: source, reason: "too short to be a gzip file (\(compressed.count) bytes)")
        }
        let n = compressed.count
        let trailerSize = Int(compressed[n - 4]) | Int(compressed[n - 3]) << 8
            | Int(compressed[n - 2]) << 16 | Int(compressed[n - 1]) << 24
        // Deflate cannot expand more than ~1032:1; never trust the trailer beyond that.
        var capacity = max(1024, min(trailerSize, n.multipliedReportingOverflow(by: 1032).partialValue))
        var output = [UInt8](repeating: 0, count: capacity)
        var produced = 0

        var stream = z_stream()
        var status = inflateInit2_(&stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw DatasetError.corruptGzip(path: source, reason: "zlib could not start (code \(status))") }
        defer { inflateEnd(&stream) }

        try compressed.withUnsafeBufferPointer { input in
            var consumed = 0
            while true {
                if produced == capacity {
                    capacity = capacity * 2
                    output.append(contentsOf: repeatElement(0, count: capacity - output.count))
                }
                let remainingIn = input.count - consumed
                let chunkIn = min(remainingIn, Int(UInt32.max))
                let chunkOut = min(capacity - produced, Int(UInt32.max))
                status = output.withUnsafeMutableBufferPointer { out -> Int32 in
                    stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress! + consumed)
                    stream.avail_in = uInt(chunkIn)
                    stream.next_out = out.baseAddress! + produced
                    stream.avail_out = uInt(chunkOut)
                    let s = CImageCodecs.inflate(&stream, Z_NO_FLUSH)
                    consumed += chunkIn - Int(stream.avail_in)
                    produced += chunkOut - Int(stream.avail_out)
                    return s
                }
                switch status {
                case Z_STREAM_END:
                    // Another gzip member may follow (concatenated .gz files); trailing zero padding is ignored.
                    let rest = input[consumed...]
                    if rest.count >= 2 && rest[rest.startIndex] == 0x1F && rest[rest.startIndex + 1] == 0x8B {
                        guard inflateReset(&stream) == Z_OK else {
                            throw DatasetError.corruptGzip(path: source, reason: "cannot restart for next gzip member")
                        }
                        continue
                    }
                    if rest.allSatisfy({ $0 == 0 }) { return }
                    throw DatasetError.corruptGzip(path: source, reason: "\(rest.count) unexpected bytes after the end of the gzip stream")
                case Z_OK:
                    continue
                case Z_BUF_ERROR:
                    // No progress possible: either the output is full (grow and retry) or the input ran out.
                    if produced == capacity { continue }
                    if consumed == input.count { throw DatasetError.truncatedGzip(path: source) }
                    throw DatasetError.corruptGzip(path: source, reason: "zlib made no progress")
                case Z_DATA_ERROR:
                    let message = stream.msg.map { String(cString: $0) } ?? "invalid deflate data"
                    throw DatasetError.corruptGzip(path: source, reason: message)
                case Z_MEM_ERROR:
                    throw DatasetError.corruptGzip(path: source, reason: "out of memory while inflating")
                default:
                    throw DatasetError.corruptGzip(path: source, reason: "zlib error code \(status)")
                }
            }
        }
        if produced < output.count { output.removeLast(output.count - produced) }
        return output
    }
}
