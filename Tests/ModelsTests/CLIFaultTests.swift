import XCTest
import IllusionTestSupport
import Foundation
@testable import IllusionModels

/// Faults from outside, through the real executable: kill -9 at random instants (during steps and
/// during checkpoint writes), Ctrl-C, flags that would change a resumed run, two trainings in one folder.
final class CLIFaultTests: XCTestCase {
    var dir: String!

    override func setUpWithError() throws {
        try requireData(IllusionExecutable.url != nil, "illusion executable not built next to the tests")
        try requireData(FileManager.default.fileExists(atPath: FashionMNIST.defaultDirectory + "/train-images-idx3-ubyte.gz"),
                        "Fashion-MNIST is not installed (make test installs dataset-fashion-mnist)")
        dir = try makeTemporaryFolder("faults")
    }
    override func tearDown() { if let dir { try? FileManager.default.removeItem(atPath: dir) } }

    /// A small VAE run: 2 epochs × 6 steps, a checkpoint after every step.
    func trainArguments(_ out: String, checkpointEvery: Int = 1, limit: Int = 240, steps: Int = 6, quiet: Bool = true,
                        arch: String = "mlp") -> [String] {
        ["train", "vae", "--arch", arch, "--latent-dim", "4", "--limit", "\(limit)", "--batch-size", "20", "--max-steps", "\(steps)",
         "--epochs", "2", "--checkpoint-every", "\(checkpointEvery)", "--threads", "1", "--out", out] + (quiet ? ["--quiet"] : [])
    }

    func start(_ arguments: [String]) throws -> Process {
        let p = Process()
        p.executableURL = try XCTUnwrap(IllusionExecutable.url)
        p.arguments = arguments
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        return p
    }

    func weights(_ run: String) throws -> [String: [Float]] {
        let file = try SafeTensors(contentsOf: run + "/model.safetensors")
        var out: [String: [Float]] = [:]
        for name in file.names { out[name] = try file.floats(name) }
        return out
    }

    /// kill -9 at random instants, resume each time (or start again when nothing was committed):
    /// the final weights equal an uninterrupted run's bit for bit.
    func testKillNineAtRandomInstantsThenResumeIsBitIdentical() throws {
        let straight = dir + "/straight"
        let r = try IllusionExecutable.run(trainArguments(straight))
        XCTAssertEqual(r.status, 0, r.stderr)
        let killed = dir + "/killed"
        var g = RandomGenerator(seed: 2024)
        var kills = 0, finished = false
        for attempt in 0..<12 {
            let resume = FileManager.default.fileExists(atPath: killed + "/checkpoints")
                && !CheckpointStore(run: RunFolder(path: killed)).stepFolders().isEmpty
            let p = try start(resume ? ["train", "vae", "--out", killed, "--resume", "--threads", "1", "--quiet"] : trainArguments(killed))
            if attempt < 10 {
                usleep(useconds_t(50_000 + g.nextInt(below: 900_000)))
                if p.isRunning { kill(p.processIdentifier, SIGKILL); kills += 1 }
            }
            p.waitUntilExit()
            if p.terminationReason == .exit && p.terminationStatus == 0 { finished = true; break }
        }
        XCTAssertTrue(finished, "the run never completed")
        XCTAssertGreaterThan(kills, 0, "no kill landed; the test proved nothing")
        XCTAssertTrue(try weights(killed) == weights(straight), "the weights differ from the uninterrupted run's after \(kills) kills")
        let epochs = RunFolder(path: killed).readMetrics().filter { $0["kind"] as? String == "epoch" }.compactMap { $0["epoch"] as? Int }
        XCTAssertEqual(epochs, [1, 2], "metrics.jsonl keeps one line per epoch")
    }

    /// SIGINT: the step finishes, a checkpoint is written, exit 130 with the resume hint; resuming
    /// completes to the uninterrupted weights.
    func testInterruptWritesACheckpointAndSaysHowToResume() throws {
        let straight = dir + "/straight"
        XCTAssertEqual(try IllusionExecutable.run(trainArguments(straight, checkpointEvery: 0, limit: 2400, steps: 60, arch: "fashion")).status, 0)
        let run = dir + "/interrupted"
        let p = Process()
        p.executableURL = try XCTUnwrap(IllusionExecutable.url)
        p.arguments = trainArguments(run, checkpointEvery: 0, limit: 2400, steps: 60, quiet: false, arch: "fashion")  // no step checkpoints
        let err = Pipe()
        p.standardError = err; p.standardOutput = FileHandle.nullDevice
        try p.run()
        // Wait until training has started (the first progress line), then interrupt.
        let deadline = Date().addingTimeInterval(60)
        while p.isRunning && !FileManager.default.fileExists(atPath: run + "/.lock") && Date() < deadline { usleep(10_000) }
        usleep(300_000)
        kill(p.processIdentifier, SIGINT)
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        if p.terminationStatus == 0 { throw XCTSkip("the run finished before the interrupt arrived") }
        XCTAssertEqual(p.terminationStatus, 130, text)
        XCTAssertTrue(text.contains("interrupted at epoch") && text.contains("resume with --resume"), text)
        let resumed = try IllusionExecutable.run(["train", "vae", "--out", run, "--resume", "--threads", "1", "--quiet"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(try weights(run) == weights(straight), "the resumed run's weights differ from the uninterrupted run's")
    }

    /// --resume takes the run's own config: a flag that would change the model or data is refused by
    /// name; --epochs extends the run and is recorded in config.json.
    func testResumeRefusesFlagsThatChangeTheRun() throws {
        let run = dir + "/r"
        XCTAssertEqual(try IllusionExecutable.run(trainArguments(run)).status, 0)
        let refused = try IllusionExecutable.run(["train", "vae", "--out", run, "--resume", "--lr", "1", "--image-size", "64"])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("--lr") && refused.stderr.contains("--image-size"), refused.stderr)
        XCTAssertEqual(refused.stderr.split(separator: "\n").count, 1, refused.stderr)
        let more = try IllusionExecutable.run(["train", "vae", "--out", run, "--resume", "--epochs", "3", "--threads", "1", "--quiet"])
        XCTAssertEqual(more.status, 0, more.stderr)
        let config = try RunFolder(path: run).readJSON(VAERunConfig.self, from: "config.json")
        XCTAssertEqual(config.training.epochs, 3)
        XCTAssertEqual(config.training.learningRate, 5e-4)
        let again = try IllusionExecutable.run(["train", "vae", "--out", run, "--resume", "--threads", "1", "--quiet"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(try RunFolder(path: run).readJSON(VAERunConfig.self, from: "config.json").training.epochs, 3,
                       "without --epochs a resumed run keeps its own")
    }

    /// A second training into a folder that another one is writing is refused, naming the holder.
    func testSecondTrainingIntoTheSameFolderIsRefused() throws {
        let run = dir + "/busy"
        let first = try start(trainArguments(run, limit: 2400, steps: 60, arch: "fashion"))
        defer { if first.isRunning { kill(first.processIdentifier, SIGKILL) }; first.waitUntilExit() }
        let deadline = Date().addingTimeInterval(60)
        while first.isRunning && !FileManager.default.fileExists(atPath: run + "/.lock") && Date() < deadline { usleep(10_000) }
        try XCTSkipUnless(first.isRunning, "the first run ended before the second started")
        let second = try IllusionExecutable.run(trainArguments(run))
        XCTAssertNotEqual(second.status, 0)
        XCTAssertTrue(second.stderr.contains("another training (PID \(first.processIdentifier))"), second.stderr)
    }
}
