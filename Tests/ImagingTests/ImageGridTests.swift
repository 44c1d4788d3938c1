import XCTest
@testable import IllusionImaging

final class ImageGridTests: XCTestCase {
    func testGridDimensionsAndPadding() throws {
        let tiles = (0..<5).map { i in PixelImage(width: 4, height: 3, channels: 1, fill: RGBColor(grey: UInt8(40 * i))) }
        let grid = try ImageGrid.make(images: tiles, columns: 3, padding: 2, background: RGBColor(red: 200, green: 10, blue: 10))
        // 3 columns × (4 + 2) + 2 = 20 wide, 2 rows × (3 + 2) + 2 = 12 high.
        XCTAssertEqual(grid.width, 20)
        XCTAssertEqual(grid.height, 12)
        XCTAssertEqual(grid.channels, 1)  // all inputs grey
        XCTAssertEqual(grid.color(x: 0, y: 0), RGBColor(grey: UInt8(RGBColor(red: 200, green: 10, blue: 10).luma.rounded())))
        // Tile 4 (row 1, column 1) starts at (2 + 6, 2 + 5).
        XCTAssertEqual(grid.color(x: 8, y: 7), RGBColor(grey: 160))
        // Empty sixth cell keeps the background.
        XCTAssertEqual(grid.color(x: 15, y: 8), grid.color(x: 0, y: 0))
    }

    func testRGBGridWithScaleAndLabels() throws {
        let red = PixelImage(width: 2, height: 2, channels: 3, fill: RGBColor(red: 255, green: 0, blue: 0))
        let grey = PixelImage(width: 2, height: 2, channels: 1, fill: RGBColor(grey: 90))
        let background = RGBColor(red: 0, green: 0, blue: 80)
        let grid = try ImageGrid.make(images: [red, grey, grey, red], columns: 2, padding: 1, background: background,
                                      rowLabels: ["in", "out"], columnLabels: ["a", "b"], scale: 3)
        XCTAssertEqual(grid.channels, 3)
        let labelWidth = BitmapFont.width(of: "out") + 4 + 1
        let top = BitmapFont.height() + 4 + 1
        XCTAssertEqual(grid.width, labelWidth + 1 + 2 * (6 + 1))
        XCTAssertEqual(grid.height, top + 1 + 2 * (6 + 1))
        XCTAssertEqual(grid.color(x: labelWidth + 1, y: top + 1), RGBColor(red: 255, green: 0, blue: 0))
        XCTAssertEqual(grid.color(x: labelWidth + 1 + 7, y: top + 1), RGBColor(grey: 90))
        XCTAssertEqual(grid.color(x: labelWidth, y: top), background)  // padding pixel
        // Labels are drawn in white on a dark background.
        XCTAssertGreaterThan(TestImages.count(of: .white, in: grid), 10)
    }

    func testGridFromTensor() throws {
        let tensor = Tensor(shape: [6, 1, 2, 2], storage: (0..<24).map { Float($0) / 23 })
        let grid = try ImageGrid.make(tensor: tensor, columns: 3, padding: 0)
        XCTAssertEqual(grid.width, 6)
        XCTAssertEqual(grid.height, 4)
        XCTAssertEqual(grid.pixels[0], 0)
        XCTAssertThrowsError(try ImageGrid.make(images: [], columns: 3))
        XCTAssertThrowsError(try ImageGrid.make(tensor: tensor, columns: 0))
    }
}
