import Foundation

/// The recurrent cell a character-level model uses (`--arch`).
public enum CharLMArchitecture: String, Codable, Sendable, CaseIterable {
    case lstm, gru, rnn

    var kind: RecurrentKind {
        switch self {
        case .lstm: return .lstm
        case .gru: return .gru
        case .rnn: return .rnnTanh
        }
    }
}

/// `config.json` of a char-LM run (`kind` = "char-lm"): the architecture, the vocabulary (so a
/// run can generate without its corpus), the training settings and the corpus fingerprint.
public struct CharLMConfig: Codable {
    public var kind = "char-lm"
    public var architecture: CharLMArchitecture = .lstm
    public var vocabulary: CharVocabulary
    public var embedding = 256
    public var hidden = 256
    public var layers = 2
    public var dropout: Float = 0
    public var seqLen = 128
    public var batchSize = 32
    public var learningRate: Float = 2e-3
    public var clipNorm: Float = 1
    public var epochs = 1
    /// At most this many steps per epoch (0 = full passes).
    public var maxSteps = 0
    public var evalBatch = 32
    public var seed: UInt64 = 0
    public var sampleLength = 400
    public var dataFiles: [String] = []
    public var corpusCharacters = 0
    public var corpusSHA256 = ""
    /// The shared loop's checkpoint cadence (absent in runs written before the port: the defaults).
    public var loop: TrainingLoopOptions?

    public init(vocabulary: CharVocabulary) { self.vocabulary = vocabulary }

    enum CodingKeys: String, CodingKey {
        case kind, architecture, vocabulary, embedding, hidden, layers, dropout
        case seqLen = "seq_len", batchSize = "batch_size", learningRate = "learning_rate", clipNorm = "clip_norm"
        case epochs, maxSteps = "max_steps", evalBatch = "eval_batch", seed, sampleLength = "sample_length"
        case dataFiles = "data_files", corpusCharacters = "corpus_characters", corpusSHA256 = "corpus_sha256_12", loop
    }
}

/// Embedding(V, E) → L-layer LSTM / GRU / tanh-RNN (H) → Linear(H, V), as the PyTorch peer's
/// `CharLSTM` (`charlm_lstm.py`): state-dict names `embed.weight`, `lstm.weight_ih_l0` … (`gru.` /
/// `rnn.` for the other cells), `head.weight`, `head.bias`.
public final class CharLanguageModel: Layer {
    public let config: CharLMConfig
    public let embed: Embedding
    public let recurrent: RecurrentLayer
    public let head: Dense
    public var isTraining = true

    public init(config: CharLMConfig, rng: inout RandomGenerator) {
        self.config = config
        let v = config.vocabulary.count
        embed = Embedding(v, config.embedding, rng: &rng)
        recurrent = RecurrentLayer(kind: config.architecture.kind, inputSize: config.embedding, hiddenSize: config.hidden,
                                   layers: config.layers, dropout: config.dropout, rng: &rng)
        head = Dense(config.hidden, v, rng: &rng)
    }

    public var children: [(name: String, layer: Layer)] {
        [("embed", embed), (config.architecture.rawValue, recurrent), ("head", head)]
    }

    public var summaryName: String { "CharLanguageModel(\(config.architecture.rawValue), V \(config.vocabulary.count))" }

    /// Layer interface: ids `[N, T]` as floats → logits `[N, T, V]` from the zero state.
    public func forward(_ x: Tensor) -> Tensor {
        let (logits, _) = forward(ids: x.storage.map { Int($0) }, batch: x.shape[0], steps: x.shape[1], state: nil)
        return logits.reshaped([x.shape[0], x.shape[1], -1])
    }

    /// ids `[N·T]` (row-major `[N, T]`) → logits `[N·T, V]` and the final state.
    public func forward(ids: [Int], batch: Int, steps: Int, state: RecurrentState?) -> (logits: Tensor, state: RecurrentState) {
        let x = embed.forward(ids: ids, shape: [batch, steps])
        let r = recurrent.forward(x, state: state)
        let logits = head(r.output.reshaped([batch * steps, config.hidden]))
        return (logits, r.state)
    }
}
