import IllusionImaging
import XCTest
@testable import IllusionDatasets

final class ImageFolderTests: XCTestCase {
    func solid(_ w: Int, _ h: Int, _ rgb: [UInt8]) throws -> PixelImage {
        try PixelImage(width: w, height: h, channels: 3, pixels: (0..<(w * h)).flatMap { _ in rgb })
    }

    func testClassFoldersSortedAndResized() throws {
        let dir = try TemporaryDirectory()
        try dir.write("dogs/b.png", try PNGCodec.encode(try solid(20, 10, [10, 20, 30])))
        try dir.write("dogs/a.PNG", try PNGCodec.encode(try solid(8, 8, [200, 100, 0])))
        try dir.write("cats/x.jpg", try JPEGCodec.encode(try solid(16, 16, [50, 150, 250]), quality: 100))
        try dir.write("cats/notes.txt", text: "not an image")
        var warnings: [String] = []
        let result = try ImageFolder.load(directory: dir.path, options: ImageFolderOptions(imageSize: 4),
                                          warn: { warnings.append($0) })
        let ds = result.dataset
        XCTAssertEqual(ds.classNames, ["cats", "dogs"])
        XCTAssertEqual(ds.labels, [0, 1, 1])
        XCTAssertEqual([ds.count, ds.channels, ds.height, ds.width], [3, 3, 4, 4])
        XCTAssertEqual(result.skippedFiles, [dir.url("cats/notes.txt")])
        XCTAssertEqual(warnings.count, 1)
        XCTAssertTrue(warnings[0].contains("notes.txt"))
        // dogs/a.PNG (sorted before b.png) is image 1: planar solid colour, exact for PNG.
        let a = Array(ds.imageBytes(at: 1))
        XCTAssertEqual(Array(a[0..<16]), Array(repeating: 200, count: 16))
        XCTAssertEqual(Array(a[16..<32]), Array(repeating: 100, count: 16))
        XCTAssertEqual(Array(a[32..<48]), Array(repeating: 0, count: 16))
        let cat = Array(ds.imageBytes(at: 0))
        XCTAssertEqual(Double(cat[0]), 50, accuracy: 3)
        XCTAssertEqual(Double(cat[40]), 250, accuracy: 3)
    }

    func testFlatGreyAndCenterCrop() throws {
        let dir = try TemporaryDirectory()
        // 6×2: left third black, middle white, right third black → centre-cropped 2×2 square is white.
        var px = [UInt8](repeating: 0, count: 12)
        for y in 0..<2 { px[y * 6 + 2] = 255; px[y * 6 + 3] = 255 }
        try dir.write("wide.png", try PNGCodec.encode(try PixelImage(width: 6, height: 2, channels: 1, pixels: px)))
        let ds = try ImageFolder.load(directory: dir.path, options: ImageFolderOptions(imageSize: 2, channels: 1)).dataset
        XCTAssertEqual(ds.images, [255, 255, 255, 255])
        XCTAssertEqual(ds.classNames, [])
        let stretched = try ImageFolder.load(directory: dir.path, options: ImageFolderOptions(imageSize: 2, channels: 1, fit: .stretch)).dataset
        XCTAssertEqual(stretched.images, [85, 85, 85, 85])
    }

    func testNonImageFileWithImageExtensionIsAnError() throws {
        let dir = try TemporaryDirectory()
        try dir.write("good.png", try PNGCodec.encode(try solid(4, 4, [1, 2, 3])))
        let bad = try dir.write("fake.jpg", text: "this is text, not a JPEG")
        assertDatasetError(try ImageFolder.load(directory: dir.path), contains: [bad, "not a PNG or JPEG"])
    }

    func testMissingAndEmptyFolders() throws {
        let dir = try TemporaryDirectory()
        assertDatasetError(try ImageFolder.load(directory: dir.url("absent")), contains: ["absent", "does not exist"])
        assertDatasetError(try ImageFolder.load(directory: dir.path, warn: { _ in }), contains: [dir.path, "no .png/.jpg/.jpeg images"])
        let file = try dir.write("file.png", [1, 2, 3])
        assertDatasetError(try ImageFolder.load(directory: file), contains: [file, "is a file"])
        try dir.write("cls/a.png", try PNGCodec.encode(try solid(4, 4, [1, 2, 3])))
        assertDatasetError(try ImageFolder.load(directory: dir.path), contains: [file, "move it into a class folder"])
    }
}
