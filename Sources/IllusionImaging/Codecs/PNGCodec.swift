import CImageCodecs

/// PNG encode/decode through libpng's "simplified" API (`png_image_*`), which reports errors
/// through return codes and `png_image.message` instead of setjmp/longjmp, so it is safe to call from Swift
/// and from several threads at once (each call has its own `png_image`).
public enum PNGCodec {
    /// The 8-byte PNG signature.
    public static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Largest decoded image accepted, in bytes of output (guards against decompression bombs).
    public static let maximumDecodedBytes = 1 << 30

    /// True when `bytes` start with the PNG signature.
    public static func hasSignature(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 8 && Array(bytes[0..<8]) == signature
    }

    /// Encodes an 8-bit grey (1), RGB (3) or RGBA (4) image as PNG bytes.
    public static func encode(_ image: PixelImage) throws -> [UInt8] {
        guard image.width > 0, image.height > 0 else {
            throw ImagingError.encodeFailed(format: "PNG", reason: "image is empty (\(image.width)x\(image.height))")
        }
        guard image.width <= Int(Int32.max) / image.channels, image.height <= Int(Int32.max) else {
            throw ImagingError.encodeFailed(format: "PNG", reason: "image \(image.width)x\(image.height) is too large")
        }
        var control = png_image()
        control.version = png_uint_32(PNG_IMAGE_VERSION)
        control.width = png_uint_32(image.width)
        control.height = png_uint_32(image.height)
        switch image.channels {
        case 1: control.format = 0
        case 3: control.format = png_uint_32(PNG_FORMAT_FLAG_COLOR)
        default: control.format = png_uint_32(PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA)
        }
        let stride = png_int_32(image.width * image.channels)
        return try image.pixels.withUnsafeBytes { source -> [UInt8] in
            var size: png_alloc_size_t = 0
            // First pass: ask for the required size.
            guard png_image_write_to_memory(&control, nil, &size, 0, source.baseAddress, stride, nil) != 0 else {
                defer { png_image_free(&control) }
                throw ImagingError.encodeFailed(format: "PNG", reason: message(of: control))
            }
            var output = [UInt8](repeating: 0, count: Int(size))
            let ok = output.withUnsafeMutableBytes { destination in
                png_image_write_to_memory(&control, destination.baseAddress, &size, 0, source.baseAddress, stride, nil)
            }
            defer { png_image_free(&control) }
            guard ok != 0 else { throw ImagingError.encodeFailed(format: "PNG", reason: message(of: control)) }
            return Array(output.prefix(Int(size)))
        }
    }

    /// Decodes PNG bytes into an 8-bit image.
    ///
    /// - Parameters:
    ///   - source: a name for error messages (usually the file path).
    ///   - channels: 1 or 3 to force grey or RGB; nil keeps grey files grey and makes everything else RGB.
    ///   - background: the colour that transparent pixels are composited onto (alpha is always removed).
    /// Palette, grey+alpha, RGBA and 16-bit files are converted; 16-bit samples are taken as sRGB-encoded.
    public static func decode(_ bytes: [UInt8], source: String, channels: Int? = nil,
                              background: RGBColor = .white) throws -> PixelImage {
        if let channels, channels != 1, channels != 3 {
            throw ImagingError.invalidArgument("PNG decode of '\(source)': channels must be 1 or 3, got \(channels)")
        }
        guard hasSignature(bytes) else {
            throw ImagingError.decodeFailed(format: "PNG", source: source, reason: "missing PNG signature")
        }
        var control = png_image()
        control.version = png_uint_32(PNG_IMAGE_VERSION)
        defer { png_image_free(&control) }
        let began = bytes.withUnsafeBytes { buffer in
            png_image_begin_read_from_memory(&control, buffer.baseAddress, buffer.count)
        }
        guard began != 0 else {
            throw ImagingError.decodeFailed(format: "PNG", source: source, reason: message(of: control))
        }
        control.flags |= png_uint_32(PNG_IMAGE_FLAG_16BIT_sRGB)
        let isColor = (control.format & png_uint_32(PNG_FORMAT_FLAG_COLOR)) != 0
        let outChannels = channels ?? (isColor ? 3 : 1)
        control.format = outChannels == 3 ? png_uint_32(PNG_FORMAT_FLAG_COLOR) : 0
        let width = Int(control.width), height = Int(control.height)
        try ImageDecodeLimits.check(width: width, height: height, format: "PNG", source: source)
        let (count, overflow) = (width * height).multipliedReportingOverflow(by: outChannels)
        guard width > 0, height > 0, !overflow, count <= maximumDecodedBytes else {
            throw ImagingError.decodeFailed(format: "PNG", source: source,
                                            reason: "image size \(width)x\(height) is empty or too large")
        }
        var pixels = [UInt8](repeating: 0, count: count)
        var backdrop = png_color(red: background.red, green: background.green, blue: background.blue)
        let finished = pixels.withUnsafeMutableBytes { destination in
            png_image_finish_read(&control, &backdrop, destination.baseAddress, png_int_32(width * outChannels), nil)
        }
        guard finished != 0 else {
            throw ImagingError.decodeFailed(format: "PNG", source: source, reason: message(of: control))
        }
        return try PixelImage(width: width, height: height, channels: outChannels, pixels: pixels)
    }

    private static func message(of control: png_image) -> String {
        var copy = control.message
        let text = withUnsafeBytes(of: &copy) { raw -> String in
            let bytes = raw.prefix(while: { $0 != 0 })
            return String(decoding: bytes, as: UTF8.self)
        }
        return text.isEmpty ? "libpng reported an error" : text
    }
}
