import XCTest
@testable import IllusionDatasets

final class IDXFileTests: XCTestCase {
    func writePair(_ dir: TemporaryDirectory, images n: Int, labels m: Int, gzip: Bool, prefix: String = "train") throws -> [UInt8] {
        let pixels = fixtureBytes(n * 28 * 28, seed: 7)
        var img = IDXFile.encode(uint8: pixels, dimensions: [n, 28, 28])
        var lab = IDXFile.encode(uint8: (0..<m).map { UInt8($0 % 10) }, dimensions: [m])
        let ext = gzip ? ".gz" : ""
        if gzip { img = gzipCompress(img); lab = gzipCompress(lab) }
        try dir.write("\(prefix)-images-idx3-ubyte\(ext)", img)
        try dir.write("\(prefix)-labels-idx1-ubyte\(ext)", lab)
        return pixels
    }

    func testRawAndGzipRoundTrip() throws {
        for gzip in [false, true] {
            let dir = try TemporaryDirectory()
            let pixels = try writePair(dir, images: 25, labels: 25, gzip: gzip)
            let ds = try MNIST.load(.train, directory: dir.path)
            XCTAssertEqual(ds.count, 25)
            XCTAssertEqual([ds.channels, ds.height, ds.width], [1, 28, 28])
            XCTAssertEqual(ds.images, pixels)
            XCTAssertEqual(ds.labels, (0..<25).map { $0 % 10 })
            XCTAssertEqual(ds.classNames.count, 10)
        }
    }

    func testPaddingTo32AndLimit() throws {
        let dir = try TemporaryDirectory()
        let pixels = try writePair(dir, images: 5, labels: 5, gzip: true)
        let ds = try MNIST.load(.train, directory: dir.path, options: IDXImageOptions(padding: 2, limit: 3))
        XCTAssertEqual(ds.count, 3)
        XCTAssertEqual([ds.height, ds.width], [32, 32])
        for i in 0..<3 {
            let img = Array(ds.imageBytes(at: i))
            for y in 0..<32 {
                for x in 0..<32 {
                    let inside = (2..<30).contains(y) && (2..<30).contains(x)
                    let expected = inside ? pixels[i * 784 + (y - 2) * 28 + (x - 2)] : 0
                    XCTAssertEqual(img[y * 32 + x], expected)
                }
            }
        }
    }

    func testEncodings() throws {
        let dir = try TemporaryDirectory()
        _ = try writePair(dir, images: 4, labels: 4, gzip: false)
        let ds = try MNIST.load(.train, directory: dir.path)
        let unit = ds.floatImages(at: [0, 1, 2, 3], encoding: .unitRange)
        XCTAssertEqual(unit.shape, [4, 1, 28, 28])
        XCTAssertEqual(unit.storage.max()!, 1, accuracy: 0.01)
        XCTAssertGreaterThanOrEqual(unit.storage.min()!, 0)
        for (f, b) in zip(unit.storage, ds.images) { XCTAssertEqual(f, Float(b) / 255) }
        let fixed = ds.floatImages(at: [0, 1, 2, 3], encoding: .binarized(threshold: 0.5))
        for (f, b) in zip(fixed.storage, ds.images) { XCTAssertEqual(f, b > 127 ? 1 : 0) }
        // Dynamic binarization: values are 0/1, mean tracks the pixel intensity, and differs per draw.
        var g = RandomGenerator(seed: 3)
        let a = ds.floatImages(at: [0, 1, 2, 3], encoding: .bernoulli, generator: &g)
        let b = ds.floatImages(at: [0, 1, 2, 3], encoding: .bernoulli, generator: &g)
        XCTAssertTrue(a.storage.allSatisfy { $0 == 0 || $0 == 1 })
        XCTAssertNotEqual(a.storage, b.storage)
        let meanPixel = Float(ds.images.reduce(0) { $0 + Int($1) }) / Float(ds.images.count) / 255
        let meanA = a.storage.reduce(0, +) / Float(a.count)
        XCTAssertEqual(meanA, meanPixel, accuracy: 0.03)
    }

    func testWrongMagic() throws {
        let dir = try TemporaryDirectory()
        var bytes = IDXFile.encode(uint8: [1, 2, 3], dimensions: [3])
        bytes[0] = 0x42
        let p = try dir.write("bad.idx", bytes)
        assertDatasetError(try IDXFile(contentsOf: p), contains: [p, "wrong IDX magic"])
        bytes = IDXFile.encode(uint8: [1, 2, 3], dimensions: [3]); bytes[2] = 0x07
        let q = try dir.write("badtype.idx", bytes)
        assertDatasetError(try IDXFile(contentsOf: q), contains: [q, "element type"])
    }

    func testDimensionsMustMatchPayload() throws {
        let dir = try TemporaryDirectory()
        let short = try dir.write("short.idx", IDXFile.encode(uint8: [1, 2, 3], dimensions: [4]))
        assertDatasetError(try IDXFile(contentsOf: short), contains: [short, "truncated", "need 4 bytes, found 3"])
        let long = try dir.write("long.idx", IDXFile.encode(uint8: [1, 2, 3, 4, 5], dimensions: [4]))
        assertDatasetError(try IDXFile(contentsOf: long), contains: [long, "1 extra bytes"])
        // A hostile header claiming a huge array must not allocate or read past the buffer.
        let huge = try dir.write("huge.idx", IDXFile.encode(uint8: [1], dimensions: [0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF]))
        assertDatasetError(try IDXFile(contentsOf: huge), contains: [huge])
        let hugeGz = try dir.write("huge.idx.gz", gzipCompress(IDXFile.encode(uint8: [1, 2], dimensions: [2_000_000_000, 2])))
        assertDatasetError(try IDXFile(contentsOf: hugeGz), contains: [hugeGz, "more than this", "gzip file can hold"])
        let shortGz = try dir.write("short.idx.gz", gzipCompress(IDXFile.encode(uint8: [1, 2, 3], dimensions: [4])))
        assertDatasetError(try IDXFile(contentsOf: shortGz), contains: [shortGz, "truncated", "need 4 bytes"])
        let longGz = try dir.write("long.idx.gz", gzipCompress(IDXFile.encode(uint8: [1, 2, 3, 4, 5], dimensions: [4])))
        assertDatasetError(try IDXFile(contentsOf: longGz), contains: [longGz, "extra bytes"])
        let headerGz = try dir.write("header.idx.gz", gzipCompress([0, 0, 8, 3, 0, 0]))
        assertDatasetError(try IDXFile(contentsOf: headerGz), contains: [headerGz, "declares 3 dimensions"])
        let magicGz = try dir.write("magic.idx.gz", gzipCompress([0x50, 0x4B, 3, 4, 0, 0, 0, 0]))
        assertDatasetError(try IDXFile(contentsOf: magicGz), contains: [magicGz, "wrong IDX magic 50 4b 03 04"])
        let header = try dir.write("header.idx", [0, 0, 8, 3, 0, 0])
        assertDatasetError(try IDXFile(contentsOf: header), contains: [header, "declares 3 dimensions"])
        let tiny = try dir.write("tiny.idx", [0, 0])
        assertDatasetError(try IDXFile(contentsOf: tiny), contains: [tiny, "shorter than its 4-byte magic"])
    }

    func testLabelImageCountMismatch() throws {
        let dir = try TemporaryDirectory()
        _ = try writePair(dir, images: 6, labels: 5, gzip: true)
        assertDatasetError(try MNIST.load(.train, directory: dir.path),
                           contains: ["train-labels-idx1-ubyte.gz", "5 labels", "has 6 images"])
    }

    func testLabelOutOfRange() throws {
        let dir = try TemporaryDirectory()
        _ = try writePair(dir, images: 2, labels: 2, gzip: false)
        try dir.write("train-labels-idx1-ubyte", IDXFile.encode(uint8: [3, 12], dimensions: [2]))
        assertDatasetError(try MNIST.load(.train, directory: dir.path), contains: ["train-labels-idx1-ubyte", "label 12 at item 1"])
    }

    func testTruncatedAndCorruptGzip() throws {
        let dir = try TemporaryDirectory()
        let payload = IDXFile.encode(uint8: fixtureBytes(5000, seed: 1), dimensions: [5000])
        let gz = gzipCompress(payload)
        let cut = try dir.write("cut.gz", Array(gz[0..<(gz.count / 2)]))
        assertDatasetError(try IDXFile(contentsOf: cut), contains: [cut, "truncated gzip"])
        let noTrailer = try dir.write("notrailer.gz", Array(gz[0..<(gz.count - 3)]))
        assertDatasetError(try IDXFile(contentsOf: noTrailer), contains: [noTrailer, "truncated gzip"])
        var flipped = gz; flipped[gz.count / 2] ^= 0xFF
        let corrupt = try dir.write("corrupt.gz", flipped)
        assertDatasetError(try IDXFile(contentsOf: corrupt), contains: [corrupt, "gzip"])
        var badCRC = gz; badCRC[gz.count - 6] ^= 0x01
        let crc = try dir.write("crc.gz", badCRC)
        assertDatasetError(try IDXFile(contentsOf: crc), contains: [crc, "corrupt gzip", "check"])
        let header = try dir.write("header.gz", [0x1F, 0x8B, 8])
        assertDatasetError(try IDXFile(contentsOf: header), contains: [header, "truncated gzip"])
        let garbage = try dir.write("garbage.gz", [0x1F, 0x8B] + fixtureBytes(100, seed: 9))
        assertDatasetError(try IDXFile(contentsOf: garbage), contains: [garbage, "gzip"])
        // Every prefix of a valid stream is rejected cleanly, never a crash.
        for n in stride(from: 0, to: gz.count, by: max(1, gz.count / 97)) {
            XCTAssertThrowsError(try GzipInflater.inflate(Array(gz[0..<n]), source: "prefix"))
        }
        XCTAssertEqual(try GzipInflater.inflate(gz, source: "ok"), payload)
        // Concatenated members decode to the concatenation.
        XCTAssertEqual(try GzipInflater.inflate(gzipCompress([1, 2]) + gzipCompress([3]), source: "multi"), [1, 2, 3])
    }

    func testMissingPaths() throws {
        let dir = try TemporaryDirectory()
        assertDatasetError(try MNIST.load(.train, directory: dir.url("nope")), contains: ["nope", "does not exist"])
        assertDatasetError(try MNIST.load(.train, directory: dir.path), contains: ["train-labels-idx1-ubyte.gz", "no such file"])
        assertDatasetError(try IDXFile(contentsOf: dir.path), contains: [dir.path, "is a directory"])
        assertDatasetError(try MNIST.load(.validation, directory: dir.path), contains: ["only train and test"])
    }
}
