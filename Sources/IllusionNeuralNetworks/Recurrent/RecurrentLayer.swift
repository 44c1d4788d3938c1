/// The parameters of one layer-direction, PyTorch names `weight_ih_l{k}[_reverse]` etc.
public struct RecurrentWeights {
    /// `[G·H, I]` (I = input size for layer 0, D·H above).
    public let weightIH: Tensor
    /// `[G·H, H]`.
    public let weightHH: Tensor
    /// `[G·H]` each.
    public let biasIH: Tensor
    /// `[G·H]`, added to the hidden-to-hidden product (for the GRU's n gate inside r ⊙ (·), hence separate from ``biasIH``).
    public let biasHH: Tensor
}

/// The state carried between calls: h `[L·D, N, H]` and, for the LSTM, c `[L·D, N, H]`
/// (index layer·D + direction, as PyTorch's `h_n`, `c_n`).
public struct RecurrentState {
    /// h `[L·D, N, H]`.
    public var hidden: Tensor
    /// c `[L·D, N, H]` for the LSTM, nil otherwise.
    public var cell: Tensor?
    /// A state (e.g. PyTorch's `(h_0, c_0)`), shapes as above.
    public init(hidden: Tensor, cell: Tensor? = nil) { self.hidden = hidden; self.cell = cell }
    /// The same values off the tape (truncated BPTT carries state across batches this way).
    public func detached() -> RecurrentState { RecurrentState(hidden: hidden.detached(), cell: cell?.detached()) }
}

/// What a recurrent stack returns: the top layer's outputs `[N, T, D·H]` and the final state.
public struct RecurrentOutput {
    /// The top layer's h at every step `[N, T, D·H]` (both directions side by side).
    public let output: Tensor
    /// The final h (and c) of every layer and direction.
    public let state: RecurrentState
}

/// A stack of L recurrent layers (RNN, LSTM or GRU), optionally bidirectional (D = 2), with
/// dropout on the outputs of every layer but the last (in training), as `torch.nn.RNN/LSTM/GRU`
/// with `batch_first=True`.
///
/// Shapes: x `[N, T, I]` → output `[N, T, D·H]`; state h, c `[L·D, N, H]`. Parameters, in PyTorch's
/// state-dict order and names: for each layer k and direction (suffix `_reverse` for the backward
/// one) `weight_ih_l{k}` `[G·H, I_k]`, `weight_hh_l{k}` `[G·H, H]`, `bias_ih_l{k}`, `bias_hh_l{k}` `[G·H]`,
/// so a checkpoint loads into the torch module with `strict=True`. Init as PyTorch: every parameter
/// U(−1/√H, 1/√H). Each layer-direction runs as one tape op (``recurrentSequence``); the per-step
/// reference (``referenceRecurrentSequence``) is used when ``usesReferencePath`` is set.
public class RecurrentLayer: Layer {
    /// The cell: RNN(tanh/relu), LSTM or GRU.
    public let kind: RecurrentKind
    /// Features per step I of the input.
    public let inputSize: Int
    /// H: the width of h (and c).
    public let hiddenSize: Int
    /// L: stacked layers (PyTorch `num_layers`).
    public let layerCount: Int
    /// Whether a second layer reads each sequence backwards (D = 2).
    public let bidirectional: Bool
    /// Dropout probability between layers (0 = none).
    public let dropoutProbability: Float
    /// `weights[layer][direction]`.
    public let weights: [[RecurrentWeights]]
    /// The dropout mask generator (seeded at construction), checkpointable with the training state.
    public var generator: RandomGenerator
    public var isTraining = true
    /// Runs the slow per-step path built from elementary tape ops (for tests and measurement).
    public var usesReferencePath = false

    /// D: 2 when bidirectional, else 1.
    public var directionCount: Int { bidirectional ? 2 : 1 }

    /// A stack of `layers` cells of `kind`; `dropout` between layers in training; parameters ~ U(±1/√H) from `rng`.
    public init(kind: RecurrentKind, inputSize: Int, hiddenSize: Int, layers: Int = 1, bidirectional: Bool = false,
                dropout: Float = 0, rng: inout RandomGenerator) {
        require(inputSize > 0 && hiddenSize > 0 && layers > 0,
                "\(kind.displayName): input size, hidden size and layers must be positive, got \(inputSize), \(hiddenSize), \(layers)")
        require(dropout >= 0 && dropout < 1, "\(kind.displayName): dropout must be in [0, 1), got \(dropout)")
        self.kind = kind
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        layerCount = layers
        self.bidirectional = bidirectional
        dropoutProbability = dropout
        let bound = 1 / Float(hiddenSize).squareRoot(), gh = kind.gateCount * hiddenSize
        var all: [[RecurrentWeights]] = []
        for layer in 0..<layers {
            let inSize = layer == 0 ? inputSize : hiddenSize * (bidirectional ? 2 : 1)
            all.append((0..<(bidirectional ? 2 : 1)).map { _ in
                RecurrentWeights(weightIH: Tensor.uniform([gh, inSize], low: -bound, high: bound, rng: &rng, requiresGrad: true),
                                 weightHH: Tensor.uniform([gh, hiddenSize], low: -bound, high: bound, rng: &rng, requiresGrad: true),
                                 biasIH: Tensor.uniform([gh], low: -bound, high: bound, rng: &rng, requiresGrad: true),
                                 biasHH: Tensor.uniform([gh], low: -bound, high: bound, rng: &rng, requiresGrad: true))
            })
        }
        weights = all
        let seed = (UInt64(rng.nextUInt32()) << 32) | UInt64(rng.nextUInt32())
        generator = RandomGenerator(seed: seed, stream: 0xD80F)
    }

    public var ownParameters: [(name: String, tensor: Tensor)] {
        var out: [(name: String, tensor: Tensor)] = []
        for (k, directions) in weights.enumerated() {
            for (d, w) in directions.enumerated() {
                let s = "_l\(k)" + (d == 1 ? "_reverse" : "")
                out += [("weight_ih" + s, w.weightIH), ("weight_hh" + s, w.weightHH), ("bias_ih" + s, w.biasIH), ("bias_hh" + s, w.biasHH)]
            }
        }
        return out
    }

    public var summaryName: String {
        "\(kind.displayName)(\(inputSize)→\(hiddenSize)" + (layerCount > 1 ? ", \(layerCount) layers" : "") +
            (bidirectional ? ", bidirectional" : "") + (dropoutProbability > 0 ? ", dropout \(dropoutProbability)" : "") + ")"
    }

    /// The zero state for a batch of `batch` sequences.
    public func zeroState(batch: Int) -> RecurrentState {
        let shape = [layerCount * directionCount, batch, hiddenSize]
        return RecurrentState(hidden: .zeros(shape), cell: kind.hasCellState ? .zeros(shape) : nil)
    }

    /// The top layer's outputs `[N, T, D·H]` from the zero state.
    public func forward(_ x: Tensor) -> Tensor { forward(x, state: nil).output }

    /// Runs the stack over x `[N, T, I]` from `state` (zeros when nil). `lengths`: valid steps per
    /// sequence (1…T); outputs past a sequence's end are 0 and do not touch its final state.
    public func forward(_ x: Tensor, state: RecurrentState?, lengths: [Int]? = nil) -> RecurrentOutput {
        let r = run(x, state: state, lengths: lengths, topOutputs: true)
        return RecurrentOutput(output: r.output!, state: r.state)
    }

    /// The final state alone (a classifier reading h_T): ``forward(_:state:lengths:)`` without the
    /// copy of the top layer's outputs `[N, T, D·H]` out of the packed result, which nothing would read.
    public func finalState(_ x: Tensor, state: RecurrentState? = nil, lengths: [Int]? = nil) -> RecurrentState {
        run(x, state: state, lengths: lengths, topOutputs: false).state
    }

    /// The stack; the top layer's outputs only with `topOutputs` (else nil).
    private func run(_ x: Tensor, state: RecurrentState?, lengths: [Int]?, topOutputs: Bool) -> (output: Tensor?, state: RecurrentState) {
        require(x.rank == 3 && x.shape[2] == inputSize,
                "\(summaryName): input must be [N, T, \(inputSize)], got \(x.shape)")
        let n = x.shape[0], steps = x.shape[1], h = hiddenSize, d = directionCount
        require(steps > 0, "\(summaryName): empty sequence (T = 0)")
        let start = state ?? zeroState(batch: n)
        let stateShape = [layerCount * d, n, h]
        require(start.hidden.shape == stateShape, "\(summaryName): initial h \(start.hidden.shape) is not \(stateShape)")
        require(kind.hasCellState == (start.cell != nil), "\(summaryName): initial state \(kind.hasCellState ? "needs" : "takes no") c")
        if let c = start.cell { require(c.shape == stateShape, "\(summaryName): initial c \(c.shape) is not \(stateShape)") }
        if let lengths {
            require(lengths.count == n && lengths.allSatisfy { $0 >= 1 && $0 <= steps },
                    "\(summaryName): lengths must be \(n) values in 1…\(steps), got \(lengths)")
        }
        let sequence = usesReferencePath ? referenceRecurrentSequence : recurrentSequence
        var input: Tensor? = x
        var finalH: [Tensor] = [], finalC: [Tensor] = []
        for layer in 0..<layerCount {
            var outs: [Tensor] = []
            for direction in 0..<d {
                let index = layer * d + direction, w = weights[layer][direction]
                let h0 = start.hidden.narrowed(axis: 0, start: index, length: 1).reshaped([n, h])
                let c0 = start.cell.map { $0.narrowed(axis: 0, start: index, length: 1).reshaped([n, h]) }
                let packed = sequence(kind, input!, h0, c0, w.weightIH, w.weightHH, w.biasIH, w.biasHH, lengths, direction == 1)
                if topOutputs || layer < layerCount - 1 { outs.append(packed.narrowed(axis: 1, start: 0, length: steps)) }
                finalH.append(packed.narrowed(axis: 1, start: steps, length: 1).reshaped([1, n, h]))
                if kind.hasCellState { finalC.append(packed.narrowed(axis: 1, start: steps + 1, length: 1).reshaped([1, n, h])) }
            }
            input = outs.isEmpty ? nil : d == 1 ? outs[0] : Tensor.concatenate(outs, axis: 2)
            if isTraining && dropoutProbability > 0 && layer < layerCount - 1 {
                input = dropout(input!, p: dropoutProbability, rng: &generator)
            }
        }
        let hidden = finalH.count == 1 ? finalH[0] : Tensor.concatenate(finalH, axis: 0)
        let cell = kind.hasCellState ? (finalC.count == 1 ? finalC[0] : Tensor.concatenate(finalC, axis: 0)) : nil
        return (input, RecurrentState(hidden: hidden, cell: cell))
    }
}

/// Elman RNN, `torch.nn.RNN(nonlinearity='tanh'|'relu', batch_first=True)`.
public final class RNN: RecurrentLayer {
    /// The activation of h' = act(W_ih x + b_ih + W_hh h + b_hh) (PyTorch's `nonlinearity`).
    public enum Nonlinearity: String, Sendable {
        /// Bounded in (−1, 1); PyTorch's default.
        case tanh
        /// max(0, ·): unbounded, prone to exploding states over long sequences.
        case relu
    }
    /// `torch.nn.RNN(input_size, hidden_size, num_layers, nonlinearity, bidirectional=, dropout=, batch_first=True)`.
    public init(_ inputSize: Int, _ hiddenSize: Int, layers: Int = 1, nonlinearity: Nonlinearity = .tanh,
                bidirectional: Bool = false, dropout: Float = 0, rng: inout RandomGenerator) {
        super.init(kind: nonlinearity == .tanh ? .rnnTanh : .rnnReLU, inputSize: inputSize, hiddenSize: hiddenSize,
                   layers: layers, bidirectional: bidirectional, dropout: dropout, rng: &rng)
    }
}

/// Long short-term memory, `torch.nn.LSTM(batch_first=True)` (gates i, f, g, o).
public final class LSTM: RecurrentLayer {
    /// `torch.nn.LSTM(input_size, hidden_size, num_layers, bidirectional=, dropout=, batch_first=True)`.
    public init(_ inputSize: Int, _ hiddenSize: Int, layers: Int = 1, bidirectional: Bool = false, dropout: Float = 0,
                rng: inout RandomGenerator) {
        super.init(kind: .lstm, inputSize: inputSize, hiddenSize: hiddenSize, layers: layers, bidirectional: bidirectional,
                   dropout: dropout, rng: &rng)
    }
}

/// Gated recurrent unit, `torch.nn.GRU(batch_first=True)` (gates r, z, n; see ``RecurrentKind``).
public final class GRU: RecurrentLayer {
    /// `torch.nn.GRU(input_size, hidden_size, num_layers, bidirectional=, dropout=, batch_first=True)`.
    public init(_ inputSize: Int, _ hiddenSize: Int, layers: Int = 1, bidirectional: Bool = false, dropout: Float = 0,
                rng: inout RandomGenerator) {
        super.init(kind: .gru, inputSize: inputSize, hiddenSize: hiddenSize, layers: layers, bidirectional: bidirectional,
                   dropout: dropout, rng: &rng)
    }
}
