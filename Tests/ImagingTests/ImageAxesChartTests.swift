import XCTest
@testable import IllusionImaging

final class ImageAxesChartTests: XCTestCase {
    /// The picture is drawn 1:1 inside the frame, with its tick labels and axis names.
    func testImageIsDrawnUnscaledWithLabelledAxes() {
        let picture = PixelImage(width: 40, height: 30, channels: 3, fill: RGBColor(red: 200, green: 10, blue: 10))
        let chart = ImageAxesChart(image: picture, title: "t", xLabel: "z1", yLabel: "z2",
                                   xTicks: [(0.1, "-1.64"), (0.5, "0")], yTicks: [(0.9, "-1.64")])
        let figure = chart.figure()
        XCTAssertEqual(figure.width, chart.left + 40 + chart.right)
        XCTAssertEqual(figure.height, chart.top + 30 + chart.bottom)
        let image = chart.image()
        XCTAssertEqual(image.color(x: chart.left + 20, y: chart.top + 15), RGBColor(red: 200, green: 10, blue: 10))
        let svg = chart.svg()
        for text in ["z1", "z2", "-1.64"] { XCTAssertTrue(svg.contains(">\(text)<"), "svg lacks \(text)") }
    }

    /// Epoch axes tick at whole numbers only (1, 2, 3 — not 1.5, 2.5).
    func testWholeNumberTicks() {
        var scale = AxisScale(covering: [1, 2, 3], padding: 0, nice: true)
        XCTAssertEqual(scale.ticks(), [1, 1.5, 2, 2.5, 3])
        scale.wholeNumberTicks = true
        XCTAssertEqual(scale.ticks(), [1, 2, 3])
        XCTAssertEqual(scale.labels(for: scale.ticks()), ["1", "2", "3"])
        var one = AxisScale(covering: [1], padding: 0, nice: true)
        one.wholeNumberTicks = true
        XCTAssertEqual(one.ticks(), [1])
    }
}
