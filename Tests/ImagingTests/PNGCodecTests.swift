import XCTest
@testable import IllusionImaging

final class PNGCodecTests: XCTestCase {
    func testGreyRoundTripIsExact() throws {
        let image = TestImages.greyRamp(width: 13, height: 7)
        let bytes = try PNGCodec.encode(image)
        XCTAssertEqual(Array(bytes.prefix(8)), PNGCodec.signature)
        let decoded = try PNGCodec.decode(bytes, source: "grey.png")
        XCTAssertEqual(decoded.channels, 1)
        XCTAssertEqual(decoded, image)
    }

    func testRGBRoundTripIsExact() throws {
        let image = TestImages.rgbGradient(width: 17, height: 9)
        let decoded = try PNGCodec.decode(try PNGCodec.encode(image), source: "rgb.png")
        XCTAssertEqual(decoded.width, 17)
        XCTAssertEqual(decoded.height, 9)
        XCTAssertEqual(decoded.channels, 3)
        XCTAssertEqual(decoded.pixels, image.pixels)
    }

    func testRGBAIsCompositedOntoBackground() throws {
        // Two pixels: opaque red, fully transparent green.
        let image = try PixelImage(width: 2, height: 1, channels: 4, pixels: [255, 0, 0, 255, 0, 255, 0, 0])
        let decoded = try PNGCodec.decode(try PNGCodec.encode(image), source: "alpha.png", background: .white)
        XCTAssertEqual(decoded.channels, 3)
        XCTAssertEqual(decoded.pixels, [255, 0, 0, 255, 255, 255])
    }

    func testForcedChannelConversion() throws {
        let grey = TestImages.greyRamp(width: 4, height: 4)
        let asRGB = try PNGCodec.decode(try PNGCodec.encode(grey), source: "g.png", channels: 3)
        XCTAssertEqual(asRGB.channels, 3)
        XCTAssertEqual(asRGB.color(x: 2, y: 1), RGBColor(grey: grey.pixels[6]))
        let white = PixelImage(width: 3, height: 2, channels: 3, fill: .white)
        let asGrey = try PNGCodec.decode(try PNGCodec.encode(white), source: "w.png", channels: 1)
        XCTAssertEqual(asGrey.pixels, [UInt8](repeating: 255, count: 6))
    }

    func testTruncatedBufferThrowsNamingSource() throws {
        let bytes = try PNGCodec.encode(TestImages.rgbGradient(width: 32, height: 32))
        for cut in [4, 20, 40, bytes.count / 2, bytes.count - 13] {
            XCTAssertThrowsError(try PNGCodec.decode(Array(bytes.prefix(cut)), source: "broken/file.png")) { error in
                XCTAssertTrue(String(describing: error).contains("broken/file.png"), "\(error)")
            }
        }
    }

    func testCorruptDataThrows() throws {
        var bytes = try PNGCodec.encode(TestImages.rgbGradient(width: 32, height: 32))
        for i in 40..<min(bytes.count - 12, 140) { bytes[i] ^= 0x5A }
        XCTAssertThrowsError(try PNGCodec.decode(bytes, source: "corrupt.png")) { error in
            XCTAssertTrue(String(describing: error).contains("corrupt.png"))
        }
        XCTAssertThrowsError(try PNGCodec.decode([], source: "empty.png"))
        XCTAssertThrowsError(try PNGCodec.decode([UInt8](repeating: 0, count: 100), source: "zeros.png"))
    }

    func testEmptyImageEncodeThrows() {
        XCTAssertThrowsError(try PNGCodec.encode(PixelImage(width: 0, height: 5)))
    }

    func testFileRoundTripAndMagicDispatch() throws {
        let directory = TestImages.scratchDirectory("png")
        let path = directory + "/image.png"
        let image = TestImages.rgbGradient(width: 8, height: 5)
        try image.writePNG(to: path)
        XCTAssertEqual(try PixelImage(contentsOfFile: path), image)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["image.png"])
        try Data("hello".utf8).write(to: URL(fileURLWithPath: directory + "/text.png"))
        XCTAssertThrowsError(try PixelImage(contentsOfFile: directory + "/text.png")) { error in
            XCTAssertTrue(String(describing: error).contains("text.png"))
        }
        XCTAssertThrowsError(try PixelImage(contentsOfFile: directory + "/missing.png")) { error in
            XCTAssertTrue(String(describing: error).contains("missing.png"))
        }
    }
}
