import Foundation
import XCTest
import IllusionTestSupport
@testable import IllusionModels

/// Data-parallel training of the models whose steps shard by hand (docs/distributed.md): the GANs
/// (both players' gradients averaged, z / ε / instance noise / mismatched conditions drawn for the
/// global batch), the char-LMs (rank r owns streams r, r + W, …; the transformer's windows the same
/// way) and the faces VAE with synchronised BatchNorm. Each: 2 ranks with global batch B end where
/// one process with batch B ends (≤ 1e-5 relative over every tensor), and the ranks hold the same
/// bits after every step (ILLUSION_CHECK_REPLICAS=1 makes any difference fail the run).
final class DataParallelModelsCLITests: XCTestCase {
    func folder(_ name: String) -> String {
        let dir = NSTemporaryDirectory() + "illusion-dpm-\(getpid())-\(name)"
        try? FileManager.default.removeItem(atPath: dir)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return dir
    }

    /// 1 process then 2 ranks on `arguments`; returns ‖Δθ‖/‖θ‖ (names in `excluding` left out).
    func compareOneAndTwo(_ name: String, _ arguments: [String], environment: [String: String] = [:],
                          excluding: (SafeTensors) -> Set<String> = { _ in [] }) throws -> Double {
        let one = folder(name + "1"), two = folder(name + "2")
        let single = try IllusionExecutable.run(arguments + ["--out", one])
        XCTAssertEqual(single.status, 0, single.stderr)
        let pair = try mpi(2, arguments + ["--out", two], environment: environment)
        XCTAssertEqual(pair.status, 0, pair.stderr)
        let skipped = excluding(try SafeTensors(contentsOf: one + "/model.safetensors"))
        return try relativeDifference(one, two, excluding: skipped)
    }

    func testTwoRanksTrainTheDCGANAsOneProcess() throws {
        try requireMPI()
        let dcgan = ["train", "dcgan", "--limit", "160", "--eval-limit", "16", "--epochs", "1", "--max-steps", "10", "--batch-size", "16",
                     "--width", "8", "--noise-dim", "16", "--lr", "1e-4", "--instance-noise", "0.1", "--threads", "1", "--quiet"]
        // Rank 0's count of gradient averagings: one for D and one for G at each of the 10 steps.
        let stats = folder("dcgan-stats") + ".json"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: stats) }
        XCTAssertLessThanOrEqual(try compareOneAndTwo("dcgan", dcgan, environment: ["ILLUSION_COMMUNICATION_STATS": stats]), 1e-5)
        let figures = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: stats))) as? [String: Any])
        XCTAssertEqual(figures["gradient_allreduces"] as? Int, 20, "\(figures)")
    }

    func testTwoRanksTrainTheConditionalGANAsOneProcess() throws {
        try requireMPI()
        // Conditioning augmentation (ε per image), mismatched conditions and instance noise all drawn.
        let cgan = ["train", "cgan", "--limit", "160", "--eval-limit", "16", "--epochs", "1", "--max-steps", "10", "--batch-size", "16",
                    "--width", "8", "--noise-dim", "16", "--augmented-dim", "4", "--lr", "1e-4", "--instance-noise", "0.1",
                    "--threads", "1", "--quiet"]
        XCTAssertLessThanOrEqual(try compareOneAndTwo("cgan", cgan), 1e-5)
    }

    /// A few KB of deterministic text (no corpus needed).
    func text() throws -> String {
        let path = folder("text") + ".txt"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        let words = ["the", "quick", "brown", "fox", "jumps", "over", "a", "lazy", "dog", "and", "then", "sleeps", "well"]
        var g = RandomGenerator(seed: 3), out = ""
        for i in 0..<900 { out += words[g.nextInt(below: words.count)] + (i % 11 == 10 ? ".\n" : " ") }
        try out.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testTwoRanksTrainTheLSTMLanguageModelAsOneProcessAndResumeOnOne() throws {
        try requireMPI()
        let lstm = ["train", "char-lm", "--data", try text(), "--arch", "lstm", "--layers", "2", "--hidden", "16", "--embedding", "8",
                    "--dropout", "0.2", "--seq-len", "12", "--batch-size", "4", "--lr", "1e-3", "--max-steps", "12",
                    "--checkpoint-every", "6", "--sample-length", "8", "--threads", "1", "--quiet"]
        let one = folder("lstm1"), two = folder("lstm2")
        let single = try IllusionExecutable.run(lstm + ["--out", one])
        XCTAssertEqual(single.status, 0, single.stderr)
        let pair = try mpi(2, lstm + ["--out", two])
        XCTAssertEqual(pair.status, 0, pair.stderr)
        XCTAssertLessThanOrEqual(try relativeDifference(one, two), 1e-5)
        // The 2-rank mid-epoch checkpoint holds the carried state of all 4 streams: resumed on one
        // process it continues to where the uninterrupted one-process run ends.
        let step6 = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: two + "/checkpoints").first { $0.hasSuffix("000006") })
        let state = try SafeTensors(contentsOf: two + "/checkpoints/\(step6)/training_state.safetensors")
        XCTAssertEqual(try state.tensor("task.carried_hidden").shape, [2, 4, 16])
        // --resume takes the model and data from the run's config.json: only the allowed flags are given.
        let again = ["train", "char-lm", "--checkpoint-every", "6", "--threads", "1", "--quiet"]
        let resumed = try IllusionExecutable.run(again + ["--out", two, "--resume-from", two + "/checkpoints/" + step6])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertLessThanOrEqual(try relativeDifference(one, two), 1e-5)
        // And the other way: the one-process mid-epoch checkpoint resumed on 2 ranks.
        let other = folder("lstm3")
        try FileManager.default.copyItem(atPath: one, toPath: other)
        let widened = try mpi(2, again + ["--out", other, "--resume-from", other + "/checkpoints/" + step6])
        XCTAssertEqual(widened.status, 0, widened.stderr)
        XCTAssertLessThanOrEqual(try relativeDifference(one, other), 1e-5)
        // Streams that do not split into equal parts: one clear line.
        let odd = try mpi(2, lstm.map { $0 == "4" ? "3" : $0 } + ["--out", folder("lstm-odd")])
        XCTAssertNotEqual(odd.status, 0)
        XCTAssertTrue(odd.stderr.contains("--batch-size 3 (contiguous streams) must divide by the 2 ranks"), odd.stderr)
    }

    func testTwoRanksTrainTheCharTransformerAsOneProcess() throws {
        try requireMPI()
        let gpt = ["train", "char-lm", "--data", try text(), "--arch", "transformer", "--layers", "1", "--embed", "16", "--heads", "2",
                   "--block", "16", "--batch-size", "4", "--steps", "12", "--warmup-steps", "2", "--lr", "1e-3", "--eval-interval", "6",
                   "--sample-length", "8", "--threads", "1", "--quiet"]
        XCTAssertLessThanOrEqual(try compareOneAndTwo("gpt", gpt), 1e-5)
    }

    func testTwoRanksTrainTheFacesVAEWithSynchronisedBatchNormAsOneProcess() throws {
        try requireMPI()
        // The smallest faces VAE (32×32: 9 BatchNorm layers) on synthetic faces. The convolution biases
        // in front of a BatchNorm have a true gradient of 0 (Adam turns their round-off into ±lr steps),
        // so they are left out with the running means (which hold them); every other tensor — BatchNorm's
        // weights, biases and running variances, everything behind them — must agree.
        let faces = ["train", "vae", "--arch", "faces", "--dataset", "faces-synthetic", "--image-size", "32", "--limit", "64",
                     "--eval-limit", "8", "--epochs", "1", "--max-steps", "5", "--batch-size", "8", "--lr", "1e-4", "--threads", "1", "--quiet"]
        let d = try compareOneAndTwo("faces", faces) { model in
            Set(model.names.filter { $0.hasSuffix(".running_mean") }.flatMap { name -> [String] in
                let parts = name.split(separator: ".").map(String.init)
                guard parts.count >= 3, let i = Int(parts[parts.count - 2]) else { return [] }
                // The running mean holds that bias too (the mean of the convolution's output).
                return [name, (parts.dropLast(2) + [String(i - 1), "bias"]).joined(separator: ".")]
            })
        }
        XCTAssertLessThanOrEqual(d, 1e-5)
    }
}
