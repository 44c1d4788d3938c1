import Foundation

/// The on-disk layout of a decoded-image cache file (all integers little-endian):
///
/// ```
/// offset 0     4096-byte header
///   0   8  magic "ILLIMGC1"
///   8   4  layout: 0 = each image [channels, height, width] UInt8 planar (CHW, as ImageDataset)
///  12   4  channels      16  4  height      20  4  width      24  4  reserved (0)
///  28   4  reserved (0)
///  32   8  count: images stored        40   8  sourceCount: files listed (count + skipped ones)
///  48   8  dataOffset (= 4096)         56   8  indexOffset (= dataOffset + count · C·H·W)
///  64   8  fileSize (= indexOffset + 4 · count)
///  72  32  source fingerprint: SHA-256 of the source description (``SourceFingerprint``)
/// 104  32  checksum: SHA-256 of header bytes 0..<104 followed by the index
/// dataOffset   count pixel records of C·H·W bytes each, in source order
/// indexOffset  count UInt32: the source-list position of each stored image (strictly increasing)
/// ```
/// The pixel records are not checksummed (that would read the whole file on every start); a
/// file cut short or with a damaged header or index is detected from the sizes and the checksum,
/// and files are only ever published complete (temporary name, `fsync`, `rename`).
public enum DecodedImageCacheFormat {
    public static let magic: [UInt8] = Array("ILLIMGC1".utf8)
    public static let headerSize = 4096

    /// Why a cache file cannot be used (the loader says it in one line and rebuilds).
    public enum Problem: Error, CustomStringConvertible, Equatable {
        case unreadable(path: String, reason: String)
        case corrupt(path: String, reason: String)
        case stale(path: String)

        public var description: String {
            switch self {
            case let .unreadable(path, reason): return "\(path): cannot read the data cache (\(reason))"
            case let .corrupt(path, reason): return "\(path): not a complete data cache (\(reason))"
            case let .stale(path): return "\(path): data cache is stale (the source images or options changed)"
            }
        }
    }

    /// The header's fields.
    public struct Header: Equatable {
        public var channels: Int, height: Int, width: Int
        public var count: Int, sourceCount: Int
        public var fingerprint: [UInt8]
        public var checksum: [UInt8] = []

        public var imageBytes: Int { channels * height * width }
        public var dataOffset: Int { DecodedImageCacheFormat.headerSize }
        public var indexOffset: Int { dataOffset + count * imageBytes }
        public var fileSize: Int { indexOffset + 4 * count }

        public init(channels: Int, height: Int, width: Int, count: Int, sourceCount: Int, fingerprint: [UInt8]) {
            self.channels = channels; self.height = height; self.width = width
            self.count = count; self.sourceCount = sourceCount; self.fingerprint = fingerprint
        }

        /// Bytes 0..<104 (everything the checksum covers besides the index).
        func fieldBytes() -> [UInt8] {
            var b = magic
            func put32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { b += $0 } }
            func put64(_ v: Int) { withUnsafeBytes(of: UInt64(v).littleEndian) { b += $0 } }
            put32(0); put32(channels); put32(height); put32(width); put32(0); put32(0)
            put64(count); put64(sourceCount); put64(dataOffset); put64(indexOffset); put64(fileSize)
            b += fingerprint
            return b
        }

        /// The full 4096-byte header, `checksum` included.
        func bytes() -> [UInt8] {
            var b = fieldBytes() + checksum
            b += [UInt8](repeating: 0, count: DecodedImageCacheFormat.headerSize - b.count)
            return b
        }

        /// Parses and range-checks a header (not the checksum, which needs the index).
        static func read(_ raw: UnsafeRawBufferPointer, path: String) throws -> Header {
            func u32(_ o: Int) -> Int { Int(raw.loadUnaligned(fromByteOffset: o, as: UInt32.self).littleEndian) }
            func u64(_ o: Int) -> UInt64 { raw.loadUnaligned(fromByteOffset: o, as: UInt64.self).littleEndian }
            guard Array(raw[0..<8]) == magic else { throw Problem.corrupt(path: path, reason: "bad magic, not written by this version") }
            guard u32(8) == 0 else { throw Problem.corrupt(path: path, reason: "unknown layout \(u32(8))") }
            let c = u32(12), h = u32(16), w = u32(20)
            guard [1, 3].contains(c), (1...4096).contains(h), (1...4096).contains(w) else {
                throw Problem.corrupt(path: path, reason: "header claims \(c) channels of \(w)×\(h)")
            }
            let count = u64(32), sourceCount = u64(40)
            guard count <= UInt64(UInt32.max), sourceCount <= UInt64(UInt32.max), count <= sourceCount else {
                throw Problem.corrupt(path: path, reason: "header claims \(count) images of \(sourceCount) files")
            }
            var header = Header(channels: c, height: h, width: w, count: Int(count), sourceCount: Int(sourceCount),
                                fingerprint: Array(raw[72..<104]))
            guard u64(48) == UInt64(header.dataOffset), u64(56) == UInt64(header.indexOffset), u64(64) == UInt64(header.fileSize) else {
                throw Problem.corrupt(path: path, reason: "inconsistent offsets in the header")
            }
            header.checksum = Array(raw[104..<136])
            return header
        }
    }

    /// SHA-256 over the header fields and the index.
    static func checksum(header: Header, index: UnsafeRawBufferPointer) -> [UInt8] {
        var stream = SHA256.Stream()
        stream.update(header.fieldBytes())
        stream.update(index)
        return stream.finalize()
    }

    static func verifyChecksum(header: Header, index: UnsafeRawBufferPointer, path: String) throws {
        guard checksum(header: header, index: index) == header.checksum else {
            throw Problem.corrupt(path: path, reason: "header or index checksum mismatch")
        }
        var previous = -1
        for k in 0..<header.count {
            let s = Int(index.loadUnaligned(fromByteOffset: k * 4, as: UInt32.self).littleEndian)
            guard s < header.sourceCount else { throw Problem.corrupt(path: path, reason: "index entry \(k) is \(s), beyond \(header.sourceCount) files") }
            guard s > previous else { throw Problem.corrupt(path: path, reason: "index entry \(k) is \(s), not after \(previous)") }
            previous = s
        }
    }
}
