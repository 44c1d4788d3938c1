import XCTest
import Foundation
import IllusionImaging
@testable import IllusionDatasets

/// The on-disk decoded-image cache: the same bytes and batches as decoding into memory, reuse
/// while the source is unchanged, a rebuild when it changed or the file is damaged, views for
/// subsets, bounded resident pages.
final class DecodedImageCacheTests: XCTestCase {
    var dir: String!
    var images: String { dir + "/images" }
    var cache: String { dir + "/cache" }

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "image-cache-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir + "/images/a", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/images/b", withIntermediateDirectories: true)
        var g = RandomGenerator(seed: 3)
        for i in 0..<9 {
            let w = 10 + i, h = 12
            let image = try PixelImage(width: w, height: h, channels: 3, pixels: (0..<(w * h * 3)).map { _ in UInt8(g.nextInt(below: 256)) })
            try image.writePNG(to: dir + "/images/\(i % 2 == 0 ? "a" : "b")/img\(i).png")
        }
    }
    override func tearDown() { if let dir { try? FileManager.default.removeItem(atPath: dir) } }

    func options(_ cache: DataCachePolicy) -> ImageFolderOptions {
        var o = ImageFolderOptions(imageSize: 8, channels: 3, threads: 2)
        o.cache = cache
        return o
    }

    func cacheFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: cache).filter { $0.hasSuffix(".cache") }.map { cache + "/" + $0 }
    }

    func testCachedFolderHasTheSameBytesLabelsAndBatchesAsMemory() throws {
        let memory = try ImageFolder.load(directory: images, options: options(.off), warn: { _ in }).dataset
        let mapped = try ImageFolder.load(directory: images, options: options(.directory(cache)), warn: { _ in }).dataset
        XCTAssertNil(memory.pixels.mappedFile)
        let file = try XCTUnwrap(mapped.pixels.mappedFile)
        XCTAssertEqual(file.header.count, 9)
        XCTAssertEqual(mapped.images, memory.images)
        XCTAssertEqual(mapped.labels, memory.labels)
        XCTAssertEqual(mapped.classNames, ["a", "b"])
        for encoding in [PixelEncoding.unitRange, .symmetricRange, .bernoulli] {
            var g1 = RandomGenerator(seed: 9), g2 = RandomGenerator(seed: 9)
            XCTAssertEqual(mapped.floatImages(at: [4, 0, 8, 3], encoding: encoding, generator: &g1).storage,
                           memory.floatImages(at: [4, 0, 8, 3], encoding: encoding, generator: &g2).storage)
        }
        // Splits and subsets of a mapped set are views with the same bytes.
        let (mt, mv) = try mapped.split(validationFraction: 0.3, seed: 1), (nt, nv) = try memory.split(validationFraction: 0.3, seed: 1)
        XCTAssertNotNil(mt.pixels.mappedFile)
        XCTAssertEqual(mt.images, nt.images); XCTAssertEqual(mv.images, nv.images)
        XCTAssertEqual(Array(mt.imageBytes(at: 2)), Array(nt.imageBytes(at: 2)))
        // DataLoader batches (background prefetch thread) are identical too.
        let a = try DataLoader(dataset: mapped, batchSize: 4, seed: 5).batches(epoch: 1).map(\.images.storage)
        let b = try DataLoader(dataset: memory, batchSize: 4, seed: 5).batches(epoch: 1).map(\.images.storage)
        XCTAssertEqual(a, b)
        mapped.prefetchImages(at: [1, 2, 3])
        file.drain()
    }

    func testUnchangedSourceReusesTheFileAndAChangedSourceRebuildsIt() throws {
        _ = try ImageFolder.load(directory: images, options: options(.directory(cache)), warn: { _ in })
        let path = try XCTUnwrap(try cacheFiles().first)
        XCTAssertEqual(try cacheFiles().count, 1)
        let inode = try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? Int
        _ = try ImageFolder.load(directory: images, options: options(.directory(cache)), warn: { _ in })
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? Int, inode, "reused, not rewritten")

        // Rewrite one image (new pixels, new size and mtime): the cache notices and rebuilds.
        let changed = try PixelImage(width: 14, height: 14, channels: 3, pixels: [UInt8](repeating: 77, count: 14 * 14 * 3))
        try changed.writePNG(to: images + "/a/img0.png")
        let fresh = try ImageFolder.load(directory: images, options: options(.directory(cache)), warn: { _ in }).dataset
        XCTAssertNotEqual(try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? Int, inode, "rebuilt")
        XCTAssertEqual(fresh.images, try ImageFolder.load(directory: images, options: options(.off), warn: { _ in }).dataset.images)
        XCTAssertEqual(Array(fresh.imageBytes(at: 0)), [UInt8](repeating: 77, count: 8 * 8 * 3))
        XCTAssertEqual(try cacheFiles().count, 1, "the stale file is replaced under the same name")

        // A file added: rebuilt with ten images.
        try changed.writePNG(to: images + "/b/img9.png")
        XCTAssertEqual(try ImageFolder.load(directory: images, options: options(.directory(cache)), warn: { _ in }).dataset.count, 10)
        XCTAssertEqual(try MappedImageFile(path: path).header.count, 10)
    }

    func testTruncatedOrDamagedCacheIsRefusedAndRebuilt() throws {
        let memory = try ImageFolder.load(directory: images, options: options(.off), warn: { _ in }).dataset
        _ = try ImageFolder.load(directory: images, options: options(.directory(cache)), warn: { _ in })
        let path = try XCTUnwrap(try cacheFiles().first)
        let whole = try XCTUnwrap(FileManager.default.contents(atPath: path))

        // Cut short: the size check refuses it in one line naming the file.
        try whole.prefix(whole.count - 100).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try MappedImageFile(path: path)) { error in
            XCTAssertEqual("\(error)".split(separator: "\n").count, 1)
            XCTAssertTrue("\(error)".contains(path) && "\(error)".contains("truncated"), "\(error)")
        }
        XCTAssertEqual(try ImageFolder.load(directory: images, options: options(.directory(cache)), warn: { _ in }).dataset.images, memory.images)
        XCTAssertNoThrow(try MappedImageFile(path: path), "rebuilt")

        // A damaged index entry (same size): the checksum refuses it.
        var damaged = [UInt8](whole)
        damaged[damaged.count - 3] ^= 0x40
        try Data(damaged).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try MappedImageFile(path: path)) { XCTAssertTrue("\($0)".contains("checksum"), "\($0)") }
        // Not a cache at all.
        try Data("hello".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try MappedImageFile(path: path)) { XCTAssertTrue("\($0)".contains("shorter than"), "\($0)") }
        XCTAssertEqual(try ImageFolder.load(directory: images, options: options(.directory(cache)), warn: { _ in }).dataset.images, memory.images)
    }

    func testUndecodableFilesAreSkippedThroughTheCacheToo() throws {
        let whole = [UInt8](try XCTUnwrap(FileManager.default.contents(atPath: images + "/b/img3.png")))
        try Data(whole.prefix(whole.count / 2)).write(to: URL(fileURLWithPath: images + "/b/img3.png"))
        var o = options(.directory(cache)); o.skipUndecodable = true
        var warnings: [String] = []
        let mapped = try ImageFolder.load(directory: images, options: o, warn: { warnings.append($0) })
        XCTAssertEqual(mapped.undecodableFiles, [images + "/b/img3.png"])
        XCTAssertTrue(warnings.contains { $0.contains("skipped 1 undecodable image of 9") }, "\(warnings)")
        var m = options(.off); m.skipUndecodable = true
        let memory = try ImageFolder.load(directory: images, options: m, warn: { _ in }).dataset
        XCTAssertEqual(mapped.dataset.images, memory.images)
        XCTAssertEqual(mapped.dataset.labels, memory.labels)
        // Reused from the cache: the same skip is reported again.
        let again = try ImageFolder.load(directory: images, options: o, warn: { _ in })
        XCTAssertEqual(again.undecodableFiles, [images + "/b/img3.png"])
    }

    func testAutoKeepsSmallLoadsInMemory() {
        XCTAssertNil(DataCachePolicy.auto.directory(forDecodedBytes: 1 << 20))
        XCTAssertNotNil(DataCachePolicy.auto.directory(forDecodedBytes: (1 << 30) + 1))
        XCTAssertNil(DataCachePolicy(argument: "off").directory(forDecodedBytes: 1 << 40))
        XCTAssertEqual(DataCachePolicy(argument: "/x").directory(forDecodedBytes: 1), "/x")
    }
}
