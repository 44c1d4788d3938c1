import CImageCodecs

/// JPEG encode/decode through libturbojpeg (TurboJPEG 2 API: `tjInitDecompress`, `tjDecompressHeader3`,
/// `tjDecompress2`, `tjCompress2`). Every call creates and destroys its own handle, so the functions
/// may be called from several threads at once. Error text comes from `tjGetErrorStr2(handle)`.
public enum JPEGCodec {
    /// Largest decoded image accepted, in bytes of output.
    public static let maximumDecodedBytes = 1 << 30

    /// True when `bytes` start with a JPEG start-of-image marker followed by another marker (`FF D8 FF`).
    public static func hasSignature(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF
    }

    /// Decodes JPEG bytes into an 8-bit grey (`channels: 1`) or RGB (`channels: 3`) image.
    ///
    /// The size in the header is checked against ``ImageDecodeLimits`` before decoding. libjpeg's
    /// warnings are errors here (`TJFLAG_STOPONWARNING`): a truncated or corrupt scan ("Premature end of
    /// JPEG file", "Corrupt JPEG data: …") would otherwise be grey-filled without a word.
    public static func decode(_ bytes: [UInt8], source: String, channels: Int = 3) throws -> PixelImage {
        guard channels == 1 || channels == 3 else {
            throw ImagingError.invalidArgument("JPEG decode of '\(source)': channels must be 1 or 3, got \(channels)")
        }
        guard hasSignature(bytes) else {
            throw ImagingError.decodeFailed(format: "JPEG", source: source, reason: "missing JPEG start-of-image marker")
        }
        guard bytes.count <= Int(UInt32.max) else {
            throw ImagingError.decodeFailed(format: "JPEG", source: source, reason: "buffer too large")
        }
        guard let handle = tjInitDecompress() else {
            throw ImagingError.decodeFailed(format: "JPEG", source: source, reason: "could not create a TurboJPEG decompressor")
        }
        defer { tjDestroy(handle) }
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
        let header = bytes.withUnsafeBufferPointer { buffer in
            tjDecompressHeader3(handle, buffer.baseAddress, UInt(buffer.count), &width, &height, &subsampling, &colorspace)
        }
        guard header == 0 else {
            throw ImagingError.decodeFailed(format: "JPEG", source: source, reason: errorText(handle))
        }
        try ImageDecodeLimits.check(width: Int(width), height: Int(height), format: "JPEG", source: source)
        let (count, overflow) = (Int(width) * Int(height)).multipliedReportingOverflow(by: channels)
        guard width > 0, height > 0, !overflow, count <= maximumDecodedBytes else {
            throw ImagingError.decodeFailed(format: "JPEG", source: source,
                                            reason: "image size \(width)x\(height) is empty or too large")
        }
        var pixels = [UInt8](repeating: 0, count: count)
        let format = Int32(channels == 1 ? TJPF_GRAY.rawValue : TJPF_RGB.rawValue)
        let status = bytes.withUnsafeBufferPointer { buffer in
            pixels.withUnsafeMutableBufferPointer { destination in
                tjDecompress2(handle, buffer.baseAddress, UInt(buffer.count), destination.baseAddress,
                              width, width * Int32(channels), height, format, TJFLAG_ACCURATEDCT | TJFLAG_STOPONWARNING)
            }
        }
        if status != 0 {
            let corrupt = tjGetErrorCode(handle) == Int32(TJERR_WARNING.rawValue)
            throw ImagingError.decodeFailed(format: "JPEG", source: source,
                                            reason: (corrupt ? "truncated or corrupt data: " : "") + errorText(handle))
        }
        return try PixelImage(width: Int(width), height: Int(height), channels: channels, pixels: pixels)
    }

    /// Encodes a grey (1) or RGB (3) image as baseline JPEG; RGBA input has its alpha dropped.
    /// `quality` is 1…100; colour images use 4:4:4 chroma (no subsampling) for fidelity.
    public static func encode(_ image: PixelImage, quality: Int = 90) throws -> [UInt8] {
        guard (1...100).contains(quality) else {
            throw ImagingError.invalidArgument("JPEG quality must be in 1...100, got \(quality)")
        }
        guard image.width > 0, image.height > 0, image.width < 65_500, image.height < 65_500 else {
            throw ImagingError.encodeFailed(format: "JPEG", reason: "image size \(image.width)x\(image.height) is not encodable")
        }
        let source = image.channels == 4 ? try image.converted(toChannels: 3) : image
        guard let handle = tjInitCompress() else {
            throw ImagingError.encodeFailed(format: "JPEG", reason: "could not create a TurboJPEG compressor")
        }
        defer { tjDestroy(handle) }
        let grey = source.channels == 1
        let format = Int32(grey ? TJPF_GRAY.rawValue : TJPF_RGB.rawValue)
        let sampling = Int32(grey ? TJSAMP_GRAY.rawValue : TJSAMP_444.rawValue)
        var output: UnsafeMutablePointer<UInt8>? = nil
        var size: UInt = 0
        let status = source.pixels.withUnsafeBufferPointer { buffer in
            tjCompress2(handle, buffer.baseAddress, Int32(source.width), Int32(source.width * source.channels),
                        Int32(source.height), format, &output, &size, sampling, Int32(quality), TJFLAG_ACCURATEDCT)
        }
        defer { if let output { tjFree(output) } }
        guard status == 0, let output else {
            throw ImagingError.encodeFailed(format: "JPEG", reason: errorText(handle))
        }
        return Array(UnsafeBufferPointer(start: output, count: Int(size)))
    }

    private static func errorText(_ handle: tjhandle) -> String {
        guard let text = tjGetErrorStr2(handle) else { return "libturbojpeg reported an error" }
        return String(cString: text)
    }
}
