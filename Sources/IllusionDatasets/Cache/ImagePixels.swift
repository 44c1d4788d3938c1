/// Where an ``ImageDataset``'s bytes live: an array in memory, or records of a memory-mapped
/// decoded-image cache (``MappedImageFile``), `rows[i]` being the stored image that dataset image
/// `i` is (subsets and splits of a mapped set are views, they copy no pixels).
public enum ImagePixels {
    /// `[count, C, H, W]` bytes.
    case memory([UInt8])
    /// Dataset image `i` is record `rows[i]` of `file`.
    case mapped(MappedImageFile, rows: [Int])

    /// The mapped file, if any.
    public var mappedFile: MappedImageFile? {
        if case let .mapped(file, _) = self { return file }
        return nil
    }

    /// These pixels for dataset images `indices`, in that order (a view when mapped).
    func subset(_ indices: [Int], imageSize size: Int) -> ImagePixels {
        switch self {
        case let .memory(bytes):
            var out = [UInt8](); out.reserveCapacity(indices.count * size)
            for i in indices { out.append(contentsOf: bytes[i * size ..< (i + 1) * size]) }
            return .memory(out)
        case let .mapped(file, rows):
            return .mapped(file, rows: indices.map { rows[$0] })
        }
    }

    /// Calls `body(b, bytes)` for each `(b, indices[b])` with the bytes of that image (for a mapped
    /// file, copied from the page cache or taken from a prefetched batch, see
    /// ``MappedImageFile/withRecords(_:_:)``: the process's resident size does not grow with the file).
    func forEachImage(_ indices: [Int], imageSize size: Int, count: Int,
                      _ body: (Int, UnsafeBufferPointer<UInt8>) -> Void) {
        switch self {
        case let .memory(bytes):
            bytes.withUnsafeBufferPointer { src in
                for (b, i) in indices.enumerated() {
                    require(i >= 0 && i < count, "ImageDataset: index \(i) out of 0..<\(count)")
                    body(b, UnsafeBufferPointer(rebasing: src[i * size ..< (i + 1) * size]))
                }
            }
        case let .mapped(file, rows):
            let records = indices.map { i -> Int in
                require(i >= 0 && i < count, "ImageDataset: index \(i) out of 0..<\(count)")
                return rows[i]
            }
            file.withRecords(records, body)
        }
    }

    /// All bytes, `[count, C, H, W]` (a copy of the whole file when mapped).
    func allBytes(count: Int, imageSize size: Int) -> [UInt8] {
        switch self {
        case let .memory(bytes): return bytes
        case .mapped:
            var out = [UInt8](repeating: 0, count: count * size)
            out.withUnsafeMutableBufferPointer { dst in
                forEachImage(Array(0..<count), imageSize: size, count: count) { b, src in
                    _ = UnsafeMutableBufferPointer(rebasing: dst[b * size ..< (b + 1) * size]).initialize(from: src)
                }
            }
            return out
        }
    }
}
