import IllusionTestSupport
import XCTest
import Foundation
@testable import IllusionModels

/// A full disk at every write position of a training run (checkpoint files, manifests, the run's
/// model pointer, metrics.jsonl): one plain line "no space left on device writing PATH", the newest
/// committed checkpoint still loads, and resuming from it ends bit-identical to an unfaulted run.
/// The fault is injected in DurableFile (the N-th write fails with ENOSPC after half its bytes).
final class FullDiskFaultTests: XCTestCase {
    var dir: String!
    override func setUpWithError() throws {
        dir = try makeTemporaryFolder("fulldisk")
    }
    override func tearDown() {
        WriteFaultInjection.reset()
        try? FileManager.default.removeItem(atPath: dir)
    }

    func makeTrainer(_ task: TinyRegressionTask, _ name: String) throws -> Trainer {
        var loop = TrainingLoopOptions()
        loop.checkpointEvery = 3
        let t = try Trainer(task: task, run: RunFolder(path: dir + "/" + name), epochs: 2, loop: loop,
                            rng: RandomGenerator(seed: 9, stream: 77), configJSON: Array("{}\n".utf8))
        t.quiet = true
        return t
    }

    func weights(_ task: TinyRegressionTask) -> [[Float]] { task.net.stateDict().map(\.tensor.storage) }

    func testFullDiskAtEveryWriteKeepsTheLastCheckpointAndResumes() throws {
        let straight = TinyRegressionTask()
        WriteFaultInjection.startCounting()
        try makeTrainer(straight, "straight").fit()
        let writes = WriteFaultInjection.reset()
        XCTAssertGreaterThan(writes, 10, "the run should write checkpoints and metrics")
        var resumedFromACheckpoint = 0
        for n in 1...writes {
            let name = "fault-\(n)"
            WriteFaultInjection.failWrite(n)
            XCTAssertThrowsError(try makeTrainer(TinyRegressionTask(), name).fit(), "write \(n)") { error in
                let text = "\(error)"
                XCTAssertEqual((error as? FileWriteError)?.code, ENOSPC, "write \(n): \(text)")
                XCTAssertTrue(text.hasPrefix("no space left on device writing \(dir!)/\(name)/"), "write \(n): \(text)")
                XCTAssertFalse(text.contains("\n"), text)
            }
            WriteFaultInjection.reset()
            let resumed = TinyRegressionTask()
            let trainer = try makeTrainer(resumed, name)
            // No torn checkpoint is ever taken for one: the newest committed one verifies.
            if let checkpoint = try trainer.store.latest() {
                try trainer.restore(from: checkpoint)
                resumedFromACheckpoint += 1
            }
            try trainer.fit()
            XCTAssertEqual(weights(resumed), weights(straight), "write \(n): resumed run differs")
        }
        XCTAssertGreaterThan(resumedFromACheckpoint, writes / 2)
    }
}
