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

    /// Reads and parses an IDX file (gzip or raw).
    public init(contentsOf path: String) throws {
        try self.init(bytes: try FileBytes.readMaybeGzipped(path), source: path)
    }

    /// Parses decompressed IDX bytes. `source` names the file in errors.
    public init(bytes: [UInt8], source: String) throws {
        guard bytes.count >= 4 else {
            throw DatasetError.malformed(path: source, reason: "IDX file is \(bytes.count) bytes, shorter than its 4-byte magic")
        }
        guard bytes[0] == 0, bytes[1] == 0 else {
            let magic = bytes[0..<4].map { String($0, radix: 16).leftPadded(to: 2) }.joined(separator: " ")
            throw DatasetError.malformed(path: source, reason: "wrong IDX magic \(magic) (expected 00 00 <type> <dims>)")
        }
        guard let type = ElementType(rawValue: bytes[2]) else {
            throw DatasetError.malformed(path: source, reason: "unknown IDX element type 0x\(String(bytes[2], radix: 16))")
        }
        let rank = Int(bytes[3])
        guard rank >= 1 else { throw DatasetError.malformed(path: source, reason: "IDX file declares 0 dimensions") }
        let headerSize = 4 + 4 * rank
        guard bytes.count >= headerSize else {
            throw DatasetError.malformed(path: source, reason: "IDX header declares \(rank) dimensions but the file ends after \(bytes.count) bytes")
        }
        var dims: [Int] = []
        var elements = 1
        for d in 0..<rank {
            let o = 4 + 4 * d
            let value = Int(bytes[o]) << 24 | Int(bytes[o + 1]) << 16 | Int(bytes[o + 2]) << 8 | Int(bytes[o + 3])
            dims.append(value)
            let (product, overflow) = elements.multipliedReportingOverflow(by: value)
            guard !overflow else { throw DatasetError.malformed(path: source, reason: "IDX dimensions \(dims) overflow") }
            elements = product
        }
        let (payloadSize, overflow) = elements.multipliedReportingOverflow(by: type.size)
        guard !overflow else { throw DatasetError.malformed(path: source, reason: "IDX dimensions overflow") }
        let actual = bytes.count - headerSize
        guard actual == payloadSize else {
            let dimText = dims.map(String.init).joined(separator: "×")
            throw DatasetError.malformed(path: source, reason: actual < payloadSize
                ? "IDX data is truncated: dimensions \(dimText) of \(type) need \(payloadSize) bytes, found \(actual)"
                : "IDX data has \(actual - payloadSize) extra bytes after the \(payloadSize) that dimensions \(dimText) of \(type) need")
        }
        var payload = bytes
        payload.removeFirst(headerSize)
        self.path = source
        self.elementType = type
        self.dimensions = dims
        self.payload = payload
    }

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
