/// A parsed IDX file, the format of MNIST and Fashion-MNIST.
///
/// Layout (all integers big-endian):
/// ```
/// bytes 0–1   0x00 0x00
/// byte  2     element type: 0x08 UInt8, 0x09 Int8, 0x0B Int16, 0x0C Int32, 0x0D Float32, 0x0E Float64
/// byte  3     number of dimensions d (1 for labels, 3 for images)
/// 4·d bytes   the dimensions, UInt32 each (e.g. 60000, 28, 28)
/// payload     product(dimensions) elements, row-major
/// ```
/// The file may be raw or gzip-compressed (detected by the gzip magic). Parsing checks the
/// magic, the element type, that no dimension is zero-sized in a way that overflows, and that
/// the payload has exactly the size the dimensions announce.
public struct IDXFile {
    /// IDX element types.
    public enum ElementType: UInt8, CustomStringConvertible {
        case uint8 = 0x08, int8 = 0x09, int16 = 0x0B, int32 = 0x0C, float32 = 0x0D, float64 = 0x0E
        /// Bytes per element.
        public var size: Int {
            switch self {
            case .uint8, .int8: return 1
            case .int16: return 2
            case .int32, .float32: return 4
            case .float64: return 8
            }
        }
        public var description: String {
            switch self {
            case .uint8: return "uint8"
            case .int8: return "int8"
            case .int16: return "int16"
            case .int32: return "int32"
            case .float32: return "float32"
            case .float64: return "float64"
            }
        }
    }

    /// The path the file was read from (used in error messages).
    public let path: String
    public let elementType: ElementType
    /// Dimension sizes, outermost first (e.g. `[60000, 28, 28]`).
    public let dimensions: [Int]
    /// The payload, big-endian elements, row-major; for `.uint8` these are the values.
    public var payload: [UInt8]

    /// Number of items (the first dimension).
    public var itemCount: Int { dimensions.first ?? 0 }

    /// Reads and parses an IDX file (gzip or raw). A gzip file is inflated in two steps: the
    /// header, then the payload straight into an array of exactly the size the header announces.
    public init(contentsOf path: String) throws {
        let bytes = try FileBytes.read(path)
        guard GzipReader.isGzip(bytes) else {
            try self.init(bytes: bytes, source: path)
            return
        }
        let reader = try GzipReader(bytes, source: path)
        guard let magic = try reader.read(exactly: 4) else {
            throw DatasetError.malformed(path: path, reason: "IDX data is shorter than its 4-byte magic")
        }
        let rank = try Self.checkMagic(magic, source: path).rank
        guard let dimensionBytes = try reader.read(exactly: 4 * rank) else {
            throw DatasetError.malformed(path: path, reason: "IDX header declares \(rank) dimensions but the data ends inside the header")
        }
        let header = magic + dimensionBytes
        let (type, dims, payloadSize) = try Self.parseHeader(header, source: path)
        guard payloadSize <= reader.maximumOutput else {
            throw DatasetError.malformed(path: path, reason: "IDX dimensions \(dims) need \(payloadSize) bytes, more than this \(bytes.count)-byte gzip file can hold")
        }
        guard let payload = try reader.read(exactly: payloadSize) else {
            throw DatasetError.malformed(path: path, reason: "IDX data is truncated: dimensions \(Self.dimensionText(dims)) of \(type) need \(payloadSize) bytes, the file has fewer")
        }
        guard try reader.isAtEnd() else {
            throw DatasetError.malformed(path: path, reason: "IDX data has extra bytes after the \(payloadSize) that dimensions \(Self.dimensionText(dims)) of \(type) need")
        }
        self.init(path: path, elementType: type, dimensions: dims, payload: payload)
    }

    /// Parses decompressed IDX bytes. `source` names the file in errors.
    public init(bytes: [UInt8], source: String) throws {
        guard bytes.count >= 4 else {
            throw DatasetError.malformed(path: source, reason: "IDX file is \(bytes.count) bytes, shorter than its 4-byte magic")
        }
        let rank = try Self.checkMagic(Array(bytes[0..<4]), source: source).rank
        let headerSize = 4 + 4 * rank
        guard bytes.count >= headerSize else {
            throw DatasetError.malformed(path: source, reason: "IDX header declares \(rank) dimensions but the file ends after \(bytes.count) bytes")
        }
        let (type, dims, payloadSize) = try Self.parseHeader(Array(bytes[0..<headerSize]), source: source)
        let actual = bytes.count - headerSize
        guard actual == payloadSize else {
            throw DatasetError.malformed(path: source, reason: actual < payloadSize
                ? "IDX data is truncated: dimensions \(Self.dimensionText(dims)) of \(type) need \(payloadSize) bytes, found \(actual)"
                : "IDX data has \(actual - payloadSize) extra bytes after the \(payloadSize) that dimensions \(Self.dimensionText(dims)) of \(type) need")
        }
        self.init(path: source, elementType: type, dimensions: dims, payload: Array(bytes[headerSize...]))
    }

    init(path: String, elementType: ElementType, dimensions: [Int], payload: [UInt8]) {
        self.path = path
        self.elementType = elementType
        self.dimensions = dimensions
        self.payload = payload
    }

    /// Checks the 4 magic bytes; returns the element type and rank.
    static func checkMagic(_ magic: [UInt8], source: String) throws -> (type: ElementType, rank: Int) {
        guard magic[0] == 0, magic[1] == 0 else {
            let text = magic.map { String($0, radix: 16).leftPadded(to: 2) }.joined(separator: " ")
            throw DatasetError.malformed(path: source, reason: "wrong IDX magic \(text) (expected 00 00 <type> <dims>)")
        }
        guard let type = ElementType(rawValue: magic[2]) else {
            throw DatasetError.malformed(path: source, reason: "unknown IDX element type 0x\(String(magic[2], radix: 16))")
        }
        guard magic[3] >= 1 else { throw DatasetError.malformed(path: source, reason: "IDX file declares 0 dimensions") }
        return (type, Int(magic[3]))
    }

    /// Parses a complete header (magic + dimensions); returns type, dimensions and payload bytes.
    static func parseHeader(_ header: [UInt8], source: String) throws -> (ElementType, [Int], Int) {
        let (type, rank) = try checkMagic(Array(header[0..<4]), source: source)
        var dims: [Int] = []
        var elements = 1
        for d in 0..<rank {
            let o = 4 + 4 * d
            let value = Int(header[o]) << 24 | Int(header[o + 1]) << 16 | Int(header[o + 2]) << 8 | Int(header[o + 3])
            dims.append(value)
            let (product, overflow) = elements.multipliedReportingOverflow(by: value)
            guard !overflow else { throw DatasetError.malformed(path: source, reason: "IDX dimensions \(dims) overflow") }
            elements = product
        }
        let (payloadSize, overflow) = elements.multipliedReportingOverflow(by: type.size)
        guard !overflow else { throw DatasetError.malformed(path: source, reason: "IDX dimensions \(dims) overflow") }
        return (type, dims, payloadSize)
    }

    static func dimensionText(_ dims: [Int]) -> String { dims.map(String.init).joined(separator: "×") }

    /// Builds the bytes of an uncompressed IDX file of `UInt8` values (for tests and exports).
    public static func encode(uint8 values: [UInt8], dimensions: [Int]) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, ElementType.uint8.rawValue, UInt8(dimensions.count)]
        for d in dimensions {
            bytes += [UInt8(truncatingIfNeeded: d >> 24), UInt8(truncatingIfNeeded: d >> 16),
                      UInt8(truncatingIfNeeded: d >> 8), UInt8(truncatingIfNeeded: d)]
        }
        return bytes + values
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
