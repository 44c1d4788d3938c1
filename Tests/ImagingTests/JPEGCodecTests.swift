import XCTest
@testable import IllusionImaging

final class JPEGCodecTests: XCTestCase {
    func testRGBRoundTripWithinTolerance() throws {
        let image = TestImages.smoothRGB(width: 48, height: 40)
        let bytes = try JPEGCodec.encode(image, quality: 95)
        XCTAssertTrue(JPEGCodec.hasSignature(bytes))
        let decoded = try JPEGCodec.decode(bytes, source: "smooth.jpg", channels: 3)
        XCTAssertEqual(decoded.width, 48)
        XCTAssertEqual(decoded.height, 40)
        let errors = zip(decoded.pixels, image.pixels).map { abs(Int($0) - Int($1)) }
        let mean = Double(errors.reduce(0, +)) / Double(errors.count)
        XCTAssertLessThan(mean, 2.0)
        XCTAssertLessThanOrEqual(errors.max()!, 16)
    }

    func testGreyRoundTripAndDispatch() throws {
        var pixels: [UInt8] = []
        for y in 0..<32 { for x in 0..<32 { pixels.append(UInt8(60 + 4 * x + 2 * y)) } }
        let image = try PixelImage(width: 32, height: 32, channels: 1, pixels: pixels)
        let bytes = try JPEGCodec.encode(image, quality: 95)
        XCTAssertTrue(JPEGCodec.isGreyscale(bytes))
        let decoded = try PixelImage(encoded: bytes, source: "grey.jpg")
        XCTAssertEqual(decoded.channels, 1)
        let maxError = zip(decoded.pixels, pixels).map { abs(Int($0) - Int($1)) }.max()!
        XCTAssertLessThanOrEqual(maxError, 4)
        let asRGB = try JPEGCodec.decode(bytes, source: "grey.jpg", channels: 3)
        XCTAssertEqual(asRGB.channels, 3)
    }

    func testGarbageThrowsNamingSource() {
        XCTAssertThrowsError(try JPEGCodec.decode([0xFF, 0xD8, 0xFF, 0x00, 1, 2, 3, 4, 5], source: "garbage.jpg")) { error in
            XCTAssertTrue(String(describing: error).contains("garbage.jpg"), "\(error)")
        }
        XCTAssertThrowsError(try JPEGCodec.decode([1, 2, 3], source: "notjpeg.jpg"))
        XCTAssertThrowsError(try JPEGCodec.decode([], source: "empty.jpg"))
    }

    func testTruncatedJPEGDoesNotCrash() throws {
        let bytes = try JPEGCodec.encode(TestImages.smoothRGB(width: 64, height: 64), quality: 90)
        for cut in [3, 10, 100, 300] {
            // Either a clear error or a (partially grey) image; never a crash or out-of-bounds read.
            if let image = try? JPEGCodec.decode(Array(bytes.prefix(cut)), source: "cut.jpg") {
                XCTAssertEqual(image.width, 64)
            }
        }
    }

    func testConcurrentDecodes() throws {
        let bytes = try JPEGCodec.encode(TestImages.smoothRGB(width: 40, height: 30), quality: 90)
        let reference = try JPEGCodec.decode(bytes, source: "ref.jpg")
        let results = UnsafeMutableBufferPointer<Bool>.allocate(capacity: 32)
        defer { results.deallocate() }
        DispatchQueue.concurrentPerform(iterations: 32) { i in
            results[i] = (try? JPEGCodec.decode(bytes, source: "thread\(i).jpg")) == reference
        }
        XCTAssertTrue(results.allSatisfy { $0 })
    }

    func testWriteJPEGFile() throws {
        let directory = TestImages.scratchDirectory("jpeg")
        let path = directory + "/photo.jpg"
        try TestImages.smoothRGB(width: 20, height: 10).writeJPEG(to: path, quality: 90)
        let image = try PixelImage(contentsOfFile: path)
        XCTAssertEqual(image.width, 20)
        XCTAssertEqual(image.channels, 3)
        XCTAssertThrowsError(try JPEGCodec.encode(TestImages.smoothRGB(width: 4, height: 4), quality: 0))
    }
}
