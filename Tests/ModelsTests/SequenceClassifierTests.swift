import Foundation
import XCTest
import IllusionTestSupport
@testable import IllusionModels

/// Sequential Fashion-MNIST on the shared training loop: it learns, checkpoints and resumes bit-identically.
final class SequenceClassifierTests: XCTestCase {
    func config() -> SequenceClassifierConfig {
        var c = SequenceClassifierConfig()
        c.hidden = 32; c.epochs = 2; c.batchSize = 25; c.limit = 2000; c.evalLimit = 1000; c.learningRate = 3e-3; c.seed = 3
        return c
    }

    func testLearnsOnTheSharedLoopAndResumesBitIdentically() throws {
        try requireData(FileManager.default.fileExists(atPath: FashionMNIST.defaultDirectory + "/train-images-idx3-ubyte.gz"),
                        "Fashion-MNIST is not installed (make test installs dataset-fashion-mnist)")
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("seqcls-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let whole = RunFolder(path: root + "/whole"), split = RunFolder(path: root + "/split")
        let summary = try SequenceClassifierTraining.run(config: config(), folder: whole, quiet: true)
        let accuracy = try XCTUnwrap(summary["test_accuracy"] as? Double)
        XCTAssertGreaterThan(accuracy, 0.4, "2 epochs on 2,000 images beat chance (0.10) by far: \(summary)")
        var first = config(); first.epochs = 1
        _ = try SequenceClassifierTraining.run(config: first, folder: split, quiet: true)
        let resumed = try SequenceClassifierTraining.resume(folder: split, overridingEpochs: 2, quiet: true)
        XCTAssertEqual(resumed["test_accuracy"] as? Double, accuracy, "resumed run ends where the uninterrupted one does")
        let a = try SafeTensors(contentsOf: whole.modelPath), b = try SafeTensors(contentsOf: split.modelPath)
        for name in a.names where !name.contains("num_batches") {
            XCTAssertEqual(try a.tensor(name).storage, try b.tensor(name).storage, name)
        }
        for file in ["curves.png", "confusion_matrix.png", "report.html", "metrics.jsonl"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: whole.file(file)), file)
        }
    }
}
