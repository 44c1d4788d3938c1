import XCTest
import IllusionTestSupport
import Foundation
@testable import IllusionModels

/// `--data-cache` and `--skip-bad-images` through the executable: a tiny image folder trained a
/// few DCGAN steps from memory and from the on-disk cache ends with identical weights; a
/// truncated image stops the run naming it, or is skipped and counted with the flag.
final class DataCacheCLITests: XCTestCase {
    var dir: String!

    override func setUpWithError() throws {
        try requireData(IllusionExecutable.url != nil, "illusion executable not built next to the tests")
        dir = NSTemporaryDirectory() + "illusion-data-cache-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir + "/images", withIntermediateDirectories: true)
        var g = RandomGenerator(seed: 8)
        for i in 0..<24 {
            let image = try PixelImage(width: 20, height: 18, channels: 3, pixels: (0..<(20 * 18 * 3)).map { _ in UInt8(g.nextInt(below: 256)) })
            try image.writePNG(to: dir + "/images/face\(i).png")
        }
    }
    override func tearDown() { if let dir { try? FileManager.default.removeItem(atPath: dir) } }

    func train(_ out: String, _ extra: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try IllusionExecutable.run(["train", "dcgan", "--dataset", "folder", "--data", dir + "/images", "--image-size", "16",
                                    "--width", "4", "--noise-dim", "8", "--batch-size", "8", "--epochs", "2", "--max-steps", "2",
                                    "--threads", "1", "--quiet", "--out", out] + extra)
    }

    func testCachedAndInMemoryTrainingEndWithIdenticalWeights() throws {
        let memory = try train(dir + "/memory", ["--data-cache", "off"])
        XCTAssertEqual(memory.status, 0, memory.stderr)
        let cached = try train(dir + "/cached", ["--data-cache", dir + "/cache"])
        XCTAssertEqual(cached.status, 0, cached.stderr)
        XCTAssertTrue(cached.stderr.contains("data cache: decoding"), cached.stderr)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir + "/cache").filter { $0.hasSuffix(".cache") }
        XCTAssertEqual(files.count, 1, "\(files)")
        let a = try XCTUnwrap(FileManager.default.contents(atPath: dir + "/memory/model.safetensors"))
        let b = try XCTUnwrap(FileManager.default.contents(atPath: dir + "/cached/model.safetensors"))
        XCTAssertEqual(a, b, "the same batches, bit for bit")
        // A second run maps the existing file (and may be resumed with another --data-cache).
        let again = try train(dir + "/again", ["--data-cache", dir + "/cache"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stderr.contains("data cache: using"), again.stderr)
        XCTAssertEqual(FileManager.default.contents(atPath: dir + "/again/model.safetensors"), a)
    }

    func testTruncatedImageStopsTheRunOrIsSkippedAndCountedWithTheFlag() throws {
        let bad = dir + "/images/face5.png"
        let whole = [UInt8](try XCTUnwrap(FileManager.default.contents(atPath: bad)))
        try Data(whole.prefix(whole.count / 2)).write(to: URL(fileURLWithPath: bad))
        let refused = try train(dir + "/refused", [])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("face5.png"), refused.stderr)
        let skipped = try train(dir + "/skipped", ["--skip-bad-images"])
        XCTAssertEqual(skipped.status, 0, skipped.stderr)
        XCTAssertTrue(skipped.stderr.contains("skipped 1 undecodable image of 24"), skipped.stderr)
        let config = try String(contentsOfFile: dir + "/skipped/config.json", encoding: .utf8)
        XCTAssertTrue(config.contains("\"skipUndecodable\" : true"), config)
    }
}
