/// A protocol-buffers wire-format encoder (https://protobuf.dev/programming-guides/encoding/), the
/// few field kinds ONNX models and TensorBoard event files need: varints, 32/64-bit fixed values,
/// length-delimited bytes/strings/sub-messages and packed repeated scalars.
///
/// Why our own and not `apple/swift-protobuf`: we write (never parse untrusted) a handful of
/// messages — ONNX's ModelProto/GraphProto/NodeProto/TensorProto/AttributeProto/ValueInfoProto and
/// TensorFlow's Event/Summary — about 40 fields in all. swift-protobuf would add a dependency whose
/// generated code (onnx.proto alone is ~900 lines of definitions) and `protoc` plugin build cost
/// far more build time than these ~80 lines; the encoding itself is small and fully specified.
/// Field numbers are written beside each use, copied from onnx.proto3 and event.proto/summary.proto.
public struct ProtobufMessage {
    /// The encoded message so far.
    public private(set) var bytes: [UInt8] = []

    public init() {}

    /// Wire types: 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32.
    enum WireType: UInt64 { case varint = 0, fixed64 = 1, lengthDelimited = 2, fixed32 = 5 }

    mutating func appendVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 { bytes.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
        bytes.append(UInt8(v))
    }

    mutating func appendKey(_ field: Int, _ wire: WireType) {
        require(field > 0 && field < 1 << 29, "ProtobufMessage: field number \(field) out of range")
        appendVarint(UInt64(field) << 3 | wire.rawValue)
    }

    /// An `int32`/`int64`/`uint64`/`bool`/enum field (negative values as 10-byte two's complement, as protobuf does).
    public mutating func int(_ field: Int, _ value: Int64) {
        appendKey(field, .varint)
        appendVarint(UInt64(bitPattern: value))
    }

    /// A `float` field (fixed32, little-endian IEEE 754).
    public mutating func float(_ field: Int, _ value: Float) {
        appendKey(field, .fixed32)
        appendFixed32(value.bitPattern)
    }

    /// A `double` field (fixed64, little-endian IEEE 754).
    public mutating func double(_ field: Int, _ value: Double) {
        appendKey(field, .fixed64)
        let v = value.bitPattern
        for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) }
    }

    /// A `bytes` field.
    public mutating func bytes(_ field: Int, _ value: [UInt8]) {
        appendKey(field, .lengthDelimited)
        appendVarint(UInt64(value.count))
        bytes += value
    }

    /// A `string` field (UTF-8).
    public mutating func string(_ field: Int, _ value: String) { bytes(field, Array(value.utf8)) }

    /// An embedded message field.
    public mutating func message(_ field: Int, _ value: ProtobufMessage) { bytes(field, value.bytes) }

    /// A packed `repeated int64` field (one length-delimited run of varints).
    public mutating func packedInts(_ field: Int, _ values: [Int64]) {
        var run = ProtobufMessage()
        for v in values { run.appendVarint(UInt64(bitPattern: v)) }
        bytes(field, run.bytes)
    }

    /// A packed `repeated float` field.
    public mutating func packedFloats(_ field: Int, _ values: [Float]) {
        var run = ProtobufMessage()
        for v in values { run.appendFixed32(v.bitPattern) }
        bytes(field, run.bytes)
    }

    mutating func appendFixed32(_ v: UInt32) {
        for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(i)))) }
    }
}
