import Foundation

/// A multilayer perceptron classifier: `hiddenLayers` × (Dense(width) + activation), then Dense(classes).
/// With 0 hidden layers it is multinomial logistic regression. Logits out; softmax gives probabilities.
///
/// As `torch.nn.Sequential(Linear, ReLU, …, Linear)`: parameters `0.weight`, `0.bias`, `2.weight`, …
public struct MLPConfig: Codable, Equatable, Sendable {
    public var inputSize: Int
    public var classCount: Int
    public var hiddenLayers: Int
    public var width: Int
    /// `relu` or `tanh`.
    public var activation: String

    public init(inputSize: Int = 2, classCount: Int, hiddenLayers: Int, width: Int = 16, activation: String = "relu") {
        self.inputSize = inputSize; self.classCount = classCount; self.hiddenLayers = hiddenLayers
        self.width = width; self.activation = activation
    }

    public func validate() throws {
        guard hiddenLayers >= 0 && hiddenLayers <= 64 else { throw ModelError.invalidArgument("--hidden-layers: each count must be in 0…64, got \(hiddenLayers)") }
        guard width >= 1 && width <= 4096 else { throw ModelError.invalidArgument("--width must be in 1…4096, got \(width)") }
        guard ["relu", "tanh"].contains(activation) else { throw ModelError.invalidArgument("--activation must be relu or tanh, got \(activation)") }
        guard classCount >= 2 else { throw ModelError.invalidArgument("an MLP classifier needs at least 2 classes, got \(classCount)") }
    }

    public var summary: String {
        hiddenLayers == 0 ? "logistic regression (no hidden layer)"
                          : "\(hiddenLayers) hidden layer\(hiddenLayers == 1 ? "" : "s") of \(width) \(activation)"
    }
}

public enum MLPClassifier {
    /// Builds the network with He initialisation for ReLU (Glorot for tanh) and zero-free PyTorch biases.
    public static func make(_ config: MLPConfig, rng: inout RandomGenerator) -> Sequential {
        var layers: [Layer] = []
        var size = config.inputSize
        let initializer: Initializer = config.activation == "relu" ? .heUniform() : .glorotUniform()
        for _ in 0..<config.hiddenLayers {
            layers.append(Dense(size, config.width, weightInit: initializer, rng: &rng))
            layers.append(config.activation == "relu" ? ReLU() as Layer : Tanh())
            size = config.width
        }
        layers.append(Dense(size, config.classCount, weightInit: .glorotUniform(), rng: &rng))
        return Sequential(layers)
    }
}
