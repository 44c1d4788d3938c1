import Foundation
import XCTest
@testable import IllusionModels

/// The char-LM workflow on tiny generated text: it learns, resumes bit-identically, generates with a
/// seed, and refuses bad input with one clear message and nothing written.
final class CharLMTests: XCTestCase {
    var tmp: String!

    override func setUpWithError() throws {
        tmp = NSTemporaryDirectory() + "charlm-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: tmp) }

    /// A text with structure an LSTM can pick up in a few hundred steps.
    func writeText(_ name: String = "text.txt", lines: Int = 300) throws -> String {
        var rng = RandomGenerator(seed: 5)
        let words = ["to", "be", "or", "not", "the", "king"]
        var text = ""
        for _ in 0..<lines {
            text += (0..<4).map { _ in words[rng.nextInt(below: words.count)] }.joined(separator: " ") + ".\n"
        }
        let path = tmp + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func smallConfig(epochs: Int = 3) throws -> CharLMConfig {
        var c = CharLMConfig(vocabulary: try CharVocabulary(characters: ["\n"]))
        c.embedding = 16; c.hidden = 48; c.layers = 1; c.seqLen = 24; c.batchSize = 8; c.epochs = epochs
        c.learningRate = 1e-2; c.sampleLength = 40; c.evalBatch = 4
        return c
    }

    func testLearnsTinyCorpus() throws {
        let file = try writeText()
        let summary = try CharLMTraining.run(config: try smallConfig(), files: [file], folder: RunFolder(path: tmp + "/run"),
                                             resume: false, quiet: true)
        let bpc = try XCTUnwrap(summary["val_bits_per_char"] as? Double)
        let vocab = try XCTUnwrap(summary["vocab_size"] as? Int)
        // Uniform guessing costs log2(V) ≈ 3.9 bits; the word structure is worth much more than a bit.
        XCTAssertLessThan(bpc, 2.2, "validation bits/char after 3 epochs")
        XCTAssertLessThan(bpc, log2(Double(vocab)) - 1.5)
        for name in ["config.json", "model.safetensors", "checkpoints/best/training_state.safetensors", "metrics.jsonl", "report.html",
                     "loss_curves.png", "samples/epoch_3.txt"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: tmp + "/run/" + name), name)
        }
        // Generation: deterministic per seed, starts with the prompt, has the requested length.
        let a = try TextGeneration.generate(run: tmp + "/run", prompt: "to be", length: 30, temperature: 0.8, topK: 5, seed: 1)
        let b = try TextGeneration.generate(run: tmp + "/run", prompt: "to be", length: 30, temperature: 0.8, topK: 5, seed: 1)
        XCTAssertEqual(a, b)
        XCTAssertTrue(a.hasPrefix("to be"))
        XCTAssertEqual(a.unicodeScalars.count, 35)
        // eval reproduces the training run's figure from the checkpoint.
        let model = try CharLMRun.load(RunFolder(path: tmp + "/run"))
        let corpus = try CharLMTraining.prepare(config: model.config, files: [file], vocabulary: model.config.vocabulary)
        let figures = CharLMTraining.evaluate(model, corpus.validation, batch: 4, seqLen: 24)
        XCTAssertEqual(figures.bitsPerCharacter, bpc, accuracy: 1e-9)
        XCTAssertEqual(figures.perplexity, exp(figures.validationNats), accuracy: 1e-12)
    }

    /// Training 1 epoch, then resuming to 2, gives the same weights as 2 epochs straight.
    func testResumeIsBitIdentical() throws {
        let file = try writeText(lines: 80)
        let straight = RunFolder(path: tmp + "/straight"), resumed = RunFolder(path: tmp + "/resumed")
        _ = try CharLMTraining.run(config: try smallConfig(epochs: 2), files: [file], folder: straight, resume: false, quiet: true)
        _ = try CharLMTraining.run(config: try smallConfig(epochs: 1), files: [file], folder: resumed, resume: false, quiet: true)
        _ = try CharLMTraining.run(config: try smallConfig(epochs: 2), files: [file], folder: resumed, resume: true, quiet: true)
        let a = try SafeTensors(contentsOf: straight.modelPath), b = try SafeTensors(contentsOf: resumed.modelPath)
        XCTAssertEqual(a.names, b.names)
        for name in a.names { XCTAssertEqual(try a.floats(name), try b.floats(name), name) }
        XCTAssertEqual(resumed.readMetrics().filter { $0["kind"] as? String == "epoch" }.count, 2)
    }

    /// A run stopped right after a mid-epoch checkpoint (the newer checkpoints deleted, as a kill
    /// would leave it) resumes to the weights of the uninterrupted run: the recurrent state carried
    /// across batches and the dropout masks' generator come back from the checkpoint. Resuming the
    /// same checkpoint with the carried state dropped gives other weights (so the test can fail).
    func testMidEpochResumeIsBitIdentical() throws {
        let file = try writeText(lines: 80)
        var config = try smallConfig(epochs: 2)
        config.layers = 2; config.dropout = 0.25; config.sampleLength = 5
        var loop = TrainingLoopOptions(); loop.checkpointEvery = 2; loop.keepCheckpoints = 100
        config.loop = loop
        let straight = RunFolder(path: tmp + "/straight")
        _ = try CharLMTraining.run(config: config, files: [file], folder: straight, resume: false, quiet: true)
        let store = CheckpointStore(run: straight)
        let steps = try XCTUnwrap(store.stepFolders().last.map { try store.verify($0).progress.globalStep })
        XCTAssertGreaterThanOrEqual(steps, 8, "two epochs of at least 4 steps")
        // Copy the run as a kill after the first checkpoint inside the second epoch would leave it.
        let middle = try XCTUnwrap(store.stepFolders().first { folder in
            let progress = try store.verify(folder).progress
            return progress.epoch == 1 && progress.stepInEpoch > 0
        })
        func crashedCopy(_ name: String) throws -> RunFolder {
            let path = tmp + "/" + name
            try FileManager.default.copyItem(atPath: straight.path, toPath: path)
            let copy = CheckpointStore(run: RunFolder(path: path))
            for folder in copy.stepFolders() where (folder as NSString).lastPathComponent > (middle as NSString).lastPathComponent {
                try FileManager.default.removeItem(atPath: folder)
            }
            return RunFolder(path: path)
        }
        let resumed = try crashedCopy("resumed")
        let state = try SafeTensors(contentsOf: CheckpointStore(run: resumed).latest()!.trainingStatePath)
        XCTAssertTrue(state.names.contains("task.carried_hidden") && state.names.contains("task.carried_cell"), "\(state.names)")
        _ = try CharLMTraining.run(config: config, files: [file], folder: resumed, resume: true, quiet: true)
        let a = try SafeTensors(contentsOf: straight.modelPath), b = try SafeTensors(contentsOf: resumed.modelPath)
        for name in a.names { XCTAssertEqual(try a.floats(name), try b.floats(name), name) }

        // Without the carried state the resumed run differs.
        let stateless = try crashedCopy("stateless")
        let latest = try XCTUnwrap(CheckpointStore(run: stateless).latest())
        var stripped = try SafeTensors(contentsOf: latest.trainingStatePath)
        for name in stripped.names where name.hasPrefix("task.carried") { stripped.entries[name] = nil }
        let bytes = try stripped.serialized()
        try Data(bytes).write(to: URL(fileURLWithPath: latest.trainingStatePath))
        let manifestPath = latest.path + "/manifest.json"   // records each file's size and CRC-32
        var manifest = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: manifestPath))) as? [String: Any])
        var files = try XCTUnwrap(manifest["files"] as? [String: Any])
        files["training_state.safetensors"] = ["bytes": bytes.count, "crc32": Int(CRC32.checksum(bytes))]
        manifest["files"] = files
        try JSONSerialization.data(withJSONObject: manifest).write(to: URL(fileURLWithPath: manifestPath))
        _ = try CharLMTraining.run(config: config, files: [file], folder: stateless, resume: true, quiet: true)
        let c = try SafeTensors(contentsOf: stateless.modelPath)
        XCTAssertNotEqual(try a.floats("head.weight"), try c.floats("head.weight"))
    }

    func testStreamsAreContiguousAsBatchify() {
        let data = (0..<23).map { Int32($0) }
        let (rows, s) = CharLMCorpus.streams(data, batch: 3)
        XCTAssertEqual(s, 7)
        XCTAssertEqual(rows[1], Array(7..<14))
        let (x, y) = CharLMCorpus.window(rows, start: 2, length: 3)
        XCTAssertEqual(x, [2, 3, 4, 9, 10, 11, 16, 17, 18])
        XCTAssertEqual(y, [3, 4, 5, 10, 11, 12, 17, 18, 19])
    }

    func assertRefused(_ what: String, contains needle: String, _ body: () throws -> Void) {
        XCTAssertThrowsError(try body(), what) { error in
            let message = String(describing: error)
            XCTAssertTrue(message.contains(needle), "\(what): '\(message)' should mention '\(needle)'")
            XCTAssertFalse(message.contains("\n"), "\(what): one line")
        }
    }

    func testBadInput() throws {
        let file = try writeText(lines: 40)
        let empty = tmp + "/empty.txt", binary = tmp + "/binary.bin"
        FileManager.default.createFile(atPath: empty, contents: Data())
        FileManager.default.createFile(atPath: binary, contents: Data([0x89, 0x50, 0x4E, 0x47, 0xFF, 0x00, 0xC0]))
        let config = try smallConfig(epochs: 1)
        for (path, needle) in [(empty, "empty"), (binary, "UTF-8")] {
            let out = tmp + "/bad-\(needle)"
            assertRefused(path, contains: path) {
                _ = try CharLMTraining.run(config: config, files: [file, path], folder: RunFolder(path: out), resume: false, quiet: true)
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: out), "nothing written for \(needle)")
        }
        var long = config; long.seqLen = 10_000
        assertRefused("seq-len", contains: "--seq-len 10000") {
            _ = try CharLMTraining.run(config: long, files: [file], folder: RunFolder(path: self.tmp + "/long"), resume: false, quiet: true)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: tmp + "/long"))

        let run = tmp + "/ok"
        _ = try CharLMTraining.run(config: config, files: [file], folder: RunFolder(path: run), resume: false, quiet: true)
        assertRefused("prompt", contains: "'Z' (U+005A)") {
            _ = try TextGeneration.generate(run: run, prompt: "to Zebra", length: 5, temperature: 1, topK: nil, seed: 0)
        }
        for length in [0, -3] {
            assertRefused("length \(length)", contains: "--length") {
                _ = try TextGeneration.generate(run: run, prompt: "to", length: length, temperature: 1, topK: nil, seed: 0)
            }
        }
        assertRefused("temperature", contains: "--temperature") {
            _ = try TextGeneration.generate(run: run, prompt: "to", length: 5, temperature: 0, topK: nil, seed: 0)
        }
        var gru = config; gru.architecture = .gru
        assertRefused("another architecture", contains: "lstm char-LM, not gru") {
            _ = try CharLMTraining.run(config: gru, files: [file], folder: RunFolder(path: run), resume: true, quiet: true)
        }
        assertRefused("existing run without --resume", contains: "--resume") {
            _ = try CharLMTraining.run(config: config, files: [file], folder: RunFolder(path: run), resume: false, quiet: true)
        }
        // A checkpoint of another shape (architecture edited in config.json) is refused by name.
        let configPath = run + "/config.json"
        let text = try String(contentsOfFile: configPath, encoding: .utf8)
        try text.replacingOccurrences(of: "\"architecture\" : \"lstm\"", with: "\"architecture\" : \"gru\"")
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        assertRefused("checkpoint of another architecture", contains: "gru.weight_ih_l0") {
            _ = try TextGeneration.generate(run: run, prompt: "to", length: 5, temperature: 1, topK: nil, seed: 0)
        }
    }

    func testTopKAndTemperature() {
        var rng = RandomGenerator(seed: 3)
        let logits: [Float] = [0, 5, 1, 4]
        var seen = Set<Int>()
        for _ in 0..<300 { seen.insert(CharLMSampling.draw(logits, temperature: 1, topK: 2, rng: &rng)) }
        XCTAssertEqual(seen, [1, 3], "top-2 keeps the two largest")
        var counts = [0, 0, 0, 0]
        for _ in 0..<400 { counts[CharLMSampling.draw(logits, temperature: 0.05, topK: nil, rng: &rng)] += 1 }
        XCTAssertGreaterThan(counts[1], 350, "a low temperature is nearly greedy")
    }
}
