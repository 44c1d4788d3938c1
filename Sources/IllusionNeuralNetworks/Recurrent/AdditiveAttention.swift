/// Additive (Bahdanau) attention, a soft and differentiable lookup: for a query q (the decoder
/// state) and keys k_s (the encoder outputs), score_s = vᵀ tanh(W_q q + W_k k_s + b),
/// weights = softmax_s(score) (they sum to 1 over the encoder steps), context = Σ_s weight_s k_s.
///
/// Shapes: query `[N, Q]`, keys `[N, S, K]` → context `[N, K]`, weights `[N, S]`. Parameters as
/// `Dense`: `query.weight` `[A, Q]` (+ bias `[A]`), `key.weight` `[A, K]`, `score.weight` `[1, A]`.
/// Built from elementary tape ops, so every encoder step receives gradient through its weight.
public final class AdditiveAttention: Layer {
    /// `query`: W_q q + b, Q → A.
    public let queryProjection: Dense
    /// `key`: W_k k_s, K → A, without bias (the query's bias serves both).
    public let keyProjection: Dense
    /// `score`: vᵀ tanh(·), A → 1, without bias (a constant would cancel in the softmax).
    public let score: Dense
    public var isTraining = true

    /// Q = `querySize` (decoder state), K = `keySize` (encoder output), A = `attentionSize`; Linear init.
    public init(querySize: Int, keySize: Int, attentionSize: Int, rng: inout RandomGenerator) {
        queryProjection = Dense(querySize, attentionSize, rng: &rng)
        keyProjection = Dense(keySize, attentionSize, bias: false, rng: &rng)
        score = Dense(attentionSize, 1, bias: false, rng: &rng)
    }

    public var children: [(name: String, layer: Layer)] { [("query", queryProjection), ("key", keyProjection), ("score", score)] }
    public var summaryName: String { "AdditiveAttention(\(queryProjection.inputSize), \(keyProjection.inputSize) → \(score.inputSize))" }

    /// Layer interface is not meaningful for two inputs; use ``attend(query:keys:)``.
    public func forward(_ x: Tensor) -> Tensor {
        fatalError("AdditiveAttention needs a query and keys: call attend(query:keys:)")
    }

    /// W_k k_s for every key, computed once per sequence: `[N, S, A]` (reuse it across decoder steps).
    public func projectKeys(_ keys: Tensor) -> Tensor { keyProjection(keys) }

    /// The context `[N, K]` and the weights `[N, S]` for one query `[N, Q]`. `lengths`: the valid
    /// keys of each sequence (1…S); steps past a sequence's end get weight 0 (their score is masked
    /// to −10⁹ before the softmax, as `masked_fill` does), so padding neither attracts weight nor gradient.
    public func attend(query: Tensor, keys: Tensor, projectedKeys: Tensor? = nil, lengths: [Int]? = nil) -> (context: Tensor, weights: Tensor) {
        require(query.rank == 2 && keys.rank == 3 && keys.shape[0] == query.shape[0],
                "AdditiveAttention: query [N, Q] and keys [N, S, K] expected, got \(query.shape) and \(keys.shape)")
        let n = keys.shape[0], s = keys.shape[1], a = score.inputSize
        let pk = projectedKeys ?? projectKeys(keys)
        let pq = queryProjection(query).reshaped([n, 1, a])
        var scores = score((pk + pq).tanh()).reshaped([n, s])
        if let lengths {
            require(lengths.count == n && lengths.allSatisfy { $0 >= 1 && $0 <= s },
                    "AdditiveAttention: lengths must be \(n) values in 1…\(s), got \(lengths)")
            if lengths.contains(where: { $0 < s }) { scores = scores + Self.paddingMask(lengths: lengths, steps: s) }
        }
        let weights = scores.softmax()
        let context = (weights.reshaped([n, s, 1]) * keys).sum(axis: 1)
        return (context, weights)
    }

    /// A constant `[N, S]`: 0 on valid steps, −10⁹ past each sequence's length.
    public static func paddingMask(lengths: [Int], steps: Int) -> Tensor {
        var m = [Float](repeating: 0, count: lengths.count * steps)
        for (i, l) in lengths.enumerated() { for t in l..<steps { m[i * steps + t] = -1e9 } }
        return Tensor(shape: [lengths.count, steps], storage: m)
    }
}
