import Foundation
import XCTest
import IllusionTestSupport
@testable import IllusionModels

/// `--tensorboard DIR` through the executable, for two trainers on the shared loop: the event file
/// our run writes decodes record by record (both CRC-32Cs of every TFRecord), and its scalars are
/// metrics.jsonl's figures under `step/…` and `epoch/…` at the same steps, with the epoch's sample
/// grids as PNG images (the `tensorboard` package's reader: scripts/tensorboard_check.py).
final class TensorBoardCLITests: XCTestCase {
    var dir: String!

    override func setUpWithError() throws {
        try requireData(IllusionExecutable.url != nil, "illusion executable not built next to the tests")
        try requireData(FileManager.default.fileExists(atPath: FashionMNIST.defaultDirectory + "/train-images-idx3-ubyte.gz"),
                        "Fashion-MNIST is not installed (make test installs dataset-fashion-mnist)")
        dir = try makeTemporaryFolder("tb-cli")
    }
    override func tearDown() { if let dir { try? FileManager.default.removeItem(atPath: dir) } }

    struct Event { var step: Int; var tag: String; var scalar: Float?; var image: (width: Int, height: Int, png: [UInt8])? }

    /// Every record of the one event file in `directory`, checked and decoded.
    func events(in directory: String) throws -> [Event] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.contains("tfevents") }
        XCTAssertEqual(files.count, 1, "\(files)")
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory + "/" + XCTUnwrap(files.first))))
        func le<T: FixedWidthInteger>(_ at: Int, _ n: Int) -> T { (0..<n).reversed().reduce(T(0)) { $0 << 8 | T(bytes[at + $1]) } }
        var out: [Event] = [], i = 0, first = true
        while i < bytes.count {
            XCTAssertLessThanOrEqual(i + 12, bytes.count, "torn record header at \(i)")
            let length = Int(le(i, 8) as UInt64)
            XCTAssertEqual(le(i + 8, 4) as UInt32, CRC32C.masked(bytes[i..<(i + 8)]), "length CRC at byte \(i)")
            let data = Array(bytes[(i + 12)..<(i + 12 + length)])
            XCTAssertEqual(le(i + 12 + length, 4) as UInt32, CRC32C.masked(data), "data CRC at byte \(i)")
            i += 16 + length
            let event = try ProtobufFields(data)
            if first { XCTAssertEqual(event.string(3), "brain.Event:2"); first = false; continue }
            let step = Int(try XCTUnwrap(event.int(2)))
            for value in try XCTUnwrap(event.messages(5).first).messages(1) {
                var e = Event(step: step, tag: try XCTUnwrap(value.string(1)), scalar: nil, image: nil)
                if case .fixed32(let bits)? = value.all(2).first { e.scalar = Float(bitPattern: bits) }
                if let image = try value.messages(4).first, case .bytes(let png)? = image.all(4).first {
                    e.image = (Int(image.int(2) ?? 0), Int(image.int(1) ?? 0), png)
                }
                out.append(e)
            }
        }
        XCTAssertEqual(i, bytes.count)
        return out
    }

    /// Each numeric figure of every metrics.jsonl line is one scalar `kind/name` at the line's step.
    func assertScalarsMatchMetrics(_ events: [Event], run: String, file: StaticString = #filePath, line: UInt = #line) {
        let metrics = RunFolder(path: run).readMetrics()
        XCTAssertFalse(metrics.isEmpty, file: file, line: line)
        var expected = 0
        for m in metrics {
            let kind = m["kind"] as! String, step = m["step"] as! Int
            for (name, v) in m where !TrainingLog.positionFields.contains(name) {
                guard let value = (v as? Double) ?? (v as? Int).map(Double.init) else { continue }
                expected += 1
                let found = events.filter { $0.tag == "\(kind)/\(name)" && $0.step == step }
                XCTAssertEqual(found.count, 1, "\(kind)/\(name) at step \(step)", file: file, line: line)
                XCTAssertEqual(Double(found.first?.scalar ?? .nan), value, accuracy: 1e-6 * max(1, abs(value)), "\(kind)/\(name)", file: file, line: line)
            }
        }
        XCTAssertEqual(events.filter { $0.scalar != nil }.count, expected, "no scalar without a metrics.jsonl figure", file: file, line: line)
    }

    func testVAERunWritesStepAndEpochScalarsAndSampleGrids() throws {
        let run = dir + "/vae", board = dir + "/tb-vae"
        let r = try IllusionExecutable.run(["train", "vae", "--arch", "mlp", "--latent-dim", "4", "--limit", "240", "--batch-size", "20",
                                            "--max-steps", "4", "--epochs", "2", "--log-every", "2", "--threads", "1", "--quiet",
                                            "--tensorboard", board, "--out", run])
        XCTAssertEqual(r.status, 0, r.stderr)
        let events = try events(in: board)
        assertScalarsMatchMetrics(events, run: run)
        XCTAssertEqual(Set(events.filter { $0.tag == "step/loss" }.map(\.step)), [2, 4, 6, 8])
        XCTAssertEqual(events.filter { $0.tag == "epoch/val_neg_elbo" }.map(\.step), [4, 8])
        for tag in ["samples", "reconstructions"] {
            let images = events.filter { $0.tag == tag }
            XCTAssertEqual(images.map(\.step), [4, 8], tag)
            for image in images.compactMap(\.image) {
                let decoded = try PNGCodec.decode(image.png, source: tag)
                XCTAssertEqual([decoded.width, decoded.height], [image.width, image.height], tag)
            }
        }
    }

    func testCNNRunWritesEpochScalars() throws {
        let run = dir + "/cnn", board = dir + "/tb-cnn"
        let r = try IllusionExecutable.run(["train", "cnn", "--arch", "seed", "--filters", "4,8", "--dense-units", "16", "--limit", "240", "--batch-size", "20",
                                            "--max-steps", "3", "--epochs", "2", "--threads", "1", "--quiet",
                                            "--tensorboard", board, "--out", run])
        XCTAssertEqual(r.status, 0, r.stderr)
        let events = try events(in: board)
        assertScalarsMatchMetrics(events, run: run)
        XCTAssertEqual(events.filter { $0.tag.hasPrefix("epoch/") && $0.tag.contains("accuracy") }.map(\.step).max(), 6)
        XCTAssertTrue(events.allSatisfy { $0.image == nil })
    }

    /// The comparison trainers (`train mlp`, `linear-regression`) replay their finished run: one
    /// scalar `<series>=<value>/<field>` per metrics.jsonl figure at its epoch, and the run's pictures.
    func testComparisonTrainersReplayTheirCurvesPerModel() throws {
        let mlp = dir + "/mlp", mlpBoard = dir + "/tb-mlp"
        var r = try IllusionExecutable.run(["train", "mlp", "--samples", "120", "--hidden-layers", "0,2", "--epochs", "3",
                                            "--quiet", "--tensorboard", mlpBoard, "--out", mlp])
        XCTAssertEqual(r.status, 0, r.stderr)
        var events = try events(in: mlpBoard)
        for m in RunFolder(path: mlp).readMetrics() {
            let tag = "hidden_layers=\(m["hidden_layers"]!)/train_loss", epoch = m["epoch"] as! Int
            let found = events.filter { $0.tag == tag && $0.step == epoch }
            XCTAssertEqual(found.count, 1, "\(tag) at \(epoch)")
            XCTAssertEqual(Double(found.first?.scalar ?? .nan), m["train_loss"] as! Double, accuracy: 1e-5)
        }
        XCTAssertEqual(Set(events.compactMap { $0.scalar == nil ? nil : $0.tag }), ["hidden_layers=0/train_loss", "hidden_layers=2/train_loss"])
        XCTAssertFalse(events.filter { $0.image != nil }.isEmpty, "the decision-boundary pictures")

        let linear = dir + "/linear", linearBoard = dir + "/tb-linear"
        r = try IllusionExecutable.run(["train", "linear-regression", "--samples", "100", "--epochs", "4", "--optimizers", "gd,adam",
                                        "--quiet", "--tensorboard", linearBoard, "--out", linear])
        XCTAssertEqual(r.status, 0, r.stderr)
        events = try self.events(in: linearBoard)
        let metrics = RunFolder(path: linear).readMetrics()
        for optimizer in ["adam", "gd"] {
            let lines = metrics.filter { $0["optimizer"] as? String == optimizer }.count
            XCTAssertGreaterThanOrEqual(lines, 4)
            XCTAssertEqual(events.filter { $0.tag == "optimizer=\(optimizer)/train_loss" }.count, lines, optimizer)
        }
    }
}
