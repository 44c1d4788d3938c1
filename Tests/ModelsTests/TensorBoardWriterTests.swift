import Foundation
import XCTest
@testable import IllusionModels

/// TensorBoard event files: CRC-32C test vectors, TFRecord framing, and a committed event file
/// that the `tensorboard` package's reader read back (`scripts/tensorboard_check.py --write`).
final class TensorBoardWriterTests: XCTestCase {
    var tempDir: String!

    override func setUpWithError() throws {
        tempDir = NSTemporaryDirectory() + "illusion-tensorboard-\(UUID().uuidString)"
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: tempDir) }

    /// The CRC-32C check value and the RFC 3720 (iSCSI) vectors: 32 zero bytes, 32 bytes 0xFF.
    func testCRC32CReferenceVectors() {
        XCTAssertEqual(CRC32C.checksum(Array("123456789".utf8)), 0xE306_9283)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0, count: 32)), 0x8A91_36AA)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)), 0x62A8_AB43)
        XCTAssertEqual(CRC32C.checksum((0..<32).map { UInt8($0) }), 0x46DD_794E)
    }

    /// The fixture's content: three scalars on two tags and one 3×2 RGB picture.
    static func writeFixture(directory: String) throws -> TensorBoardWriter {
        var t = 1_700_000_000.0
        let writer = try TensorBoardWriter(directory: directory, fileName: "events.out.tfevents.1700000000.fixture",
                                           clock: { t += 0.5; return t })
        try writer.scalar(tag: "train/loss", value: 0.75, step: 1)
        try writer.scalar(tag: "train/loss", value: 0.5, step: 2)
        try writer.scalar(tag: "validation/accuracy", value: 0.875, step: 2)
        let picture = try PixelImage(width: 3, height: 2, channels: 3, pixels: [255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9, 9, 128, 128, 128, 250, 250, 250])
        try writer.image(tag: "samples", picture, step: 2)
        try writer.flush()
        return writer
    }

    func fixture(_ name: String) throws -> URL {
        try XCTUnwrap(Bundle.module.url(forResource: "Fixtures", withExtension: nil)).appendingPathComponent("tensorboard/" + name)
    }

    func testEventFileIsByteIdenticalToTheOneTensorBoardReadBack() throws {
        let writer = try Self.writeFixture(directory: tempDir)
        if let out = ProcessInfo.processInfo.environment["ILLUSION_WRITE_TENSORBOARD_FIXTURE"] {
            try writeFileAtomically(out, bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: writer.path))))
        }
        let ours = try Data(contentsOf: URL(fileURLWithPath: writer.path))
        let committed = try Data(contentsOf: fixture("events.out.tfevents.1700000000.fixture"))
        XCTAssertEqual(ours, committed, "the event encoding changed; regenerate the fixture (scripts/tensorboard_check.py)")
        // What tensorboard's EventAccumulator read from the committed file.
        let read = try JSONSerialization.jsonObject(with: Data(contentsOf: fixture("read_back.json"))) as! [String: Any]
        let scalars = read["scalars"] as! [String: [[Double]]]
        XCTAssertEqual(scalars["train/loss"], [[1, 0.75], [2, 0.5]])
        XCTAssertEqual(scalars["validation/accuracy"], [[2, 0.875]])
        let images = read["images"] as! [String: [[Int]]]
        XCTAssertEqual(images["samples"]?.first?.prefix(3), [2, 3, 2])
    }

    /// Our own decode: every record's length and data CRCs check, the first event is the file
    /// version, the scalars come back with their tags, steps and values.
    func testRecordsDecodeWithValidChecksums() throws {
        let writer = try Self.writeFixture(directory: tempDir)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: writer.path)))
        var events: [ProtobufFields] = []
        var i = 0
        func le<T: FixedWidthInteger>(_ at: Int, _ n: Int) -> T { (0..<n).reversed().reduce(T(0)) { $0 << 8 | T(bytes[at + $1]) } }
        while i < bytes.count {
            let length = Int(le(i, 8) as UInt64)
            XCTAssertEqual(le(i + 8, 4) as UInt32, CRC32C.masked(bytes[i..<(i + 8)]), "length CRC at \(i)")
            let data = Array(bytes[(i + 12)..<(i + 12 + length)])
            XCTAssertEqual(le(i + 12 + length, 4) as UInt32, CRC32C.masked(data), "data CRC at \(i)")
            events.append(try ProtobufFields(data))
            i += 12 + length + 4
        }
        XCTAssertEqual(i, bytes.count)
        XCTAssertEqual(events.count, 5)
        XCTAssertEqual(events[0].string(3), "brain.Event:2")
        let value = try XCTUnwrap(events[2].messages(5).first?.messages(1).first)
        XCTAssertEqual(value.string(1), "train/loss")
        XCTAssertEqual(value.all(2), [.fixed32(Float(0.5).bitPattern)])
        XCTAssertEqual(events[2].int(2), 2, "step")
        let image = try XCTUnwrap(events[4].messages(5).first?.messages(1).first?.messages(4).first)
        XCTAssertEqual(image.int(1), 2, "height")
        XCTAssertEqual(image.int(2), 3, "width")
    }

    func testUnwritableDirectoryIsAnError() {
        XCTAssertThrowsError(try TensorBoardWriter(directory: "/proc/illusion-no")) { error in
            XCTAssertTrue("\(error)".contains("--tensorboard /proc/illusion-no"), "\(error)")
        }
    }
}
