import Foundation
import XCTest
import IllusionTestSupport
@testable import IllusionModels

/// `train char-lm --resume`, through the executable: the run's config.json decides the model, the
/// recipe and the text (no --data needed); a flag that would change them is refused in one line; a
/// different text given with --data is refused; the transformer resumes without --arch.
final class CharLMResumeCLITests: XCTestCase {
    var dir: String!

    override func setUpWithError() throws {
        try requireData(IllusionExecutable.url != nil, "illusion executable not built next to the tests")
        dir = try makeTemporaryFolder("charlm-resume")
    }
    override func tearDown() { if let dir { try? FileManager.default.removeItem(atPath: dir) } }

    func text(_ name: String, _ line: String) throws -> String {
        let path = dir + "/" + name
        try String(repeating: line, count: 60).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testRecurrentResumeReadsTheRunsTextAndRefusesModelFlags() throws {
        let corpus = try text("a.txt", "to be or not to be, that is the question.\n")
        let run = dir + "/gru"
        let first = try IllusionExecutable.run(["train", "char-lm", "--data", corpus, "--arch", "gru", "--hidden", "12", "--embedding", "6",
                                                "--layers", "1", "--seq-len", "10", "--batch-size", "4", "--max-steps", "3",
                                                "--sample-length", "4", "--threads", "1", "--quiet", "--out", run])
        XCTAssertEqual(first.status, 0, first.stderr)
        // Neither --data nor --arch nor the sizes: all come from config.json.
        let more = try IllusionExecutable.run(["train", "char-lm", "--resume", "--epochs", "2", "--threads", "1", "--quiet", "--out", run])
        XCTAssertEqual(more.status, 0, more.stderr)
        let epochs = RunFolder(path: run).readMetrics().filter { $0["kind"] as? String == "epoch" }.count
        XCTAssertEqual(epochs, 2)
        let changed = try IllusionExecutable.run(["train", "char-lm", "--resume", "--epochs", "3", "--hidden", "32", "--out", run])
        XCTAssertNotEqual(changed.status, 0)
        XCTAssertTrue(changed.stderr.contains("--hidden would change the model"), changed.stderr)
        XCTAssertEqual(changed.stderr.split(separator: "\n").count, 1, changed.stderr)
        // Same characters, another text: the vocabulary fits, the corpus's hash does not.
        let other = try text("b.txt", "that is the question, to be or not to be.\n")
        let wrongText = try IllusionExecutable.run(["train", "char-lm", "--resume", "--epochs", "3", "--data", other, "--out", run])
        XCTAssertNotEqual(wrongText.status, 0)
        XCTAssertTrue(wrongText.stderr.contains("not the text"), wrongText.stderr)
    }

    func testTransformerResumesWithoutItsFlags() throws {
        let corpus = try text("a.txt", "to be or not to be, that is the question.\n")
        let run = dir + "/gpt"
        let base = ["train", "char-lm", "--data", corpus, "--arch", "transformer", "--layers", "1", "--embed", "8", "--heads", "2",
                    "--block", "8", "--batch-size", "2", "--warmup-steps", "1", "--eval-interval", "2", "--sample-length", "4",
                    "--threads", "1", "--quiet"]
        let first = try IllusionExecutable.run(base + ["--steps", "4", "--out", run])
        XCTAssertEqual(first.status, 0, first.stderr)
        let checkpoints = try FileManager.default.contentsOfDirectory(atPath: run + "/checkpoints").sorted()
        let step2 = try XCTUnwrap(checkpoints.first { $0.hasSuffix("000002") }, "\(checkpoints)")
        let resumed = try IllusionExecutable.run(["train", "char-lm", "--resume-from", run + "/checkpoints/" + step2,
                                                  "--threads", "1", "--quiet", "--out", run])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        let refused = try IllusionExecutable.run(["train", "char-lm", "--resume", "--embed", "16", "--out", run])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("--embed would change"), refused.stderr)
    }
}
