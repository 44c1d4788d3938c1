import Foundation
import IllusionImaging
import XCTest
@testable import IllusionDatasets

final class SyntheticFacesTests: XCTestCase {
    /// Tiles images of a dataset into one RGB PixelImage (`columns` per row, 2 px gaps).
    func grid(_ ds: ImageDataset, columns: Int) throws -> PixelImage {
        let s = ds.height, rows = (ds.count + columns - 1) / columns, gap = 2
        let w = columns * (s + gap) + gap, h = rows * (s + gap) + gap
        var px = [UInt8](repeating: 255, count: w * h * 3)
        for i in 0..<ds.count {
            let img = Array(ds.imageBytes(at: i)), ox = gap + (i % columns) * (s + gap), oy = gap + (i / columns) * (s + gap)
            for y in 0..<s { for x in 0..<s { for c in 0..<3 { px[((oy + y) * w + ox + x) * 3 + c] = img[c * s * s + y * s + x] } } }
        }
        return try PixelImage(width: w, height: h, channels: 3, pixels: px)
    }

    func testDeterministicAndIndependentOfCount() throws {
        let a = try SyntheticFaces.dataset(count: 6, seed: 5)
        let b = try SyntheticFaces.dataset(count: 3, seed: 5, threads: 1)
        XCTAssertEqual(Array(a.images.prefix(3 * 3 * 64 * 64)), b.images)
        XCTAssertEqual(Array(a.attributes.prefix(3 * a.attributeCount)), b.attributes)
        let c = try SyntheticFaces.dataset(count: 3, seed: 6)
        XCTAssertNotEqual(b.images, c.images)
        XCTAssertEqual([a.channels, a.height, a.width], [3, 64, 64])
    }

    func testAttributesMatchTheDrawing() throws {
        var base = SyntheticFaces.attributes(index: 0, seed: 1)
        base.tilt = 0; base.offsetX = 0; base.offsetY = 0; base.scale = 1
        base.smiling = false; base.eyeglasses = false; base.mouthOpen = false
        let plain = SyntheticFaces.renderInterleaved(base, size: 64)
        var glasses = base; glasses.eyeglasses = true
        var smile = base; smile.smiling = true; smile.mouthOpen = true
        /// Number of samples in `rows` that differ by more than 40 between two renders.
        func diff(_ a: [UInt8], _ b: [UInt8], rows: Range<Int>) -> Int {
            var n = 0
            for i in (rows.lowerBound * 64 * 3)..<(rows.upperBound * 64 * 3) where abs(Int(a[i]) - Int(b[i])) > 40 { n += 1 }
            return n
        }
        let g = SyntheticFaces.renderInterleaved(glasses, size: 64), s = SyntheticFaces.renderInterleaved(smile, size: 64)
        // Glasses change the eye band (rows ~25–32), not the mouth band; an open smile the reverse.
        XCTAssertGreaterThan(diff(plain, g, rows: 24..<33), 20)
        XCTAssertEqual(diff(plain, g, rows: 36..<44), 0)
        XCTAssertGreaterThan(diff(plain, s, rows: 36..<44), 20)
        XCTAssertEqual(diff(plain, s, rows: 20..<27), 0)
        XCTAssertEqual(glasses.attributeVector[SyntheticFaces.attributeNames.firstIndex(of: "Eyeglasses")!], true)
        XCTAssertEqual(smile.attributeVector[SyntheticFaces.attributeNames.firstIndex(of: "Smiling")!], true)
    }

    func testAttributeFrequenciesAndToolingNames() throws {
        let ds = try SyntheticFaces.dataset(count: 400, size: 16, seed: 3)
        let smiling = try ds.attributeColumn(named: "Smiling").filter { $0 }.count
        let glasses = try ds.attributeColumn(named: "Eyeglasses").filter { $0 }.count
        XCTAssertTrue((150...250).contains(smiling), "\(smiling)")
        XCTAssertTrue((60...140).contains(glasses), "\(glasses)")
        XCTAssertEqual(try ds.labeled(byAttribute: "Smiling").labelHistogram().reduce(0, +), 400)
        assertDatasetError(try ds.attributeIndex(named: "Wearing_Hat"), contains: ["Wearing_Hat", "Smiling", "Eyeglasses"])
    }

    /// Writes grids to the temp dir for eyeballing (set SYNTHETIC_FACES_GRID=path to choose the file).
    func testWriteGrid() throws {
        let ds = try SyntheticFaces.dataset(count: 48, seed: 2024)
        let path = ProcessInfo.processInfo.environment["SYNTHETIC_FACES_GRID"] ?? NSTemporaryDirectory() + "synthetic_faces_grid.png"
        try grid(ds, columns: 8).scaledUp(by: 2).writePNG(to: path)
        let big = try SyntheticFaces.dataset(count: 8, size: 128, seed: 2024)
        try grid(big, columns: 4).writePNG(to: path.replacingOccurrences(of: ".png", with: "_128.png"))
    }
}

final class ColorFacesTests: XCTestCase {
    func testFallsBackToSyntheticFacesWithoutCelebA() throws {
        let (train, source) = try ColorFaces.load(.train, celebADirectory: "/nonexistent/celeba", imageSize: 16, syntheticCount: 30, seed: 4)
        XCTAssertEqual(source, .synthetic(seed: 4))
        XCTAssertEqual([train.count, train.channels, train.height], [30, 3, 16])
        XCTAssertTrue(train.attributeNames.contains("Smiling"))
        let (test, _) = try ColorFaces.load(.test, celebADirectory: nil, imageSize: 16, syntheticCount: 30, seed: 4)
        XCTAssertEqual(test.count, 3)
        XCTAssertNotEqual(Array(test.images.prefix(768)), Array(train.images.prefix(768)))
    }
}
