import XCTest
@testable import IllusionImaging

/// Decoding PNG colour types that we never write ourselves (hand-made files, base64-embedded).
final class PNGVariantDecodingTests: XCTestCase {
    private func bytes(_ base64: String) -> [UInt8] { [UInt8](Data(base64Encoded: base64)!) }

    func testPaletteDecodesToRGB() throws {
        // 2×2 palette image: red, green / blue, white.
        let image = try PNGCodec.decode(bytes("iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAMAAABFaP0WAAAADFBMVEX/AAAA/wAAAP/////7AGD2AAAADklEQVR4nGNgYGRgYgYAABEAB56iKhIAAAAASUVORK5CYII="),
                                      source: "palette.png")
        XCTAssertEqual(image.channels, 3)
        XCTAssertEqual(image.pixels, [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255])
    }

    func test16BitRGBIsScaledTo8Bit() throws {
        // 2×1, 16-bit: (FFFF, 0000, 8080), (2020, 4040, 0000).
        let image = try PNGCodec.decode(bytes("iVBORw0KGgoAAAANSUhEUgAAAAIAAAABEAIAAAAr0DSeAAAAFUlEQVR4nGP4/5+BoaFBQcHBgYEBACGWA79xTf9kAAAAAElFTkSuQmCC"),
                                      source: "rgb16.png")
        XCTAssertEqual(image.pixels, [255, 0, 128, 32, 64, 0])
    }

    func testGreyAlphaIsCompositedAndStaysGrey() throws {
        // 2×1 grey+alpha: (100, opaque), (0, transparent).
        let data = bytes("iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAQAAABeK7cBAAAADUlEQVR4nGNI+c/AAAAEkgFk+HFJ+wAAAABJRU5ErkJggg==")
        let onWhite = try PNGCodec.decode(data, source: "ga.png")
        XCTAssertEqual(onWhite.channels, 1)
        XCTAssertEqual(onWhite.pixels, [100, 255])
        let onBlack = try PNGCodec.decode(data, source: "ga.png", background: .black)
        XCTAssertEqual(onBlack.pixels, [100, 0])
    }
}
