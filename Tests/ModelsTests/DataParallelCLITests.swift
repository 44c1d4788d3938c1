import Foundation
import XCTest
import IllusionTestSupport
@testable import IllusionModels

/// Data-parallel training through the real `illusion` under `mpirun -np 2` (docs/distributed.md):
/// 2 ranks with global batch B end where one process with batch B ends, the ranks hold the same
/// bits after every step (ILLUSION_CHECK_REPLICAS=1 compares fingerprints each step; a mismatch
/// fails the run), faults stop both ranks with a line naming the rank, and a run interrupted on
/// 2 ranks resumes on 1 to the uninterrupted result. Under CI=true a missing mpirun fails.
final class DataParallelCLITests: XCTestCase {
    static let mpirun = ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].first { FileManager.default.isExecutableFile(atPath: $0) }

    func requireMPI() throws {
        try requireData(IllusionExecutable.url != nil, "illusion executable not built next to the tests")
        try requireData(Self.mpirun != nil, "Open MPI's mpirun is not installed (make test installs openmpi-bin)")
        try requireData(FileManager.default.fileExists(atPath: FashionMNIST.defaultDirectory + "/train-images-idx3-ubyte.gz"),
                        "Fashion-MNIST is not installed (make test installs dataset-fashion-mnist)")
    }

    /// `mpirun -np ranks illusion arguments…` (as root here, in a container: see docs/distributed.md).
    func mpi(_ ranks: Int, _ arguments: [String], environment extra: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try XCTUnwrap(Self.mpirun))
        p.arguments = ["-np", String(ranks), "--oversubscribe", "--allow-run-as-root", try XCTUnwrap(IllusionExecutable.url).path] + arguments
        var env = ProcessInfo.processInfo.environment
        env["OMPI_MCA_btl_vader_single_copy_mechanism"] = "none"
        env["ILLUSION_CHECK_REPLICAS"] = "1"
        for (k, v) in extra { env[k] = v }
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    func folder(_ name: String) -> String {
        let dir = NSTemporaryDirectory() + "illusion-dp-\(getpid())-\(name)"
        try? FileManager.default.removeItem(atPath: dir)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return dir
    }

    /// ‖a − b‖ / ‖a‖ over every Float tensor of two model.safetensors (names in `excluding` left out).
    func relativeDifference(_ a: String, _ b: String, excluding: Set<String> = []) throws -> Double {
        let x = try SafeTensors(contentsOf: a + "/model.safetensors"), y = try SafeTensors(contentsOf: b + "/model.safetensors")
        var num = 0.0, den = 0.0, compared = 0
        for name in x.names where !excluding.contains(name) {
            guard let s = try? x.tensor(name) else { continue }  // I64 counters
            let t = try y.tensor(name)
            XCTAssertEqual(s.shape, t.shape, name)
            for (u, v) in zip(s.storage, t.storage) { num += Double(u - v) * Double(u - v); den += Double(u) * Double(u) }
            compared += 1
        }
        XCTAssertGreaterThan(compared, 3)
        return (num / max(den, 1e-30)).squareRoot()
    }

    static let vae = ["train", "vae", "--limit", "640", "--eval-limit", "20", "--epochs", "1", "--max-steps", "20", "--batch-size", "32",
                      "--lr", "1e-4", "--threads", "1", "--quiet"]

    func testTwoRanksTrainTheFashionVAEAsOneProcess() throws {
        try requireMPI()
        let one = folder("vae1"), two = folder("vae2")
        let single = try IllusionExecutable.run(Self.vae + ["--out", one])
        XCTAssertEqual(single.status, 0, single.stderr)
        let scratch = { Set(try FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory()).filter { $0.hasPrefix("illusion-rank1-") }) }
        let before = try scratch()
        let pair = try mpi(2, Self.vae + ["--out", two, "--json"])
        XCTAssertEqual(pair.status, 0, pair.stderr)
        XCTAssertEqual(pair.stdout.split(separator: "\n").count, 1, "one JSON object, from rank 0: \(pair.stdout)")
        XCTAssertLessThanOrEqual(try relativeDifference(one, two), 1e-5)
        XCTAssertEqual(try scratch(), before, "rank 1's private copy of the run folder is removed at exit")
    }

    func testTwoRanksTrainTheCNNAsOneProcessWithSynchronisedBatchNorm() throws {
        try requireMPI()
        let base = ["train", "cnn", "--arch", "seed", "--limit", "640", "--eval-limit", "20", "--epochs", "1", "--max-steps", "20", "--batch-size", "32",
                    "--lr", "1e-4", "--threads", "1", "--quiet"]
        // Without BatchNorm (dropout and augmentation on): every tensor.
        let one = folder("cnn1"), two = folder("cnn2")
        XCTAssertEqual(try IllusionExecutable.run(base + ["--no-batch-norm", "--out", one]).status, 0)
        let pair = try mpi(2, base + ["--no-batch-norm", "--out", two])
        XCTAssertEqual(pair.status, 0, pair.stderr)
        XCTAssertLessThanOrEqual(try relativeDifference(one, two), 1e-5)
        // With synchronised BatchNorm (the default), 3 steps. The convolution biases in front of a
        // BatchNorm have a true gradient of 0: Adam normalises their round-off to ±lr, so they are left out.
        let short = base.map { $0 == "20" ? "3" : $0 }
        let bn1 = folder("bn1"), bn2 = folder("bn2")
        XCTAssertEqual(try IllusionExecutable.run(short + ["--out", bn1]).status, 0)
        let synced = try mpi(2, short + ["--out", bn2])
        XCTAssertEqual(synced.status, 0, synced.stderr)
        XCTAssertLessThanOrEqual(try relativeDifference(bn1, bn2, excluding: ["0.bias", "4.bias"]), 1e-5)
    }

    func testAKilledRankStopsTheOtherAndTheRunResumesOnOneProcess() throws {
        try requireMPI()
        let uninterrupted = folder("whole"), run = folder("killed")
        XCTAssertEqual(try IllusionExecutable.run(Self.vae + ["--out", uninterrupted]).status, 0)
        let killed = try mpi(2, Self.vae + ["--out", run, "--checkpoint-every", "5"],
                             environment: ["ILLUSION_FAULT_INJECT": "rank=1,step=8,kind=kill"])
        XCTAssertNotEqual(killed.status, 0)
        XCTAssertTrue(killed.stderr.contains("rank 1") && killed.stderr.contains("signal 9"), killed.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: run + "/checkpoints"), "rank 0 committed the step-5 checkpoint")
        // mpirun may return while its daemon still reaps rank 0 (whose lock is then not yet stale).
        for _ in 0..<300 {
            guard let text = try? String(contentsOfFile: run + "/.lock", encoding: .utf8),
                  let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), kill(pid, 0) == 0 else { break }
            usleep(100_000)
        }
        // Resumed with W = 1 from the 2-rank checkpoint: ends where the uninterrupted run ends.
        let resumed = try IllusionExecutable.run(["train", "vae", "--resume", "--out", run, "--quiet", "--threads", "1"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertLessThanOrEqual(try relativeDifference(uninterrupted, run), 1e-5)
    }

    func testAnErrorOnOneRankStopsBothWithOneLineNamingIt() throws {
        try requireMPI()
        let failed = try mpi(2, Self.vae + ["--out", folder("error")], environment: ["ILLUSION_FAULT_INJECT": "rank=1,step=3,kind=error"])
        XCTAssertNotEqual(failed.status, 0)
        XCTAssertTrue(failed.stderr.contains("illusion: rank 1 of 2: error: injected fault"), failed.stderr)
        let odd = try mpi(2, Self.vae.map { $0 == "32" ? "33" : $0 } + ["--out", folder("odd")])
        XCTAssertNotEqual(odd.status, 0)
        XCTAssertTrue(odd.stderr.contains("--batch-size 33 is the global batch and must divide by the 2 ranks"), odd.stderr)
    }
}
