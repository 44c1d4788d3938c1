/// Our module system. A layer owns parameters (trainable tensors), buffers (non-trainable state
/// such as BatchNorm running statistics) and child layers, each under a name. Names compose with
/// dots exactly as PyTorch's `state_dict()` keys do (`encoder.0.weight`), so checkpoints load in
/// PyTorch with the equivalent `torch.nn` model.
public protocol Layer: AnyObject {
    /// Applies the layer; records on the autograd tape when gradients are enabled.
    func forward(_ x: Tensor) -> Tensor
    /// This layer's own trainable tensors (not its children's), in state-dict order.
    var ownParameters: [(name: String, tensor: Tensor)] { get }
    /// This layer's own non-trainable state (running statistics), in state-dict order.
    var ownBuffers: [(name: String, tensor: Tensor)] { get }
    /// Named sub-layers, in order.
    var children: [(name: String, layer: Layer)] { get }
    /// Training mode (dropout active, batch statistics) versus evaluation mode.
    var isTraining: Bool { get set }
    /// A one-line description for summaries, e.g. `Conv2D(3→32, 3×3, stride 2)`.
    var summaryName: String { get }
}

extension Layer {
    public var ownParameters: [(name: String, tensor: Tensor)] { [] }
    public var ownBuffers: [(name: String, tensor: Tensor)] { [] }
    public var children: [(name: String, layer: Layer)] { [] }
    public var summaryName: String { String(describing: type(of: self)) }

    /// `layer(x)` is `layer.forward(x)`, as calling a `torch.nn.Module`.
    public func callAsFunction(_ x: Tensor) -> Tensor { forward(x) }

    /// Every trainable tensor of this layer and its descendants with dotted names.
    public func namedParameters(prefix: String = "") -> [(name: String, tensor: Tensor)] {
        var out = ownParameters.map { (prefix + $0.name, $0.tensor) }
        for child in children { out += child.layer.namedParameters(prefix: prefix + child.name + ".") }
        return out
    }

    /// Every non-trainable buffer with dotted names.
    public func namedBuffers(prefix: String = "") -> [(name: String, tensor: Tensor)] {
        var out = ownBuffers.map { (prefix + $0.name, $0.tensor) }
        for child in children { out += child.layer.namedBuffers(prefix: prefix + child.name + ".") }
        return out
    }

    /// The trainable tensors, for an optimizer.
    public var parameters: [Tensor] { namedParameters().map(\.tensor) }

    /// Number of trainable and non-trainable scalars.
    public var parameterCounts: (trainable: Int, nonTrainable: Int) {
        (namedParameters().reduce(0) { $0 + $1.tensor.count }, namedBuffers().reduce(0) { $0 + $1.tensor.count })
    }

    /// Sets training mode on this layer and every descendant.
    public func setTraining(_ training: Bool) {
        isTraining = training
        for child in children { child.layer.setTraining(training) }
    }

    /// Clears the gradients of every parameter.
    public func zeroGradients() { for p in parameters { p.grad = nil } }

    /// Parameters and buffers by name, as PyTorch's `state_dict()`.
    public func stateDict() -> [(name: String, tensor: Tensor)] {
        namedParameters() + namedBuffers()
    }

    /// Copies values from `state` into this layer's parameters and buffers (shapes must match).
    public func loadStateDict(_ state: [String: Tensor], source: String = "checkpoint", strict: Bool = true) throws {
        let mine = stateDict()
        for (name, t) in mine {
            guard let v = state[name] else {
                if strict { throw LayerError.missingState(source: source, name: name) }
                continue
            }
            guard v.shape == t.shape else {
                throw LayerError.stateShapeMismatch(source: source, name: name, expected: t.shape, found: v.shape)
            }
            t.storage = v.storage
        }
        if strict {
            let known = Set(mine.map(\.name))
            if let extra = state.keys.sorted().first(where: { !known.contains($0) && !$0.hasSuffix("num_batches_tracked") }) {
                throw LayerError.unexpectedState(source: source, name: extra)
            }
        }
    }
}

/// Why a state dict does not fit a layer tree, or an argument a layer rejects; one line each.
public enum LayerError: Error, CustomStringConvertible {
    /// The state dict from `source` lacks the tensor `name` that the layer tree has.
    case missingState(source: String, name: String)
    /// The state dict holds `name`, which the layer tree has no place for (PyTorch's "unexpected key").
    case unexpectedState(source: String, name: String)
    /// `name` exists on both sides with different shapes (another architecture or size).
    case stateShapeMismatch(source: String, name: String, expected: [Int], found: [Int])
    /// A constructor argument or input the layer cannot work with; the message names it.
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .missingState(let s, let n): return "\(s): tensor '\(n)' is missing (the checkpoint does not fit this architecture)"
        case .unexpectedState(let s, let n): return "\(s): unexpected tensor '\(n)' (the checkpoint does not fit this architecture)"
        case .stateShapeMismatch(let s, let n, let e, let f):
            return "\(s): tensor '\(n)' has shape \(f), the architecture expects \(e)"
        case .invalidArgument(let m): return m
        }
    }
}

/// Layers applied in order; children are named "0", "1", … like `torch.nn.Sequential`.
public final class Sequential: Layer {
    /// The layers in application order (children `"0"`, `"1"`, …).
    public let layers: [Layer]
    public var isTraining = true

    /// Applies `layers` in order, as `torch.nn.Sequential(*layers)`.
    public init(_ layers: [Layer]) { self.layers = layers }
    /// `Sequential(Dense(784, 128, rng: &g), ReLU(), Dense(128, 10, rng: &g))`.
    public convenience init(_ layers: Layer...) { self.init(layers) }

    /// Runs adjacent pairs that ``LayerFusion`` knows (BatchNorm → ReLU/LeakyReLU, ReLU → MaxPool2D)
    /// as one pass: same values and gradients bit for bit, fewer passes over memory. False runs every
    /// layer on its own (the reference the fused pairs are tested against).
    public var fusesAdjacentLayers = true

    public func forward(_ x: Tensor) -> Tensor {
        guard fusesAdjacentLayers else { return layers.reduce(x) { $1.forward($0) } }
        var h = x, i = 0
        while i < layers.count {
            if i + 1 < layers.count, let fused = LayerFusion.forward(layers[i], then: layers[i + 1], h) {
                h = fused; i += 2
            } else {
                h = layers[i].forward(h); i += 1
            }
        }
        return h
    }

    public var children: [(name: String, layer: Layer)] { layers.enumerated().map { (String($0.offset), $0.element) } }
}

/// A function as a layer (activations, reshapes): no parameters.
public final class Lambda: Layer {
    public var isTraining = true
    public let summaryName: String
    let body: (Tensor) -> Tensor
    /// A parameter-free layer computing `body` (which must be built from tape ops); `name` is its summary name.
    public init(_ name: String, _ body: @escaping (Tensor) -> Tensor) { self.summaryName = name; self.body = body }
    public func forward(_ x: Tensor) -> Tensor { body(x) }
}
