import Foundation
import CImageCodecs

/// Reading and writing image files. Format is chosen by magic bytes when reading (PNG or JPEG)
/// and by the method name when writing. Writes are atomic (temporary file + rename).
extension PixelImage {
    /// Decodes PNG or JPEG bytes, chosen by their magic bytes. `channels` (1 or 3) forces grey/RGB;
    /// nil keeps PNG's natural grey/RGB and decodes JPEG greyscale files as grey, others as RGB.
    public init(encoded bytes: [UInt8], source: String, channels: Int? = nil) throws {
        if PNGCodec.hasSignature(bytes) {
            self = try PNGCodec.decode(bytes, source: source, channels: channels)
        } else if JPEGCodec.hasSignature(bytes) {
            self = try JPEGCodec.decode(bytes, source: source, channels: channels ?? (JPEGCodec.isGreyscale(bytes) ? 1 : 3))
        } else {
            let head = bytes.prefix(8).map { String(format: "%02x", $0) }.joined(separator: " ")
            throw ImagingError.unsupportedFormat(source: source,
                                                 reason: "not PNG or JPEG (first bytes: \(head.isEmpty ? "none, file is empty" : head))")
        }
    }

    /// Reads a PNG or JPEG file (see ``init(encoded:source:channels:)``).
    public init(contentsOfFile path: String, channels: Int? = nil) throws {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ImagingError.fileAccess(path: path, reason: "could not read: \(error.localizedDescription)")
        }
        try self.init(encoded: [UInt8](data), source: path, channels: channels)
    }

    /// PNG bytes of this image.
    public func pngData() throws -> [UInt8] { try PNGCodec.encode(self) }

    /// Writes this image as PNG, atomically.
    public func writePNG(to path: String) throws {
        try AtomicFileWriter.write(try PNGCodec.encode(self), to: path)
    }

    /// Writes this image as JPEG (`quality` 1…100), atomically.
    public func writeJPEG(to path: String, quality: Int = 90) throws {
        try AtomicFileWriter.write(try JPEGCodec.encode(self, quality: quality), to: path)
    }
}

extension JPEGCodec {
    /// True when the JPEG header declares a greyscale image (false when the header cannot be read).
    public static func isGreyscale(_ bytes: [UInt8]) -> Bool {
        guard let handle = tjInitDecompress() else { return false }
        defer { tjDestroy(handle) }
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
        let status = bytes.withUnsafeBufferPointer { buffer in
            tjDecompressHeader3(handle, buffer.baseAddress, UInt(buffer.count), &width, &height, &subsampling, &colorspace)
        }
        return status == 0 && colorspace == Int32(TJCS_GRAY.rawValue)
    }
}
