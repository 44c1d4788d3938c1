import Foundation

/// Hyper-parameters of the encoder–decoder (config.json "model").
public struct Seq2SeqConfig: Codable, Equatable, Sendable {
    /// `gru` or `lstm` (encoder and decoder).
    public var arch: RecurrentKind = .gru
    public var embedding = 32
    /// Hidden size of each encoder direction and of the decoder.
    public var hidden = 64
    public var attentionSize = 64
    /// false: the ablation — the context is the encoder's final states, the same for every output step.
    public var attention = true
    public init() {}

    public func validate() throws {
        guard arch == .gru || arch == .lstm else { throw ModelError.invalidArgument("--arch must be gru or lstm, got \(arch.rawValue)") }
        for (flag, v) in [("embedding", embedding), ("hidden", hidden), ("attention-size", attentionSize)] {
            guard v >= 1 && v <= 4096 else { throw ModelError.invalidArgument("--\(flag) must be in 1…4096, got \(v)") }
        }
    }
}

/// An encoder–decoder with additive (Bahdanau) attention over characters.
///
/// Encoder: `Embedding(sourceCount, E)` → bidirectional GRU/LSTM (H per direction) → keys `[N, S, 2H]`.
/// Decoder, one step t (Bahdanau et al. 2015): the query is the previous decoder state s_{t−1};
/// (c_t, α_t) = attend(s_{t−1}, keys); the decoder cell reads [embed(y_{t−1}); c_t] and the output
/// layer reads [s_t; c_t] → logits over the target vocabulary. s_0 = tanh(bridge([h→_S; h←_1]))
/// (LSTM: c_0 = 0). Without attention (``Seq2SeqConfig/attention`` false) c_t is [h→_S; h←_1] for every t.
///
/// State-dict names: `source_embedding.weight`, `encoder.*` (`torch.nn.GRU/LSTM(bidirectional=True,
/// batch_first=True)` names), `bridge.*`, `target_embedding.weight`, `decoder.*`, `attention.query/key/score.*`,
/// `output.*`.
public final class AttentionSeq2Seq: Layer {
    public let config: Seq2SeqConfig
    public let sourceEmbedding: Embedding
    public let encoder: RecurrentLayer
    public let bridge: Dense
    public let targetEmbedding: Embedding
    public let decoder: RecurrentLayer
    public let attention: AdditiveAttention
    public let output: Dense
    public var isTraining = true

    public init(_ config: Seq2SeqConfig, rng: inout RandomGenerator) {
        self.config = config
        let e = config.embedding, h = config.hidden
        sourceEmbedding = Embedding(DateVocabulary.sourceCount, e, paddingIndex: DateVocabulary.padding, rng: &rng)
        encoder = config.arch == .lstm ? LSTM(e, h, bidirectional: true, rng: &rng) : GRU(e, h, bidirectional: true, rng: &rng)
        bridge = Dense(2 * h, h, rng: &rng)
        targetEmbedding = Embedding(DateVocabulary.targetCount, e, rng: &rng)
        decoder = config.arch == .lstm ? LSTM(e + 2 * h, h, rng: &rng) : GRU(e + 2 * h, h, rng: &rng)
        attention = AdditiveAttention(querySize: h, keySize: 2 * h, attentionSize: config.attentionSize, rng: &rng)
        output = Dense(3 * h, DateVocabulary.targetCount, rng: &rng)
    }

    public var children: [(name: String, layer: Layer)] {
        var c: [(name: String, layer: Layer)] = [("source_embedding", sourceEmbedding), ("encoder", encoder), ("bridge", bridge),
                                                 ("target_embedding", targetEmbedding), ("decoder", decoder)]
        if config.attention { c.append(("attention", attention)) }
        c.append(("output", output))
        return c
    }

    public var summaryName: String {
        "Seq2Seq(\(config.arch.rawValue), E \(config.embedding), H \(config.hidden), \(config.attention ? "additive attention \(config.attentionSize)" : "no attention"))"
    }

    public func forward(_ x: Tensor) -> Tensor {
        fatalError("AttentionSeq2Seq needs source ids and lengths: call encode(_:) and step(_:_:token:)")
    }

    /// What the decoder attends to, computed once per batch.
    public struct Memory {
        /// Encoder outputs `[N, S, 2H]` (0 past each sequence's end).
        public let keys: Tensor
        /// W_k keys `[N, S, A]` (nil without attention).
        public let projectedKeys: Tensor?
        /// [h→_S; h←_1] `[N, 2H]`: the fixed context of the ablation.
        public let summary: Tensor
        public let lengths: [Int]

        /// The memory of the rows `rows` (beam search repeats each example K times).
        public func rows(_ rows: [Int]) -> Memory {
            Memory(keys: keys.gatherRows(rows), projectedKeys: projectedKeys?.gatherRows(rows), summary: summary.gatherRows(rows),
                   lengths: rows.map { lengths[$0] })
        }
    }

    /// Source ids padded to the longest (`[N, S]` row-major) and their lengths.
    public static func padded(_ sources: [[Int]]) -> (ids: [Int], steps: Int, lengths: [Int]) {
        let s = sources.map(\.count).max() ?? 1
        var ids = [Int](repeating: DateVocabulary.padding, count: sources.count * s)
        for (i, src) in sources.enumerated() { for (t, v) in src.enumerated() { ids[i * s + t] = v } }
        return (ids, s, sources.map(\.count))
    }

    /// Runs the encoder: the memory and the decoder's first state.
    public func encode(_ sources: [[Int]]) -> (memory: Memory, state: RecurrentState) {
        let (ids, s, lengths) = Self.padded(sources)
        let n = sources.count, h = config.hidden
        let embedded = sourceEmbedding.forward(ids: ids, shape: [n, s])  // [N, S, E]
        let run = encoder.forward(embedded, state: nil, lengths: lengths)
        let final = run.state.hidden  // [2, N, H]
        let summary = Tensor.concatenate([final.narrowed(axis: 0, start: 0, length: 1).reshaped([n, h]),
                                          final.narrowed(axis: 0, start: 1, length: 1).reshaped([n, h])], axis: 1)
        let h0 = bridge(summary).tanh().reshaped([1, n, h])
        let state = RecurrentState(hidden: h0, cell: config.arch == .lstm ? .zeros([1, n, h]) : nil)
        let memory = Memory(keys: run.output, projectedKeys: config.attention ? attention.projectKeys(run.output) : nil,
                            summary: summary, lengths: lengths)
        return (memory, state)
    }

    /// One decoder step from `state` reading the previous target `token`s: logits `[N, V]`, the new
    /// state and the attention weights `[N, S]` (nil without attention).
    public func step(_ memory: Memory, _ state: RecurrentState, tokens: [Int]) -> (logits: Tensor, state: RecurrentState, weights: Tensor?) {
        let n = tokens.count, h = config.hidden
        let context: Tensor, weights: Tensor?
        if config.attention {
            let query = state.hidden.reshaped([n, h])
            let a = attention.attend(query: query, keys: memory.keys, projectedKeys: memory.projectedKeys, lengths: memory.lengths)
            context = a.context; weights = a.weights
        } else {
            context = memory.summary; weights = nil
        }
        let embedded = targetEmbedding.forward(ids: tokens, shape: [n])  // [N, E]
        let input = Tensor.concatenate([embedded, context], axis: 1).reshaped([n, 1, config.embedding + 2 * h])
        let next = decoder.forward(input, state: state).state
        let logits = output(Tensor.concatenate([next.hidden.reshaped([n, h]), context], axis: 1))
        return (logits, next, weights)
    }

    /// Teacher forcing: the decoder reads the true previous character at every step. Logits
    /// `[N, L, V]` for targets `[N, L]` (each ending with the end token; all of one length L).
    public func teacherForcedLogits(sources: [[Int]], targets: [[Int]]) -> Tensor {
        let n = sources.count, l = targets[0].count
        let encoded = encode(sources)
        let memory = encoded.memory
        var state = encoded.state
        var steps: [Tensor] = []
        for t in 0..<l {
            let tokens = targets.map { t == 0 ? DateVocabulary.start : $0[t - 1] }
            let r = step(memory, state, tokens: tokens)
            state = r.state
            steps.append(r.logits.reshaped([n, 1, DateVocabulary.targetCount]))
        }
        return Tensor.concatenate(steps, axis: 1)
    }

    /// Mean cross-entropy per target character under teacher forcing (nats).
    public func loss(sources: [[Int]], targets: [[Int]]) -> Tensor {
        let logits = teacherForcedLogits(sources: sources, targets: targets)
        let n = sources.count, l = targets[0].count
        return crossEntropy(logits: logits.reshaped([n * l, DateVocabulary.targetCount]), labels: targets.flatMap { $0 })
    }
}
