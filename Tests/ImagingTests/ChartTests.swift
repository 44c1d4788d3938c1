import XCTest
@testable import IllusionImaging

final class ChartTests: XCTestCase {
    private func lossChart(logY: Bool = false) -> LineChart {
        let train = (1...20).map { 2.0 * exp(-Double($0) / 6) + 0.1 }
        let validation = (1...20).map { 2.1 * exp(-Double($0) / 7) + 0.15 }
        return LineChart(title: "Loss", yLabel: "loss", series: [
            .init(name: "train", values: train), .init(name: "validation", values: validation),
        ], logarithmicY: logY, width: 600, height: 400)
    }

    func testLineChartPNGHasSizeAndSeriesColours() throws {
        let image = try PNGCodec.decode(try lossChart().pngData(), source: "chart.png")
        XCTAssertEqual(image.width, 600)
        XCTAssertEqual(image.height, 400)
        XCTAssertGreaterThan(TestImages.count(of: ColorPalette.color(0), in: image), 200)
        XCTAssertGreaterThan(TestImages.count(of: ColorPalette.color(1), in: image), 200)
        XCTAssertGreaterThan(TestImages.count(of: .white, in: image), 600 * 400 / 2)
        let log = lossChart(logY: true).image()
        XCTAssertGreaterThan(TestImages.count(of: ColorPalette.color(0), in: log), 200)
    }

    func testLineChartSVGContainsSeries() {
        let svg = lossChart().svg()
        XCTAssertTrue(svg.hasPrefix("<svg"))
        XCTAssertTrue(svg.contains("<polyline"))
        XCTAssertTrue(svg.contains(ColorPalette.color(1).hexString))
        XCTAssertTrue(svg.contains(">validation</text>"))
        XCTAssertTrue(svg.hasSuffix("</svg>\n"))
    }

    func testLineChartSurvivesBadData() {
        let chart = LineChart(series: [.init(name: "nan", values: [.nan, .infinity, 1, 2, .nan]), .init(name: "empty", values: [Double]())],
                              logarithmicY: true)
        let image = chart.image()
        XCTAssertEqual(image.width, 720)
        XCTAssertEqual(LineChart(series: []).image().height, 440)
    }

    func testAxisTicksAreNice() {
        let scale = AxisScale(covering: [0.13, 0.92])
        XCTAssertEqual(scale.lower, 0, accuracy: 1e-12)
        XCTAssertEqual(scale.upper, 1, accuracy: 1e-12)
        XCTAssertEqual(scale.ticks(), [0, 0.2, 0.4, 0.6, 0.8, 1.0], accuracy: 1e-12)
        XCTAssertEqual(scale.labels(for: scale.ticks()), ["0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        let log = AxisScale(covering: [0.003, 40], logarithmic: true)
        XCTAssertEqual(log.ticks(), [0.001, 0.01, 0.1, 1, 10, 100], accuracy: 1e-12)
        let narrowLog = AxisScale(covering: [0.07, 0.8], logarithmic: true)
        XCTAssertEqual([narrowLog.lower, narrowLog.upper], [0.05, 1], accuracy: 1e-12)
        XCTAssertEqual(narrowLog.ticks(), [0.05, 0.1, 0.2, 0.5, 1], accuracy: 1e-12)
        XCTAssertEqual(AxisScale.format(0.0001, step: 0.0001), "1e-4")
        XCTAssertEqual(AxisScale.format(250000, step: 50000), "2.5e5")
    }

    func testScatterPlotColoursClasses() throws {
        var xs: [Double] = [], ys: [Double] = [], labels: [Int] = []
        for k in 0..<3 {
            for i in 0..<30 {
                xs.append(Double(k) * 3 + cos(Double(i))); ys.append(Double(k) + sin(Double(i) * 1.3)); labels.append(k)
            }
        }
        let plot = ScatterPlot(title: "Latent space", points: LabeledPoints(xs: xs, ys: ys, labels: labels,
                                                                          classNames: ["zero", "one", "two"]),
                               opacity: 1, width: 500, height: 400)
        let image = plot.image()
        XCTAssertEqual(image.width, 500)
        for k in 0..<3 { XCTAssertGreaterThan(TestImages.count(of: ColorPalette.color(k), in: image), 100) }
        XCTAssertTrue(plot.svg().contains(">two</text>"))
    }

    func testHeatMapUsesColormapAndContours() throws {
        let rows = 30, columns = 40
        let values = (0..<(rows * columns)).map { i -> Double in
            let x = Double(i % columns) / Double(columns) - 0.5, y = Double(i / columns) / Double(rows) - 0.5
            return exp(-(x * x + y * y) * 8)
        }
        let map = HeatMap(title: "Density", values: values, rows: rows, columns: columns, xRange: -3...3, yRange: -2...2,
                          colorbarLabel: "density",
                          contours: [.init(values: values, levels: [0.5], color: .white, name: "p=0.5")], width: 500, height: 400)
        let image = map.image()
        XCTAssertEqual(image.width, 500)
        XCTAssertEqual(image.height, 400)
        // The colormap's ends appear (low values at the corners, the peak in the middle), as do the contours.
        XCTAssertGreaterThan(TestImages.count(of: Colormap.viridis.color(0), in: image, tolerance: 12), 50)
        XCTAssertGreaterThan(TestImages.count(of: Colormap.viridis.color(1), in: image, tolerance: 12), 50)
        XCTAssertGreaterThan(TestImages.count(of: .white, in: image, tolerance: 20), 20_000)
        XCTAssertTrue(map.svg().contains("data:image/png;base64,"))
        // A wrong-sized grid is reported in the picture, not by crashing.
        let bad = HeatMap(values: [1, 2, 3], rows: 2, columns: 2, xRange: 0...1, yRange: 0...1)
        XCTAssertEqual(bad.image().width, 640)
    }

    func testContourOfLinearRamp() {
        // v = column index; level 1.5 crosses every row between columns 1 and 2.
        let values = (0..<12).map { Double($0 % 4) }
        let segments = ContourLines.segments(values: values, rows: 3, columns: 4, level: 1.5)
        XCTAssertEqual(segments.count, 4)  // two cells (rows 0–1, 1–2) × 2 endpoints
        XCTAssertTrue(segments.allSatisfy { abs($0.x - 1.5) < 1e-12 })
    }

    func testKDEIntegratesToAboutOne() {
        let xs = (0..<200).map { sin(Double($0)) }, ys = (0..<200).map { cos(Double($0) * 0.7) }
        let density = DensityGrid.gaussianKDE(xs: xs, ys: ys, xRange: -4...4, yRange: -4...4, rows: 80, columns: 80)
        let cellArea = (8.0 / 80) * (8.0 / 80)
        XCTAssertEqual(density.reduce(0, +) * cellArea, 1, accuracy: 0.02)
    }

    func testClassRegionMapTintsMatchPalette() {
        let rows = 20, columns = 20
        var classes: [Int] = [], confidence: [Double] = []
        for r in 0..<rows { for c in 0..<columns { classes.append(c < columns / 2 ? 0 : 1); confidence.append(r < 10 ? 1 : 0.5) } }
        let map = ClassRegionMap(title: "Decision regions", classes: classes, confidence: confidence, rows: rows, columns: columns,
                                 xRange: 0...1, yRange: 0...1, classNames: ["a", "b"],
                                 points: LabeledPoints(xs: [0.25, 0.75], ys: [0.5, 0.5], labels: [0, 1]), width: 400, height: 360)
        let image = map.image()
        XCTAssertEqual(image.width, 400)
        XCTAssertGreaterThan(TestImages.count(of: ClassRegionMap.tint(class: 0, strength: 1), in: image), 5000)
        XCTAssertGreaterThan(TestImages.count(of: ClassRegionMap.tint(class: 1, strength: 0), in: image), 5000)
    }

    func testConfusionMatrixPicture() {
        let chart = ConfusionMatrixChart(counts: [[50, 0, 0], [3, 40, 7], [0, 5, 45]], classNames: ["cat", "dog", "bird"])
        let figure = chart.figure()
        let image = figure.rasterized()
        XCTAssertEqual(image.width, figure.width)
        // The perfectly recalled row's diagonal cell has the darkest colour (cell area minus its count text).
        XCTAssertGreaterThan(TestImages.count(of: Colormap.blues.color(1), in: image), 36 * 36 / 2)
        let svg = chart.svg()
        XCTAssertTrue(svg.contains(">45</text>"))
        XCTAssertTrue(svg.contains("accuracy 90.00% of 150"), svg)
        XCTAssertTrue(ConfusionMatrixChart(counts: [[1, 2], [3]]).svg().contains("square matrix"))
    }

    func testChartFilesAreWrittenAtomically() throws {
        let directory = TestImages.scratchDirectory("charts")
        try lossChart().writePNG(to: directory + "/loss.png")
        try lossChart().writeSVG(to: directory + "/loss.svg")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory).sorted(), ["loss.png", "loss.svg"])
        XCTAssertEqual(try PixelImage(contentsOfFile: directory + "/loss.png").width, 600)
    }
}

private func XCTAssertEqual(_ a: [Double], _ b: [Double], accuracy: Double, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, "\(a) vs \(b)", file: file, line: line)
    for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy, "\(a) vs \(b)", file: file, line: line) }
}
