import XCTest
@testable import IllusionNeuralNetworks

/// An MLP (Dense + ReLU via Sequential) learns two interleaved moons, reproducibly.
final class MLPEndToEndTests: XCTestCase {
    /// Two-moons: class 0 on the upper half circle, class 1 on the shifted lower one, N(0, 0.1²) noise.
    static func twoMoons(count: Int, rng: inout RandomGenerator) -> (x: Tensor, labels: [Int]) {
        var values = [Float](), labels = [Int]()
        for i in 0..<count {
            let label = i % 2
            let t = Float.pi * rng.nextFloat()
            var (px, py) = label == 0 ? (Foundation.cos(t), Foundation.sin(t)) : (1 - Foundation.cos(t), 0.5 - Foundation.sin(t))
            px += 0.1 * rng.nextNormal(); py += 0.1 * rng.nextNormal()
            values += [px - 0.5, py - 0.25]
            labels.append(label)
        }
        return (Tensor(shape: [count, 2], storage: values), labels)
    }

    static func train(seed: UInt64) -> (model: Sequential, accuracy: Float, x: Tensor) {
        var rng = RandomGenerator(seed: seed)
        let (x, labels) = twoMoons(count: 256, rng: &rng)
        let model = Sequential(Dense(2, 32, rng: &rng), ReLU(), Dense(32, 32, rng: &rng), ReLU(), Dense(32, 2, rng: &rng))
        let optimizer = Adam(parameters: model.parameters, learningRate: 0.02)
        let batchSize = 64
        for _ in 0..<60 {                       // 60 epochs × 4 mini-batches
            let order = rng.permutation(256)
            for start in stride(from: 0, to: 256, by: batchSize) {
                let rows = Array(order[start..<(start + batchSize)])
                optimizer.zeroGrad()
                let loss = crossEntropy(logits: model(x.gatherRows(rows)), labels: rows.map { labels[$0] })
                loss.backward()
                optimizer.step()
            }
        }
        let predictions = noGrad { model(x) }.argmaxLastAxis()
        let correct = zip(predictions, labels).filter { $0 == $1 }.count
        return (model, Float(correct) / Float(labels.count), x)
    }

    func testLearnsTwoMoonsAndIsBitReproducible() {
        let start = Date()
        let first = Self.train(seed: 42)
        XCTAssertGreaterThanOrEqual(first.accuracy, 0.95, "train accuracy")
        let second = Self.train(seed: 42)
        XCTAssertEqual(second.accuracy, first.accuracy)
        for ((name, a), (_, b)) in zip(first.model.namedParameters(), second.model.namedParameters()) {
            XCTAssertEqual(a.storage.map(\.bitPattern), b.storage.map(\.bitPattern), "\(name) differs between identical runs")
        }
        print("two-moons: accuracy \(first.accuracy), two runs in \(Date().timeIntervalSince(start)) s")
    }
}
