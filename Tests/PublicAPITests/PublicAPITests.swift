import XCTest
import IllusionCraft   // the public API only: no @testable anywhere in this target

/// A model a library user writes: two dense layers with a tanh between them, as their own `Layer`.
final class UserMLP: Layer {
    let hidden: Dense, output: Dense
    var isTraining = true
    init(rng: inout RandomGenerator) {
        hidden = Dense(2, 16, rng: &rng)
        output = Dense(16, 1, rng: &rng)
    }
    func forward(_ x: Tensor) -> Tensor { output(hidden(x).tanh()) }
    var children: [(name: String, layer: Layer)] { [("hidden", hidden), ("output", output)] }
}

/// The user's training step on the shared loop: y = sin(x₀) + x₁² on 64 fixed points.
final class UserTask: TrainingTask {
    let net: UserMLP, optimizer: Adam, x: Tensor, y: Tensor
    var order: [Int] = []
    init(seed: UInt64) {
        var rng = RandomGenerator(seed: seed)
        net = UserMLP(rng: &rng)
        optimizer = Adam(parameters: net.parameters, learningRate: 0.02)
        let inputs = Tensor.uniform([64, 2], low: -1, high: 1, rng: &rng)
        x = inputs
        y = Tensor(shape: [64, 1], storage: (0..<64).map { Foundation.sin(inputs.storage[2 * $0]) + inputs.storage[2 * $0 + 1] * inputs.storage[2 * $0 + 1] })
    }
    var model: Layer { net }
    var checkpointFormat: String { "user-mlp" }
    var optimizers: [(prefix: String, optimizer: Optimizer)] { [("optimizer.", optimizer)] }
    var stepsPerEpoch: Int { 4 }
    var batchSize: Int { 16 }
    func beginEpoch(_ epoch: Int, rng: inout RandomGenerator) throws { order = rng.permutation(64) }
    func step(_ index: Int, epoch: Int, rng: inout RandomGenerator, context: StepContext) throws -> StepOutcome {
        let rows = Array(order[(16 * index)..<(16 * index + 16)])
        let loss = meanSquaredError(net(x.gatherRows(rows)), y.gatherRows(rows))
        return StepOutcome(figures: [("mse", Double(try context.minimize(loss, with: optimizer)))], examples: 16)
    }
    func endEpoch(_ epoch: Int, training: EpochTrainingFigures) throws -> EpochOutcome {
        EpochOutcome(figures: [("full_mse", Double(noGrad { meanSquaredError(net(x), y).scalar }))])
    }
    var fullLoss: Float { noGrad { meanSquaredError(net(x), y).scalar } }
}

final class PublicAPITests: XCTestCase {
    /// Build, train (on the shared Trainer), checkpoint and reload a custom model through the public API.
    func testCustomModelTrainsAndCheckpointsThroughThePublicAPI() throws {
        let dir = NSTemporaryDirectory() + "illusion-public-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let task = UserTask(seed: 5)
        let before = task.fullLoss
        let trainer = try Trainer(task: task, run: RunFolder(path: dir), epochs: 15, rng: RandomGenerator(seed: 1),
                                  configJSON: Array("{\"kind\":\"user-mlp\"}\n".utf8))
        trainer.quiet = true
        try trainer.fit()
        let after = task.fullLoss
        XCTAssertLessThan(after, before * 0.3, "the custom model did not learn (MSE \(before) → \(after))")
        XCTAssertEqual(trainer.history.count, 15)

        // The checkpoint holds PyTorch-style names and loads into a fresh model with the same outputs.
        let file = try SafeTensors(contentsOf: dir + "/model.safetensors")
        XCTAssertEqual(Set(file.names), ["hidden.weight", "hidden.bias", "output.weight", "output.bias"])
        var rng = RandomGenerator(seed: 99)
        let fresh = UserMLP(rng: &rng)
        try Checkpoint.load(fresh, from: dir + "/model.safetensors")
        let probe = Tensor(shape: [1, 2], storage: [0.3, -0.7])
        XCTAssertEqual(noGrad { fresh(probe) }.storage, noGrad { task.net(probe) }.storage)
        XCTAssertNotNil(try CheckpointStore(run: RunFolder(path: dir)).latest())
    }
}
