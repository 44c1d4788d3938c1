import XCTest
@testable import IllusionImaging

/// Renders one of every picture into a directory for a person to look at.
/// Set `IMAGING_SAMPLES_DIR` to keep them; otherwise a temporary directory is used.
final class SampleRenderingTests: XCTestCase {
    func testRenderSamples() throws {
        let directory = ProcessInfo.processInfo.environment["IMAGING_SAMPLES_DIR"] ?? TestImages.scratchDirectory("samples")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var generator = RandomGenerator(seed: 7)
        func gaussian() -> Double {
            let u = Double(max(generator.nextFloat(), 1e-7)), v = Double(generator.nextFloat())
            return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
        }
        // Loss curves.
        let train = (1...30).map { 0.8 * exp(-Double($0) / 8) + 0.05 + 0.01 * gaussian() }
        let validation = (1...30).map { 0.85 * exp(-Double($0) / 9) + 0.09 + 0.015 * gaussian() }
        let loss = LineChart(title: "VAE loss", yLabel: "loss (nats)", series: [
            .init(name: "train", values: train), .init(name: "validation", values: validation),
        ], logarithmicY: true)
        try loss.writePNG(to: directory + "/loss.png")
        try loss.writeSVG(to: directory + "/loss.svg")
        // Latent scatter with 10 classes.
        var xs: [Double] = [], ys: [Double] = [], labels: [Int] = []
        for k in 0..<10 {
            let angle = Double(k) / 10 * 2 * .pi
            for _ in 0..<60 {
                xs.append(2.2 * cos(angle) + 0.45 * gaussian()); ys.append(2.2 * sin(angle) + 0.45 * gaussian()); labels.append(k)
            }
        }
        let names = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
        let points = LabeledPoints(xs: xs, ys: ys, labels: labels, classNames: names)
        let scatter = ScatterPlot(title: "Latent space (test set)", xLabel: "z1", yLabel: "z2", points: points)
        try scatter.writePNG(to: directory + "/scatter.png")
        // Density heat map with per-class contours.
        let rows = 60, columns = 60
        let density = DensityGrid.gaussianKDE(xs: xs, ys: ys, xRange: -4...4, yRange: -4...4, rows: rows, columns: columns)
        let contours = [1, 7].map { k -> HeatMap.ContourOverlay in
            let subset = labels.indices.filter { labels[$0] == k }
            let values = DensityGrid.gaussianKDE(xs: subset.map { xs[$0] }, ys: subset.map { ys[$0] }, xRange: -4...4,
                                                 yRange: -4...4, rows: rows, columns: columns)
            return .init(values: values, color: ColorPalette.color(k), name: names[k], lineWidth: 2)
        }
        let heat = HeatMap(title: "Latent density", xLabel: "z1", yLabel: "z2", values: density, rows: rows, columns: columns,
                           xRange: -4...4, yRange: -4...4, colorbarLabel: "density", contours: contours)
        try heat.writePNG(to: directory + "/heatmap.png")
        try heat.writeSVG(to: directory + "/heatmap.svg")
        // Decision regions: nearest class centre with softmax confidence.
        var classes: [Int] = [], confidence: [Double] = []
        for r in 0..<rows {
            for c in 0..<columns {
                let x = -4 + (Double(c) + 0.5) * 8 / Double(columns), y = -4 + (Double(r) + 0.5) * 8 / Double(rows)
                let scores = (0..<3).map { k -> Double in
                    let a = Double(k) / 10 * 2 * .pi
                    return -((x - 2.2 * cos(a)) * (x - 2.2 * cos(a)) + (y - 2.2 * sin(a)) * (y - 2.2 * sin(a))) / 0.4
                }
                let e = scores.map { exp($0 - scores.max()!) }
                let best = scores.firstIndex(of: scores.max()!)!
                classes.append(best); confidence.append(e[best] / e.reduce(0, +))
            }
        }
        let three = labels.indices.filter { labels[$0] < 3 }
        let regions = ClassRegionMap(title: "Decision regions", classes: classes, confidence: confidence, rows: rows, columns: columns,
                                     xRange: -4...4, yRange: -4...4, classNames: ["zero", "one", "two"],
                                     points: LabeledPoints(xs: three.map { xs[$0] }, ys: three.map { ys[$0] },
                                                           labels: three.map { labels[$0] }))
        try regions.writePNG(to: directory + "/regions.png")
        // Confusion matrix.
        var counts = [[Int]](repeating: [Int](repeating: 0, count: 10), count: 10)
        for i in 0..<10 { for j in 0..<10 { counts[i][j] = i == j ? 80 + (i * 7) % 15 : ((i * 3 + j * 5) % 11 == 0 ? 9 : (i + j) % 3) } }
        let confusion = ConfusionMatrixChart(counts: counts, classNames: names)
        try confusion.writePNG(to: directory + "/confusion.png")
        // Image grid of "digits".
        var tiles: [PixelImage] = []
        for i in 0..<16 {
            var tile = PixelImage(width: 28, height: 28, channels: 1, fill: .black)
            BitmapFont.draw(String(i % 10), into: &tile, x: 9, y: 7, color: .white, scale: 2)
            tiles.append(tile)
        }
        let grid = try ImageGrid.make(images: tiles, columns: 8, padding: 2, background: RGBColor(grey: 40),
                                      rowLabels: ["input", "recon"], columnLabels: (0..<8).map { "#\($0)" }, scale: 2)
        try grid.writePNG(to: directory + "/grid.png")
        let font = try ImageGrid.make(images: [PixelImage](repeating: PixelImage(width: 1, height: 16, fill: .white), count: 3), columns: 1, padding: 4,
                                      rowLabels: [" !\"#$%&'()*+,-./0123456789:;<=>?", "@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_", "`abcdefghijklmnopqrstuvwxyz{|}~ gjpqy"],
                                      labelScale: 2)
        try font.writePNG(to: directory + "/font.png")
        // Report.
        var report = HTMLReport(title: "Imaging samples", subtitle: "every picture type")
        report.addSection("Training")
        try report.addChart(loss, caption: "loss (SVG)")
        report.addKeyValueTable([("epochs", "30"), ("final train loss", String(format: "%.4f", train.last!))])
        report.addSection("Latent space")
        try report.addChart(scatter, caption: "scatter (PNG)", asSVG: false)
        try report.addChart(heat, caption: "density")
        try report.addChart(regions, caption: "regions")
        try report.addChart(confusion, caption: "confusion")
        try report.addImage(grid, caption: "grid")
        try report.write(to: directory + "/report.html")
        for name in ["loss.png", "scatter.png", "heatmap.png", "regions.png", "confusion.png", "grid.png"] {
            // Each picture decodes and is not blank: it holds more than a handful of distinct colours.
            let bytes = try XCTUnwrap(FileManager.default.contents(atPath: directory + "/" + name), name)
            let image = try PNGCodec.decode([UInt8](bytes), source: name)
            XCTAssertGreaterThan(image.width, 32, name); XCTAssertGreaterThan(image.height, 32, name)
            var colours = Set<[UInt8]>()
            let channels = image.pixels.count / (image.width * image.height)
            for i in stride(from: 0, to: image.pixels.count, by: channels * 7) { colours.insert(Array(image.pixels[i..<i + channels])) }
            XCTAssertGreaterThan(colours.count, 3, "\(name) looks blank")
        }
        let html = try String(contentsOfFile: directory + "/report.html", encoding: .utf8)
        for caption in ["loss (SVG)", "scatter (PNG)", "density", "regions", "confusion", "grid", "Latent space"] {
            XCTAssertTrue(html.contains(caption), "report.html lacks \(caption)")
        }
        XCTAssertEqual(html.components(separatedBy: "data:image/png;base64,").count - 1, 2, "the PNG scatter and the grid are embedded")
        XCTAssertEqual(html.components(separatedBy: "<svg").count - 1, 5, "the other charts are inline SVG")
    }
}
