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
    func folder(_ name: String) -> String {
        let dir = NSTemporaryDirectory() + "illusion-dp-\(getpid())-\(name)"
        try? FileManager.default.removeItem(atPath: dir)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return dir
    }

    /// 2 ranks vs 1 process on the fashion VAE after 20 steps (global ‖Δθ‖/‖θ‖). Each rank's GEMMs
    /// have half the rows, and OpenBLAS's bits for a row depend on where it falls in its row unroll
    /// (12 rows on AMD Zen 3, 16 with AVX-512): on Zen 3 a ReLU of a nearly dead channel then
    /// flips and Adam moves that channel's weights by ±lr (measured 1.4e-5 after 1 step, 1.2e-4
    /// after 20; 4.4e-5 on an Intel Xeon; < 1e-5 on Zen 5). A rank alone (batch 16, no all-reduce)
    /// ends 4.2e-3 away, so the bound still tells a data-parallel step from a half-batch one.
    static let vaeTolerance = 1e-3

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
        XCTAssertLessThanOrEqual(try relativeDifference(one, two), Self.vaeTolerance)
        // The control: what one rank would reach on its own half batch, without the all-reduce.
        let half = folder("vae-half")
        XCTAssertEqual(try IllusionExecutable.run(Self.vae.map { $0 == "32" ? "16" : $0 } + ["--out", half]).status, 0)
        XCTAssertGreaterThan(try relativeDifference(one, half), 2 * Self.vaeTolerance, "the bound tells the two apart")
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
        XCTAssertLessThanOrEqual(try relativeDifference(uninterrupted, run), Self.vaeTolerance)
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
