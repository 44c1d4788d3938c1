import XCTest
import Foundation
import IllusionImaging
@testable import IllusionDatasets

/// An image folder with a truncated file: an error naming it, or by `skipUndecodable` a warning
/// per file and a count, the other images loaded in order.
final class UndecodableImageTests: XCTestCase {
    func testTruncatedFileFailsTheLoadOrIsSkippedAndCounted() throws {
        let dir = NSTemporaryDirectory() + "undecodable-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (i, value) in [UInt8(10), 100, 200].enumerated() {
            let image = try PixelImage(width: 16, height: 16, channels: 3, pixels: [UInt8](repeating: value, count: 768))
            try image.writePNG(to: dir + "/img\(i).png")
        }
        let whole = [UInt8](try XCTUnwrap(FileManager.default.contents(atPath: dir + "/img1.png")))
        try Data(whole.prefix(whole.count / 2)).write(to: URL(fileURLWithPath: dir + "/img1.png"))
        let options = ImageFolderOptions(imageSize: 16, channels: 3, threads: 2)
        XCTAssertThrowsError(try ImageFolder.load(directory: dir, options: options, warn: { _ in })) { error in
            XCTAssertTrue("\(error)".contains("img1.png"), "\(error)")
        }
        var skipping = options; skipping.skipUndecodable = true
        var warnings: [String] = []
        let result = try ImageFolder.load(directory: dir, options: skipping, warn: { warnings.append($0) })
        XCTAssertEqual(result.dataset.count, 2)
        XCTAssertEqual(result.undecodableFiles, [dir + "/img1.png"])
        XCTAssertEqual(result.dataset.images[0], 10)
        XCTAssertEqual(result.dataset.images[768], 200)
        XCTAssertTrue(warnings.contains { $0.contains("img1.png") }, "\(warnings)")
        XCTAssertTrue(warnings.contains { $0.contains("skipped 1 undecodable image of 3") }, "\(warnings)")
    }
}
