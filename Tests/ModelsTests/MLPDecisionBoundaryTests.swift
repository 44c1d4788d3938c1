import XCTest
@testable import IllusionModels

/// MLPs of several depths on the two-moons set: hidden layers beat the linear model, and the
/// side-by-side decision-boundary figure is written.
final class MLPDecisionBoundaryTests: XCTestCase {
    func testHiddenLayersLearnTheMoons() throws {
        let dir = NSTemporaryDirectory() + "illusion-mlp-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = MLPRunConfig(data: ToyDataSpec(name: "moons", samples: 400, noise: 0.15, seed: 2), hiddenLayerCounts: [0, 2],
                                  width: 16, training: PointClassifierTrainingOptions(epochs: 80, batchSize: 32, learningRate: 0.01, seed: 1))
        let summary = try DecisionBoundariesWorkflow.run(config, folder: RunFolder(path: dir), quiet: true)
        let models = summary["models"] as! [[String: Any]]
        let linear = models[0]["test_accuracy"] as! Double, deep = models[1]["test_accuracy"] as! Double
        XCTAssertGreaterThan(linear, 0.75, "a line separates most of the moons")
        XCTAssertGreaterThan(deep, 0.95, "two hidden layers bend around the moons")
        XCTAssertEqual(summary["test_accuracy"] as! Double, deep)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/decision_boundaries.png"))

        // The saved model reloads into the architecture config.json names.
        let saved = try RunFolder(path: dir).readJSON(MLPRunConfig.self, from: "config.json").model!
        XCTAssertEqual(saved.hiddenLayers, 2)
        var rng = RandomGenerator(seed: 9)
        let reloaded = MLPClassifier.make(saved, rng: &rng)
        try Checkpoint.load(reloaded, from: dir + "/model.safetensors")
        let points = ToyDatasets.moons(count: 400, noise: 0.15, seed: 2)
        let test = points.points.batch(0..<100)
        XCTAssertEqual(PointClassifierTrainer.accuracy(reloaded, features: test, labels: Array(points.labels[..<100])), deep, accuracy: 1e-9)
    }

    func testUnknownToySetNamesTheFlag() {
        XCTAssertThrowsError(try ToyDataSpec(name: "donuts").load()) { XCTAssertTrue("\($0)".hasPrefix("--dataset"), "\($0)") }
    }
}
