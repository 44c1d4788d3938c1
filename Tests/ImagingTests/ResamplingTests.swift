import XCTest
@testable import IllusionImaging

final class ResamplingTests: XCTestCase {
    /// 4×4 grey image with values 0…15 ×10 (row-major).
    private func grid4x4() throws -> PixelImage {
        try PixelImage(width: 4, height: 4, channels: 1, pixels: (0..<16).map { UInt8($0 * 10) })
    }

    func testCropGeometry() throws {
        let image = try grid4x4()
        let crop = try image.cropped(x: 1, y: 2, width: 2, height: 2)
        XCTAssertEqual(crop.width, 2)
        XCTAssertEqual(crop.height, 2)
        XCTAssertEqual(crop.pixels, [90, 100, 130, 140])
        let centre = try image.centerCropped(size: 2)
        XCTAssertEqual(centre.pixels, [50, 60, 90, 100])
        let rgb = TestImages.rgbGradient(width: 178, height: 218)
        let face = try rgb.centerCropped(size: 140)
        XCTAssertEqual(face.width, 140)
        XCTAssertEqual(face.color(x: 0, y: 0), rgb.color(x: 19, y: 39))
    }

    func testCropOutOfBoundsThrows() throws {
        let image = try grid4x4()
        XCTAssertThrowsError(try image.cropped(x: 3, y: 0, width: 2, height: 1))
        XCTAssertThrowsError(try image.cropped(x: -1, y: 0, width: 2, height: 1))
        XCTAssertThrowsError(try image.cropped(x: 0, y: 0, width: 0, height: 1))
        XCTAssertThrowsError(try image.centerCropped(size: 5))
    }

    func testAreaAveragingGivesBlockMeans() throws {
        let image = try grid4x4()
        let small = try image.resized(width: 2, height: 2)
        // Block means: (0+10+40+50)/4 = 25, (20+30+60+70)/4 = 45, (80+90+120+130)/4 = 105, 125.
        XCTAssertEqual(small.pixels, [25, 45, 105, 125])
        let one = try image.resized(width: 1, height: 1)
        XCTAssertEqual(one.pixels, [75])
    }

    func testNonIntegerShrinkWeights() throws {
        // 3 → 2 pixels: outputs cover [0,1.5) and [1.5,3): (a + b/2)/1.5 and (b/2 + c)/1.5.
        let row = try PixelImage(width: 3, height: 1, channels: 1, pixels: [0, 90, 180])
        XCTAssertEqual(try row.resized(width: 2, height: 1).pixels, [30, 150])
    }

    func testBilinearEnlargement() throws {
        let row = try PixelImage(width: 2, height: 1, channels: 1, pixels: [0, 200])
        // Output centres at source positions -0.25, 0.25, 0.75, 1.25 → clamped/interpolated.
        XCTAssertEqual(try row.resized(width: 4, height: 1).pixels, [0, 50, 150, 200])
        let rgb = TestImages.rgbGradient(width: 5, height: 4)
        let big = try rgb.resized(width: 10, height: 8)
        XCTAssertEqual(big.channels, 3)
        XCTAssertEqual(big.color(x: 0, y: 0), rgb.color(x: 0, y: 0))
        XCTAssertEqual(big.color(x: 9, y: 7), rgb.color(x: 4, y: 3))
    }

    func testResizeInvalidTargetThrows() throws {
        XCTAssertThrowsError(try grid4x4().resized(width: 0, height: 2))
    }

    func testScaledUp() throws {
        let image = try PixelImage(width: 2, height: 1, channels: 1, pixels: [1, 2])
        XCTAssertEqual(try image.scaledUp(by: 2).pixels, [1, 1, 2, 2, 1, 1, 2, 2])
    }
}
