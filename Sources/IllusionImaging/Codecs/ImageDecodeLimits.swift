import Foundation

/// The pixel-count limit checked from a PNG/JPEG header before any pixel is decoded, so a small
/// hostile file claiming 18,000 × 18,000 pixels (≈ 1 GB decoded) is refused at once.
///
/// Default 100,000,000 pixels (100 Mpixel: every camera photo and every dataset image fits);
/// the environment variable `ILLUSION_MAX_IMAGE_PIXELS` overrides it at start-up, and code may set
/// ``maximumPixels`` directly.
public enum ImageDecodeLimits {
    public static let defaultMaximumPixels = 100_000_000

    nonisolated(unsafe) public static var maximumPixels: Int = {
        if let text = ProcessInfo.processInfo.environment["ILLUSION_MAX_IMAGE_PIXELS"], let n = Int(text), n > 0 { return n }
        return defaultMaximumPixels
    }()

    /// Throws unless `width`×`height` is positive and within ``maximumPixels``.
    static func check(width: Int, height: Int, format: String, source: String) throws {
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        guard width > 0, height > 0 else {
            throw ImagingError.decodeFailed(format: format, source: source, reason: "image size \(width)x\(height) is empty")
        }
        guard !overflow, pixels <= maximumPixels else {
            throw ImagingError.decodeFailed(format: format, source: source,
                reason: "header claims \(width)x\(height) pixels, above the limit of \(maximumPixels) (set ILLUSION_MAX_IMAGE_PIXELS to raise it)")
        }
    }
}
