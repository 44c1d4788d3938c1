import XCTest
@testable import IllusionModels

/// Library messages reach the installed sink (and only it); checkpoints keep PyTorch's metadata convention.
final class LogSinkTests: XCTestCase {
    func testLinesAndProgressGoToTheSink() {
        var seen: [Log.Message] = []
        let saved = Log.sink
        Log.sink = { seen.append($0) }
        defer { Log.sink = saved }
        logLine("hello")
        let progress = ProgressReporter(label: "epoch 1", total: 2, interval: 0)
        progress.update(done: 2, images: 10, figures: [("loss", 0.5)])
        XCTAssertEqual(seen.first?.text, "hello")
        XCTAssertEqual(seen.first?.kind, .line)
        XCTAssertTrue(seen.dropFirst().contains { $0.text.contains("epoch 1") && $0.text.contains("loss 0.500") }, "\(seen.map(\.text))")
    }

    func testCheckpointMetadataSaysPtAndKeepsOurTag() throws {
        let path = NSTemporaryDirectory() + "illusion-meta-\(UUID().uuidString).safetensors"
        defer { try? FileManager.default.removeItem(atPath: path) }
        var rng = RandomGenerator(seed: 0)
        try Checkpoint.save(Dense(2, 2, rng: &rng), to: path, metadata: ["format": "illusioncraft-vae", "epoch": "3"])
        let file = try SafeTensors(contentsOf: path)
        XCTAssertEqual(file.metadata, ["format": "pt", "illusioncraft_format": "illusioncraft-vae", "epoch": "3"])
    }
}
