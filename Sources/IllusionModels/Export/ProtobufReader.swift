/// A protocol-buffers wire-format decoder into untyped fields: enough to check our own ONNX and
/// event files structurally (tests, `illusion export --json`) without the schema. Malformed input
/// throws; nothing is trapped.
public struct ProtobufFields {
    /// One decoded field: its number and raw value.
    public enum Value: Equatable {
        case varint(UInt64)
        case fixed64(UInt64)
        case fixed32(UInt32)
        case bytes([UInt8])
    }

    /// The fields in file order (repeated fields appear once per occurrence).
    public let fields: [(number: Int, value: Value)]

    /// Decodes `bytes` as one message.
    public init(_ bytes: [UInt8]) throws {
        var out: [(Int, Value)] = []
        var i = 0
        func varint() throws -> UInt64 {
            var result: UInt64 = 0, shift: UInt64 = 0
            while true {
                guard i < bytes.count, shift < 64 else { throw ProtobufError.malformed("truncated varint at byte \(i)") }
                let b = bytes[i]; i += 1
                result |= UInt64(b & 0x7F) << shift
                if b < 0x80 { return result }
                shift += 7
            }
        }
        func take(_ n: Int) throws -> [UInt8] {
            guard n >= 0, i + n <= bytes.count else { throw ProtobufError.malformed("field runs past the end at byte \(i)") }
            defer { i += n }
            return Array(bytes[i..<(i + n)])
        }
        while i < bytes.count {
            let key = try varint()
            let number = Int(key >> 3)
            guard number > 0 else { throw ProtobufError.malformed("field number 0 at byte \(i)") }
            switch key & 7 {
            case 0: out.append((number, .varint(try varint())))
            case 1: out.append((number, .fixed64(try take(8).reversed().reduce(0) { $0 << 8 | UInt64($1) })))
            case 2: out.append((number, .bytes(try take(Int(try varint())))))
            case 5: out.append((number, .fixed32(try take(4).reversed().reduce(0) { $0 << 8 | UInt32($1) })))
            default: throw ProtobufError.malformed("unsupported wire type \(key & 7) at byte \(i)")
            }
        }
        fields = out
    }

    /// Every value of field `number`.
    public func all(_ number: Int) -> [Value] { fields.filter { $0.number == number }.map(\.value) }

    /// The embedded messages of field `number`.
    public func messages(_ number: Int) throws -> [ProtobufFields] {
        try all(number).map { v in
            guard case .bytes(let b) = v else { throw ProtobufError.malformed("field \(number) is not length-delimited") }
            return try ProtobufFields(b)
        }
    }

    /// The first string of field `number`, if any.
    public func string(_ number: Int) -> String? {
        for v in all(number) { if case .bytes(let b) = v { return String(decoding: b, as: UTF8.self) } }
        return nil
    }

    /// The strings of field `number`.
    public func strings(_ number: Int) -> [String] {
        all(number).compactMap { if case .bytes(let b) = $0 { return String(decoding: b, as: UTF8.self) } else { return nil } }
    }

    /// The first varint of field `number`, if any.
    public func int(_ number: Int) -> Int64? {
        for v in all(number) { if case .varint(let u) = v { return Int64(bitPattern: u) } }
        return nil
    }
}

public enum ProtobufError: Error, CustomStringConvertible {
    case malformed(String)
    public var description: String {
        switch self { case .malformed(let m): return "malformed protobuf: \(m)" }
    }
}
