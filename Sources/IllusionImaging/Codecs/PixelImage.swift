/// An 8-bit raster image with interleaved channels.
///
/// Layout: `pixels[(y * width + x) * channels + c]`, rows top to bottom (HWC).
/// `channels` is 1 (grey), 3 (RGB) or 4 (RGBA, used internally and by PNG encode).
public struct PixelImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public let channels: Int
    /// Interleaved samples, `width * height * channels` bytes.
    public var pixels: [UInt8]

    /// Channel counts this type accepts.
    public static let supportedChannelCounts: Set<Int> = [1, 3, 4]

    /// Wraps existing interleaved pixels; throws when the count does not match `width * height * channels`.
    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) throws {
        guard width >= 0, height >= 0 else {
            throw ImagingError.invalidArgument("PixelImage size \(width)x\(height) is negative")
        }
        guard Self.supportedChannelCounts.contains(channels) else {
            throw ImagingError.invalidArgument("PixelImage channels must be 1, 3 or 4, got \(channels)")
        }
        let (count, overflow) = width.multipliedReportingOverflow(by: height)
        guard !overflow, count.multipliedReportingOverflow(by: channels).overflow == false,
              count * channels == pixels.count else {
            throw ImagingError.invalidArgument(
                "PixelImage \(width)x\(height)x\(channels) needs \(width * height * channels) bytes, got \(pixels.count)")
        }
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// A uniform image. Negative sizes become 0; `channels` outside {1, 3, 4} becomes 3.
    /// For grey images the colour's luma is used; RGBA images are opaque.
    public init(width: Int, height: Int, channels: Int = 3, fill: RGBColor = .black) {
        self.width = Swift.max(0, width)
        self.height = Swift.max(0, height)
        self.channels = Self.supportedChannelCounts.contains(channels) ? channels : 3
        let sample: [UInt8]
        switch self.channels {
        case 1: sample = [UInt8(fill.luma.rounded())]
        case 3: sample = [fill.red, fill.green, fill.blue]
        default: sample = [fill.red, fill.green, fill.blue, 255]
        }
        var pixels = [UInt8](repeating: 0, count: self.width * self.height * self.channels)
        if sample.count == 1 {
            pixels = [UInt8](repeating: sample[0], count: pixels.count)
        } else {
            for i in stride(from: 0, to: pixels.count, by: sample.count) {
                for c in 0..<sample.count { pixels[i + c] = sample[c] }
            }
        }
        self.pixels = pixels
    }

    /// Number of pixels (`width * height`).
    public var pixelCount: Int { width * height }

    /// The colour at (x, y) (grey is replicated, alpha ignored), or nil outside the image.
    public func color(x: Int, y: Int) -> RGBColor? {
        guard x >= 0, y >= 0, x < width, y < height else { return nil }
        let i = (y * width + x) * channels
        if channels == 1 { return RGBColor(grey: pixels[i]) }
        return RGBColor(red: pixels[i], green: pixels[i + 1], blue: pixels[i + 2])
    }

    /// Sets the pixel at (x, y) to an opaque colour; coordinates outside the image are ignored.
    public mutating func setColor(_ color: RGBColor, x: Int, y: Int) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let i = (y * width + x) * channels
        switch channels {
        case 1: pixels[i] = UInt8(color.luma.rounded())
        default:
            pixels[i] = color.red
            pixels[i + 1] = color.green
            pixels[i + 2] = color.blue
            if channels == 4 { pixels[i + 3] = 255 }
        }
    }

    /// The same picture with `channels` 1 (Rec. 601 luma), 3 (grey replicated, alpha dropped) or 4 (opaque alpha added).
    public func converted(toChannels target: Int) throws -> PixelImage {
        guard Self.supportedChannelCounts.contains(target) else {
            throw ImagingError.invalidArgument("cannot convert image to \(target) channels (use 1, 3 or 4)")
        }
        if target == channels { return self }
        var out = [UInt8](repeating: 255, count: pixelCount * target)
        for p in 0..<pixelCount {
            let s = p * channels, d = p * target
            if target == 1 {
                let r = Double(pixels[s]), g = Double(pixels[s + 1]), b = Double(pixels[s + 2])
                out[d] = UInt8(Swift.min(255, (0.299 * r + 0.587 * g + 0.114 * b).rounded()))
            } else if channels == 1 {
                out[d] = pixels[s]; out[d + 1] = pixels[s]; out[d + 2] = pixels[s]
            } else {
                out[d] = pixels[s]; out[d + 1] = pixels[s + 1]; out[d + 2] = pixels[s + 2]
            }
        }
        return try PixelImage(width: width, height: height, channels: target, pixels: out)
    }
}
