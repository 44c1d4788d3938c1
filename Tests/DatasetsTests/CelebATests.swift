import IllusionImaging
import XCTest
@testable import IllusionDatasets

/// CelebA from a small fixture tree in the published layout.
final class CelebATests: XCTestCase {
    /// Splits of the 7 fixture images: 3 train, 2 validation, 2 test.
    let splits = [0, 0, 1, 0, 2, 1, 2]

    /// Fixture image k: 178×218, a colour frame outside the centred 148×148 window (x 15..<163,
    /// y 35..<183) and a solid colour inside it, so crop geometry and colours are checkable.
    func inner(_ k: Int) -> [UInt8] { [UInt8(40 + 30 * k), UInt8(200 - 20 * k), UInt8(90 + 10 * k)] }

    func makeFixture(_ dir: TemporaryDirectory, attributeLines: [String]? = nil, partitionLines: [String]? = nil,
                     skipImage: Int? = nil) throws -> [[Bool]] {
        var g = RandomGenerator(seed: 11)
        var attrs: [[Bool]] = []
        var attrText = "\(splits.count)\n" + CelebA.attributeNames.joined(separator: " ") + " \n"
        var partText = ""
        for k in 0..<splits.count {
            let name = String(format: "%06d.jpg", k + 1)
            let row = (0..<40).map { _ in g.nextFloat() < 0.5 }
            attrs.append(row)
            attrText += name + row.map { $0 ? "  1" : " -1" }.joined() + "\n"
            partText += "\(name) \(splits[k])\n"
            if k == skipImage { continue }
            var pixels = [UInt8](repeating: 0, count: 178 * 218 * 3)
            for y in 0..<218 {
                for x in 0..<178 {
                    let insideCrop = (15..<163).contains(x) && (35..<183).contains(y)
                    let colour = insideCrop ? inner(k) : [250, 10, 250]
                    for c in 0..<3 { pixels[(y * 178 + x) * 3 + c] = colour[c] }
                }
            }
            let image = try PixelImage(width: 178, height: 218, channels: 3, pixels: pixels)
            try dir.write("img_align_celeba/\(name)", try JPEGCodec.encode(image, quality: 100))
        }
        if let attributeLines { attrText = attributeLines.joined(separator: "\n") + "\n" }
        if let partitionLines { partText = partitionLines.joined(separator: "\n") + "\n" }
        try dir.write("list_attr_celeba.txt", text: attrText.replacingOccurrences(of: "\n", with: "\r\n"))
        try dir.write("list_eval_partition.txt", text: partText)
        return attrs
    }

    func testSplitsAttributesAndPixels() throws {
        let dir = try TemporaryDirectory()
        let attrs = try makeFixture(dir)
        let expected: [DatasetSplit: [Int]] = [.train: [0, 1, 3], .validation: [2, 5], .test: [4, 6]]
        for (split, members) in expected {
            let ds = try CelebA.load(split, directory: dir.path, options: CelebAOptions(imageSize: 16, threads: 2))
            XCTAssertEqual(ds.count, members.count)
            XCTAssertEqual([ds.channels, ds.height, ds.width], [3, 16, 16])
            XCTAssertEqual(ds.attributeNames, CelebA.attributeNames)
            for (r, k) in members.enumerated() {
                XCTAssertEqual(Array(ds.attributes[r * 40 ..< (r + 1) * 40]), attrs[k])
                // Whole stored image is the inner colour: the crop removed the whole frame.
                let img = Array(ds.imageBytes(at: r))
                for c in 0..<3 {
                    for v in img[c * 256 ..< (c + 1) * 256] {
                        XCTAssertEqual(Double(v), Double(inner(k)[c]), accuracy: 6, "image \(k) channel \(c)")
                    }
                }
            }
        }
    }

    func testCropGeometryAndSelectedAttributes() throws {
        let dir = try TemporaryDirectory()
        let attrs = try makeFixture(dir)
        // A 168 crop (10 px of frame on each side) resized to 84: the outer 5 output pixels are frame.
        let ds = try CelebA.load(.train, directory: dir.path,
                                 options: CelebAOptions(cropSize: 168, imageSize: 84, limit: 2, attributes: ["Smiling", "Eyeglasses"]))
        XCTAssertEqual(ds.count, 2)
        XCTAssertEqual(ds.attributeNames, ["Smiling", "Eyeglasses"])
        let smiling = CelebA.attributeNames.firstIndex(of: "Smiling")!, glasses = CelebA.attributeNames.firstIndex(of: "Eyeglasses")!
        XCTAssertEqual(try ds.attributeColumn(named: "Smiling"), [attrs[0][smiling], attrs[1][smiling]])
        XCTAssertEqual(try ds.attributeColumn(named: "Eyeglasses"), [attrs[0][glasses], attrs[1][glasses]])
        let img = Array(ds.imageBytes(at: 0)), plane = 84 * 84
        func px(_ c: Int, _ x: Int, _ y: Int) -> Double { Double(img[c * plane + y * 84 + x]) }
        for t in [0, 3] { // frame (magenta 250,10,250)
            XCTAssertEqual(px(1, t, 42), 10, accuracy: 12)
            XCTAssertEqual(px(1, 42, t), 10, accuracy: 12)
            XCTAssertEqual(px(1, 83 - t, 42), 10, accuracy: 12)
            XCTAssertEqual(px(1, 42, 83 - t), 10, accuracy: 12)
        }
        for t in [6, 42, 77] { // inside
            XCTAssertEqual(px(1, t, 42), Double(inner(0)[1]), accuracy: 12)
            XCTAssertEqual(px(1, 42, t), Double(inner(0)[1]), accuracy: 12)
        }
        let labelled = try ds.labeled(byAttribute: "Smiling")
        XCTAssertEqual(labelled.labels, [attrs[0][smiling] ? 1 : 0, attrs[1][smiling] ? 1 : 0])
        XCTAssertEqual(labelled.classNames, ["not Smiling", "Smiling"])
    }

    func testThreadCountDoesNotChangeTheResult() throws {
        let dir = try TemporaryDirectory()
        _ = try makeFixture(dir)
        let one = try CelebA.load(.train, directory: dir.path, options: CelebAOptions(imageSize: 32, threads: 1))
        let two = try CelebA.load(.train, directory: dir.path, options: CelebAOptions(imageSize: 32, threads: 2))
        XCTAssertEqual(one.images, two.images)
        XCTAssertEqual(one.attributes, two.attributes)
    }

    func testUnknownAttributeListsValidNames() throws {
        let dir = try TemporaryDirectory()
        _ = try makeFixture(dir)
        assertDatasetError(try CelebA.load(.train, directory: dir.path, options: CelebAOptions(attributes: ["Smiling", "Smirking"])),
                           contains: ["Smirking", "Smiling", "Eyeglasses", "5_o_Clock_Shadow", "Young"])
    }

    func testMissingFilesAndFolders() throws {
        let dir = try TemporaryDirectory()
        _ = try makeFixture(dir)
        try FileManager.default.removeItem(atPath: dir.url("list_attr_celeba.txt"))
        assertDatasetError(try CelebA.load(.train, directory: dir.path), contains: ["list_attr_celeba.txt", "no such file"])

        let noImages = try TemporaryDirectory()
        try noImages.write("list_eval_partition.txt", text: "000001.jpg 0\n")
        assertDatasetError(try CelebA.load(.train, directory: noImages.path), contains: ["img_align_celeba", "not found"])
        assertDatasetError(try CelebA.load(.train, directory: noImages.url("absent")), contains: ["absent", "does not exist"])

        let missingJPEG = try TemporaryDirectory()
        _ = try makeFixture(missingJPEG, skipImage: 3)
        assertDatasetError(try CelebA.load(.train, directory: missingJPEG.path), contains: ["000004.jpg", "no such file"])
        XCTAssertEqual(try CelebA.load(.test, directory: missingJPEG.path).count, 2)
    }

    func testMalformedLines() throws {
        let names = CelebA.attributeNames.joined(separator: " ")
        let ones = Array(repeating: "1", count: 40).joined(separator: " ")
        let partition = (1...7).map { String(format: "%06d.jpg 0", $0) }
        let goodAttributes = ["7", names] + (1...7).map { String(format: "%06d.jpg ", $0) + ones }

        let badSplit = try TemporaryDirectory()
        _ = try makeFixture(badSplit, partitionLines: Array(partition[0..<2]) + ["000003.jpg 5"])
        assertDatasetError(try CelebA.load(.train, directory: badSplit.path),
                           contains: ["list_eval_partition.txt", "line 3", "split must be 0, 1 or 2", "'5'"])

        let extraField = try TemporaryDirectory()
        _ = try makeFixture(extraField, partitionLines: ["000001.jpg 0 extra"])
        assertDatasetError(try CelebA.load(.train, directory: extraField.path),
                           contains: ["list_eval_partition.txt", "line 1", "3 fields"])

        let shortRow = try TemporaryDirectory()
        var lines = goodAttributes
        lines[4] = "000003.jpg " + Array(repeating: "1", count: 39).joined(separator: " ")
        _ = try makeFixture(shortRow, attributeLines: lines, partitionLines: partition)
        assertDatasetError(try CelebA.load(.train, directory: shortRow.path),
                           contains: ["list_attr_celeba.txt", "line 5", "40 values, found 39"])

        let badValue = try TemporaryDirectory()
        lines = goodAttributes
        lines[2] = "000001.jpg 0 " + Array(repeating: "1", count: 39).joined(separator: " ")
        _ = try makeFixture(badValue, attributeLines: lines, partitionLines: partition)
        assertDatasetError(try CelebA.load(.train, directory: badValue.path),
                           contains: ["list_attr_celeba.txt", "line 3", "5_o_Clock_Shadow must be 1 or -1", "'0'"])

        let badCount = try TemporaryDirectory()
        lines = goodAttributes
        lines[0] = "9"
        _ = try makeFixture(badCount, attributeLines: lines, partitionLines: partition)
        assertDatasetError(try CelebA.load(.train, directory: badCount.path),
                           contains: ["list_attr_celeba.txt", "declares 9 images but 7"])

        let notNumber = try TemporaryDirectory()
        lines = goodAttributes
        lines[0] = "seven"
        _ = try makeFixture(notNumber, attributeLines: lines, partitionLines: partition)
        assertDatasetError(try CelebA.load(.train, directory: notNumber.path),
                           contains: ["list_attr_celeba.txt", "line 1", "image count"])

        let missingRow = try TemporaryDirectory()
        lines = Array(goodAttributes.dropLast())
        lines[0] = "6"
        _ = try makeFixture(missingRow, attributeLines: lines, partitionLines: partition)
        assertDatasetError(try CelebA.load(.train, directory: missingRow.path),
                           contains: ["list_attr_celeba.txt", "no attribute line for 000007.jpg"])
    }

    func testCorruptJPEGNamesTheFile() throws {
        let dir = try TemporaryDirectory()
        _ = try makeFixture(dir)
        let good = try FileBytes.read(dir.url("img_align_celeba/000002.jpg"))
        try dir.write("img_align_celeba/000002.jpg", Array(good.prefix(40)))
        assertDatasetError(try CelebA.load(.train, directory: dir.path), contains: ["000002.jpg", "JPEG"])
        try dir.write("img_align_celeba/000002.jpg", text: "hello")
        assertDatasetError(try CelebA.load(.train, directory: dir.path), contains: ["000002.jpg", "not a PNG or JPEG"])
    }
}
