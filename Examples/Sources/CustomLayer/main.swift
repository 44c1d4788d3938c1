// A model of your own: two Dense layers with a ReLU between them, written against the `Layer`
// protocol, trained with Adam on the two-moons toy set. Its state dict is `hidden.*`, `output.*`.
import IllusionCraft

final class MoonsClassifier: Layer {
    let hidden: Dense, output: Dense
    var isTraining = true

    init(rng: inout RandomGenerator) {
        hidden = Dense(2, 32, rng: &rng)
        output = Dense(32, 2, rng: &rng)
    }

    var children: [(name: String, layer: Layer)] { [("hidden", hidden), ("output", output)] }

    // x: [N, 2] → logits [N, 2]
    func forward(_ x: Tensor) -> Tensor { output(hidden(x).relu()) }
}

var rng = RandomGenerator(seed: 0)
let data = ToyDatasets.moons(count: 400, noise: 0.1, seed: 1)
let model = MoonsClassifier(rng: &rng)
let adam = Adam(parameters: model.parameters, learningRate: 0.02)
for step in 1...300 {
    adam.zeroGrad()
    let loss = crossEntropy(logits: model(data.points), labels: data.labels)
    loss.backward()
    adam.step()
    if step % 100 == 0 { print("step \(step): cross-entropy \(loss.scalar)") }
}
model.setTraining(false)
let predictions = noGrad { model(data.points) }.argmaxLastAxis()
let accuracy = Double(zip(predictions, data.labels).filter { $0 == $1 }.count) / Double(data.count)
print("training accuracy \(accuracy), state dict: \(model.stateDict().map(\.name))")
guard accuracy > 0.9 else { fatalError("the classifier did not learn the moons") }
