import Foundation

/// Reader and writer for the safetensors format (https://huggingface.co/docs/safetensors):
/// 8 bytes little-endian header length N, then N bytes of JSON
/// `{"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {..}}`,
/// then the raw little-endian data, offsets relative to the end of the header.
public struct SafeTensors {
    /// Element types read (and, for F32/I64, written). F16 (IEEE half) and BF16 (bfloat16) are
    /// widened to Float32 exactly, so checkpoints saved from `model.half()` or `model.bfloat16()` load.
    public enum DType: String, Sendable {
        /// IEEE-754 single precision (`torch.float32`); what ``set(_:_:)`` writes.
        case f32 = "F32"
        /// IEEE-754 double precision (`torch.float64`), rounded to Float32 on reading.
        case f64 = "F64"
        /// Signed 64-bit integers (`torch.int64`): step counters, random-generator states.
        case i64 = "I64"
        /// Signed 32-bit integers (`torch.int32`).
        case i32 = "I32"
        /// Unsigned bytes (`torch.uint8`), e.g. images stored as 0…255.
        case u8 = "U8"
        /// IEEE-754 half precision (`torch.float16`), widened exactly.
        case f16 = "F16"
        /// bfloat16 (`torch.bfloat16`: Float32's exponent, 7 mantissa bits), widened exactly.
        case bf16 = "BF16"
    }

    /// One tensor of the file as stored: element type, shape and raw little-endian bytes.
    public struct Entry: Sendable {
        /// The element type of ``bytes``.
        public var dtype: DType
        /// Dimensions, outermost first (row-major, as PyTorch stores them); `[]` for a scalar.
        public var shape: [Int]
        /// The elements, little-endian, product(shape) × the type's size bytes.
        public var bytes: [UInt8]
        /// An entry from raw bytes (not checked against the shape until the file is serialised or read).
        public init(dtype: DType, shape: [Int], bytes: [UInt8]) { self.dtype = dtype; self.shape = shape; self.bytes = bytes }
    }

    /// Every tensor by name (PyTorch `state_dict` keys such as `encoder.0.weight`).
    public var entries: [String: Entry] = [:]
    /// The `__metadata__` object: string keys and values only (`{"format": "pt", ...}` in our checkpoints).
    public var metadata: [String: String] = [:]

    /// An empty file to fill with ``set(_:_:)`` and write with ``serialized()``.
    public init() {}

    /// Tensor names in lexicographic order (the order ``serialized()`` lays the data out in).
    public var names: [String] { entries.keys.sorted() }

    // MARK: adding

    /// Stores `tensor` under `name` as F32 with its shape (replacing an entry of the same name).
    public mutating func set(_ name: String, _ tensor: Tensor) { set(name, shape: tensor.shape, floats: tensor.storage) }

    /// Stores row-major `floats` of `shape` as F32.
    public mutating func set(_ name: String, shape: [Int], floats: [Float]) {
        let bytes = floats.withUnsafeBufferPointer { Array(UnsafeRawBufferPointer($0)) }
        entries[name] = Entry(dtype: .f32, shape: shape, bytes: bytes)
    }

    /// Stores `int64s` of `shape` as I64 (counters, random-generator states; PyTorch reads them as `torch.int64`).
    public mutating func set(_ name: String, shape: [Int], int64s: [Int64]) {
        let bytes = int64s.withUnsafeBufferPointer { Array(UnsafeRawBufferPointer($0)) }
        entries[name] = Entry(dtype: .i64, shape: shape, bytes: bytes)
    }

    // MARK: reading values

    /// The tensor `name` as Float32 (F64/I64/I32/U8/F16/BF16 are converted).
    public func tensor(_ name: String) throws -> Tensor {
        guard let e = entries[name] else { throw SafeTensorsError.missingTensor(name) }
        return try Tensor.checked(shape: e.shape, storage: floats(of: e))
    }

    /// The elements of `name`, row-major, converted to Float32 whatever the stored type; throws
    /// ``SafeTensorsError/missingTensor(_:)`` when absent.
    public func floats(_ name: String) throws -> [Float] {
        guard let e = entries[name] else { throw SafeTensorsError.missingTensor(name) }
        return floats(of: e)
    }

    /// The elements of `name` as Int64: I64 and I32 exactly, floating types truncated toward zero.
    public func int64s(_ name: String) throws -> [Int64] {
        guard let e = entries[name] else { throw SafeTensorsError.missingTensor(name) }
        switch e.dtype {
        case .i64: return e.bytes.withUnsafeBytes { Array($0.bindMemory(to: Int64.self)) }
        case .i32: return e.bytes.withUnsafeBytes { $0.bindMemory(to: Int32.self).map(Int64.init) }
        default:
            // Float values must be integers in Int64's range: a hostile NaN or 1e30 must throw, not trap.
            return try floats(of: e).map { v in
                guard v.isFinite, v.rounded() == v, v >= -9.2e18, v <= 9.2e18 else {
                    throw SafeTensorsError.malformed("tensor '\(name)'", "value \(v) is not an integer")
                }
                return Int64(v)
            }
        }
    }

    func floats(of e: Entry) -> [Float] {
        e.bytes.withUnsafeBytes { raw -> [Float] in
            switch e.dtype {
            case .f32: return Array(raw.bindMemory(to: Float.self))
            case .f64: return raw.bindMemory(to: Double.self).map { Float($0) }
            case .i64: return raw.bindMemory(to: Int64.self).map { Float($0) }
            case .i32: return raw.bindMemory(to: Int32.self).map { Float($0) }
            case .u8: return raw.map { Float($0) }
            case .f16: return raw.bindMemory(to: UInt16.self).map { SafeTensors.halfToFloat(UInt16(littleEndian: $0)) }
            case .bf16: return raw.bindMemory(to: UInt16.self).map { Float(bitPattern: UInt32(UInt16(littleEndian: $0)) << 16) }
            }
        }
    }

    static func elementSize(_ d: DType) -> Int {
        switch d { case .f32, .i32: return 4; case .f64, .i64: return 8; case .u8: return 1; case .f16, .bf16: return 2 }
    }

    /// IEEE 754 binary16 bits → Float32 (exact: every half is a float), subnormals, ±∞ and NaN included.
    static func halfToFloat(_ h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = Int(h >> 10) & 0x1F, mantissa = UInt32(h & 0x03FF)
        switch exponent {
        case 0:   // zero or subnormal: mantissa · 2⁻²⁴
            let magnitude = Float(mantissa) * Float(sign: .plus, exponent: -24, significand: 1)
            return sign != 0 ? -magnitude : magnitude
        case 0x1F: return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13)
        default: return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | mantissa << 13)
        }
    }

    // MARK: serialisation

    /// The whole file: header length, JSON header (entries sorted by name, data offsets, `__metadata__`)
    /// padded with spaces to a multiple of 8 bytes, then every entry's bytes in the same order.
    public func serialized() throws -> [UInt8] {
        var header: [String: Any] = [:]
        var offset = 0
        let ordered = names
        for name in ordered {
            let e = entries[name]!
            header[name] = ["dtype": e.dtype.rawValue, "shape": e.shape, "data_offsets": [offset, offset + e.bytes.count]]
            offset += e.bytes.count
        }
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) } // pad with spaces, as the reference writer does
        var out = [UInt8]()
        out.reserveCapacity(8 + json.count + offset)
        var n = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &n) { out.append(contentsOf: $0) }
        out.append(contentsOf: json)
        for name in ordered { out.append(contentsOf: entries[name]!.bytes) }
        return out
    }

    /// Writes to `path` atomically (temporary file in the same folder, then rename).
    public func write(to path: String) throws {
        try writeFileAtomically(path, bytes: try serialized())
    }

    /// Parses a safetensors buffer; `source` names the file in error messages.
    public init(bytes: [UInt8], source: String = "<memory>") throws {
        guard bytes.count >= 8 else { throw SafeTensorsError.malformed(source, "file shorter than the 8-byte header length") }
        var n: UInt64 = 0
        for i in 0..<8 { n |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard n <= UInt64(bytes.count - 8) else {
            throw SafeTensorsError.malformed(source, "header length \(n) exceeds file size \(bytes.count)")
        }
        let headerEnd = 8 + Int(n)
        let json = Data(bytes[8..<headerEnd])
        guard let object = try? JSONSerialization.jsonObject(with: json), let header = object as? [String: Any] else {
            throw SafeTensorsError.malformed(source, "header is not a JSON object")
        }
        let dataSize = bytes.count - headerEnd
        var ranges: [(begin: Int, end: Int, name: String)] = []
        for (name, value) in header {
            if name == "__metadata__" {
                if let m = value as? [String: String] { metadata = m }
                continue
            }
            guard let info = value as? [String: Any],
                  let dtypeName = info["dtype"] as? String,
                  let shape = info["shape"] as? [Int],
                  let offsets = info["data_offsets"] as? [Int], offsets.count == 2 else {
                throw SafeTensorsError.malformed(source, "entry '\(name)' lacks dtype, shape or data_offsets")
            }
            guard let dtype = DType(rawValue: dtypeName) else {
                throw SafeTensorsError.malformed(source, "entry '\(name)' has unsupported dtype \(dtypeName)")
            }
            guard shape.allSatisfy({ $0 >= 0 }), offsets[0] >= 0, offsets[0] <= offsets[1], offsets[1] <= dataSize else {
                throw SafeTensorsError.malformed(source, "entry '\(name)' has offsets \(offsets) outside the \(dataSize) data bytes")
            }
            // Multiply with overflow checks: a hostile header must throw, not trap.
            var product: Int? = SafeTensors.elementSize(dtype)
            for d in shape {
                guard let p = product else { break }
                let (r, overflow) = p.multipliedReportingOverflow(by: d)
                product = overflow ? nil : r
            }
            guard let expected = product else {
                throw SafeTensorsError.malformed(source, "entry '\(name)' has shape \(shape) whose size overflows")
            }
            guard offsets[1] - offsets[0] == expected else {
                throw SafeTensorsError.malformed(source, "entry '\(name)' of shape \(shape) needs \(expected) bytes, has \(offsets[1] - offsets[0])")
            }
            ranges.append((offsets[0], offsets[1], name))
        }
        try SafeTensors.checkContiguous(ranges, dataSize: dataSize, source: source)
        for (begin, end, name) in ranges {
            let info = header[name] as! [String: Any]
            entries[name] = Entry(dtype: DType(rawValue: info["dtype"] as! String)!, shape: info["shape"] as! [Int],
                                  bytes: Array(bytes[(headerEnd + begin)..<(headerEnd + end)]))
        }
    }

    /// The reference implementation's rule (`safetensors` `Metadata::validate`): sorted by offsets,
    /// the tensors' byte ranges tile the data section exactly — each begins where the previous one
    /// ends (no overlap, no gap) and the last ends at the end of the file.
    static func checkContiguous(_ ranges: [(begin: Int, end: Int, name: String)], dataSize: Int, source: String) throws {
        let sorted = ranges.sorted { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        var position = 0, previous: String?
        for r in sorted {
            if r.begin < position {
                throw SafeTensorsError.malformed(source, "entry '\(r.name)' (bytes \(r.begin)..<\(r.end)) overlaps '\(previous ?? "")' (ends at \(position))")
            }
            if r.begin > position {
                throw SafeTensorsError.malformed(source, "gap in the data section: bytes \(position)..<\(r.begin) before entry '\(r.name)' belong to no tensor")
            }
            position = r.end; previous = r.name
        }
        guard position == dataSize else {
            throw SafeTensorsError.malformed(source, "the tensors cover \(position) of the \(dataSize) data bytes (the reference reader refuses trailing bytes)")
        }
    }

    /// Reads and parses a safetensors file.
    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw SafeTensorsError.unreadable(path) }
        try self.init(bytes: [UInt8](data), source: path)
    }
}

/// Why a safetensors file could not be read; descriptions name the file and the entry.
public enum SafeTensorsError: Error, CustomStringConvertible {
    /// The file at this path could not be read.
    case unreadable(String)
    /// (source, what is wrong): the header or an entry does not follow the format.
    case malformed(String, String)
    /// No tensor of this name in the file (a checkpoint of another model, or an older layout).
    case missingTensor(String)
    /// (path, reason): the file could not be written.
    case unwritable(String, String)

    public var description: String {
        switch self {
        case .unreadable(let p): return "\(p): cannot read file"
        case .malformed(let p, let why): return "\(p): not a valid safetensors file: \(why)"
        case .missingTensor(let n): return "safetensors: no tensor named '\(n)'"
        case .unwritable(let p, let why): return "\(p): cannot write file: \(why)"
        }
    }
}

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename, so a
/// reader never sees a half-written file.
public func writeFileAtomically(_ path: String, bytes: [UInt8]) throws {
    let url = URL(fileURLWithPath: path)
    let temp = url.deletingLastPathComponent()
        .appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
    do {
        try DurableFile.write(bytes, to: temp, sync: false)
        try DurableFile.rename(temp, to: path)
    } catch let error as FileWriteError {
        unlink(temp)
        throw FileWriteError(path: path, errno: error.code)
    }
}

/// Writes UTF-8 `text` to `path` atomically (temporary file in the same folder, then rename).
public func writeFileAtomically(_ path: String, text: String) throws {
    try writeFileAtomically(path, bytes: Array(text.utf8))
}
