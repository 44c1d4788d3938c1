import XCTest
import Foundation
@testable import IllusionImaging

/// Crafted hostile files: huge sizes claimed by tiny files are refused from the header, before any
/// pixel buffer is allocated; truncated scan data is an error naming the file, never grey-filled.
final class HostileImageTests: XCTestCase {
    /// A noisy RGB image (compresses badly, so truncation cuts into the scan data).
    static func noise(_ side: Int) -> PixelImage {
        var state: UInt32 = 12345
        let pixels = (0..<(side * side * 3)).map { _ -> UInt8 in state = state &* 1_664_525 &+ 1_013_904_223; return UInt8(state >> 24) }
        return try! PixelImage(width: side, height: side, channels: 3, pixels: pixels)
    }

    /// A JPEG whose SOF0 frame header says 18000×18000 (the scan data is an 8×8 image's).
    static func jpegClaiming18000() throws -> [UInt8] {
        var bytes = try JPEGCodec.encode(TestImages.smoothRGB(width: 8, height: 8), quality: 50)
        let sof = try XCTUnwrap((0..<(bytes.count - 1)).first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xC0 })
        // FF C0, length (2), precision (1), height (2), width (2)
        bytes[sof + 5] = 0x46; bytes[sof + 6] = 0x50; bytes[sof + 7] = 0x46; bytes[sof + 8] = 0x50
        return bytes
    }

    static func crc(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes { c ^= UInt32(b); for _ in 0..<8 { c = (c >> 1) ^ (0xEDB8_8320 & (0 &- (c & 1))) } }
        return ~c
    }

    /// A PNG whose IHDR says 18000×18000 (with a correct CRC, so only the size gives it away).
    static func pngClaiming18000() throws -> [UInt8] {
        var bytes = try PNGCodec.encode(TestImages.smoothRGB(width: 8, height: 8))
        // signature (8), IHDR length (4), "IHDR" (4) at 12, width at 16, height at 20, CRC at 29.
        for offset in [16, 20] { bytes.replaceSubrange(offset..<(offset + 4), with: [0, 0, 0x46, 0x50]) }
        let c = crc(bytes[12..<29])
        bytes.replaceSubrange(29..<33, with: [UInt8(c >> 24), UInt8((c >> 16) & 0xFF), UInt8((c >> 8) & 0xFF), UInt8(c & 0xFF)])
        return bytes
    }

    func assertRefused(_ bytes: [UInt8], _ fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try PixelImage(encoded: bytes, source: "hostile.img", channels: 3), file: file, line: line) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("hostile.img") && text.contains(fragment), text, file: file, line: line)
        }
    }

    func testTinyFilesClaimingHugeSizesAreRefusedFromTheHeader() throws {
        let jpeg = try Self.jpegClaiming18000()
        XCTAssertLessThan(jpeg.count, 800)
        assertRefused(jpeg, "header claims 18000x18000 pixels, above the limit of 100000000")
        let png = try Self.pngClaiming18000()
        assertRefused(png, "header claims 18000x18000 pixels, above the limit of 100000000")
    }

    func testThePixelLimitCanBeLowered() throws {
        let saved = ImageDecodeLimits.maximumPixels
        defer { ImageDecodeLimits.maximumPixels = saved }
        let png = try PNGCodec.encode(TestImages.smoothRGB(width: 16, height: 16))
        XCTAssertNoThrow(try PixelImage(encoded: png, source: "ok.png", channels: 3))
        ImageDecodeLimits.maximumPixels = 255
        assertRefused(png, "above the limit of 255")
        ImageDecodeLimits.maximumPixels = 256
        XCTAssertNoThrow(try PixelImage(encoded: png, source: "ok.png", channels: 3))
    }

    func testTruncatedJPEGScanDataIsAnError() throws {
        let jpeg = try JPEGCodec.encode(Self.noise(64), quality: 90)
        XCTAssertNoThrow(try PixelImage(encoded: jpeg, source: "whole.jpg", channels: 3))
        for fraction in [0.3, 0.6, 0.95] {
            assertRefused(Array(jpeg.prefix(Int(Double(jpeg.count) * fraction))), "truncated or corrupt data")
        }
        // Corrupt scan bytes in the middle (length kept).
        var corrupt = jpeg
        for i in stride(from: jpeg.count / 2, to: jpeg.count / 2 + 64, by: 1) { corrupt[i] = 0xFF }
        assertRefused(corrupt, "JPEG")
    }

    func testTruncatedPNGIsAnError() throws {
        let png = try PNGCodec.encode(Self.noise(64))
        XCTAssertNoThrow(try PixelImage(encoded: png, source: "whole.png", channels: 3))
        for fraction in [0.3, 0.6, 0.95, 0.999] {
            assertRefused(Array(png.prefix(Int(Double(png.count) * fraction))), "PNG")
        }
    }
}
