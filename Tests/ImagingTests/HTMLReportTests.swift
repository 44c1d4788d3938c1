import XCTest
@testable import IllusionImaging

final class HTMLReportTests: XCTestCase {
    func testReportEmbedsImagesAndEscapesText() throws {
        var report = HTMLReport(title: "Run <1>", subtitle: "vae on fashion-mnist")
        report.addSection("Metrics")
        report.addKeyValueTable([("epochs", "10"), ("loss", "0.123 & falling")], caption: "final")
        report.addTable(header: ["epoch", "loss"], rows: [["1", "0.5"], ["2", "0.3"]])
        try report.addImage(TestImages.rgbGradient(width: 8, height: 8), caption: "samples")
        report.addSVG(LineChart(series: [.init(name: "loss", values: [3, 2, 1])]).svg(), caption: "loss")
        let html = report.html()
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"))
        XCTAssertTrue(html.contains("<title>Run &lt;1&gt;</title>"))
        XCTAssertTrue(html.contains("0.123 &amp; falling"))
        XCTAssertTrue(html.contains("src=\"data:image/png;base64,iVBORw0KGgo"))
        XCTAssertTrue(html.contains("<svg xmlns"))
        // Self-contained: no scripts, no resources fetched from anywhere (the SVG namespace URI is no fetch).
        XCTAssertFalse(html.contains("<script"))
        XCTAssertFalse(html.contains("src=\"http") || html.contains("href=\"http") || html.contains("url(http"))
        // The embedded PNG decodes back to the image.
        let start = html.range(of: "data:image/png;base64,")!.upperBound
        let end = html[start...].firstIndex(of: "\"")!
        let png = [UInt8](Data(base64Encoded: String(html[start..<end]))!)
        XCTAssertEqual(try PNGCodec.decode(png, source: "embedded"), TestImages.rgbGradient(width: 8, height: 8))
    }

    func testWriteIsAtomicAndLeavesNoTemporaryFile() throws {
        let directory = TestImages.scratchDirectory("report")
        let path = directory + "/report.html"
        try "old".write(toFile: path, atomically: false, encoding: .utf8)
        var report = HTMLReport(title: "Report")
        report.addParagraph("hello")
        try report.write(to: path)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["report.html"])
        XCTAssertTrue(try String(contentsOfFile: path, encoding: .utf8).contains("<p>hello</p>"))
        XCTAssertThrowsError(try report.write(to: directory + "/no/such/dir/report.html")) { error in
            XCTAssertTrue(String(describing: error).contains("report.html"))
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["report.html"])
    }
}
