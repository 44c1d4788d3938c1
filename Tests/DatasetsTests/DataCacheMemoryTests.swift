import XCTest
import Foundation
import IllusionImaging
@testable import IllusionDatasets

/// What keeps the decoded-image cache's memory flat in the number of images: the streamed
/// fingerprint hash, the compact path list, and batches read through a bounded staging area
/// (prefetched batches give the same bytes as reading them directly or from memory).
final class DataCacheMemoryTests: XCTestCase {
    var dir: String!

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "cache-memory-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }
    override func tearDown() { if let dir { try? FileManager.default.removeItem(atPath: dir) } }

    func testStreamedSHA256MatchesTheOneShotDigestForAnySplit() {
        var g = RandomGenerator(seed: 4)
        let message = (0..<1000).map { _ in UInt8(g.nextInt(below: 256)) }
        let whole = SHA256.digest(message)
        for cut in [0, 1, 55, 63, 64, 65, 127, 500, 999, 1000] {
            var s = SHA256.Stream()
            s.update(Array(message[..<cut]))
            var k = cut
            while k < message.count { let n = min(message.count - k, 1 + k % 37); s.update(Array(message[k..<(k + n)])); k += n }
            XCTAssertEqual(s.finalize(), whole, "split at \(cut)")
        }
        var abc = SHA256.Stream(); abc.update(Array("a".utf8)); abc.update(Array("bc".utf8))
        XCTAssertEqual(abc.finalize().map { String(format: "%02x", $0) }.joined(),
                       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    func testPathListSortsAsStringsDoAndFilters() {
        let names = ["b.png", "a10.png", "a2.png", "Z.png", "é.png", "e\u{301}x.png", "ä.jpg", "a.png", "", "a"]
        let list = PathList(names)
        XCTAssertEqual(list.count, names.count)
        XCTAssertEqual((0..<list.count).map { list[$0] }, names)
        XCTAssertEqual(list.sortedOrder().map { list[$0] }, names.sorted())
        let kept = list.filter { $0 % 3 == 0 }
        XCTAssertEqual((0..<kept.count).map { kept[$0] }, names.enumerated().filter { $0.offset % 3 == 0 }.map(\.element))
        XCTAssertEqual(list.prefix(2).strings(0..<2), ["b.png", "a10.png"])
    }

    /// Writes `count` 8×9 PNGs (different pixels each) into a fresh folder.
    func folder(_ count: Int) throws -> String {
        let path = dir + "/images-\(count)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        var g = RandomGenerator(seed: UInt64(count))
        for i in 0..<count {
            let image = try PixelImage(width: 8, height: 9, channels: 3, pixels: (0..<(8 * 9 * 3)).map { _ in UInt8(g.nextInt(below: 256)) })
            try image.writePNG(to: path + "/img\(i).png")
        }
        return path
    }

    func testStagedBytesStayAtABatchOrTwoWhateverTheImageCountAndBatchesMatchMemory() throws {
        var held: [Int] = []
        for count in [12, 48] {
            let images = try folder(count)
            var o = ImageFolderOptions(imageSize: 8, channels: 3, threads: 2)
            o.cache = .off
            let memory = try ImageFolder.load(directory: images, options: o, warn: { _ in }).dataset
            o.cache = .directory(dir + "/cache")
            let mapped = try ImageFolder.load(directory: images, options: o, warn: { _ in }).dataset
            let file = try XCTUnwrap(mapped.pixels.mappedFile)
            var rng = RandomGenerator(seed: 7)
            let order = rng.permutation(count), batch = 4
            func indices(_ b: Int) -> [Int] { Array(order[(b * batch)..<min(count, (b + 1) * batch)]) }
            var peak = 0
            mapped.prefetchImages(at: indices(0))
            for b in 0..<(count / batch) {
                if b + 1 < count / batch { mapped.prefetchImages(at: indices(b + 1)) }
                if b % 3 == 2 { mapped.prefetchImages(at: [0, 1]) }   // staged but never asked for: dropped, bounded
                file.drain()
                peak = max(peak, file.stagedBytes)
                XCTAssertEqual(mapped.floatImages(at: indices(b), encoding: .symmetricRange).storage,
                               memory.floatImages(at: indices(b), encoding: .symmetricRange).storage, "batch \(b) of \(count)")
            }
            // Read without a prefetch, and in an order that was not staged: the same bytes.
            XCTAssertEqual(mapped.floatImages(at: [3, 1, 2]).storage, memory.floatImages(at: [3, 1, 2]).storage)
            XCTAssertGreaterThan(peak, 0, "prefetched batches were staged")
            XCTAssertLessThanOrEqual(peak, (RecordStaging.capacity + 1) * batch * file.imageBytes)
            held.append(peak)
        }
        XCTAssertEqual(held[0], held[1], "staging does not grow with the number of images")
    }
}
