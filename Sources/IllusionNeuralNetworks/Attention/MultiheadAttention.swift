import Foundation
import IllusionTensors

/// Multi-head attention with `torch.nn.MultiheadAttention`'s parameters, names and layouts
/// (`batch_first=True`): `in_proj_weight [3E, E]` (rows: q | k | v projections), `in_proj_bias [3E]`,
/// `out_proj.weight [E, E]`, `out_proj.bias [E]`. So a checkpoint of this layer loads into PyTorch's
/// module (and back) and gives the same outputs.
///
/// query `[N, T, E]`, key and value `[N, S, E]` → `[N, T, E]`. Each of H heads sees d = E/H
/// features: q, k, v = x·W_{q,k,v}ᵀ + b, split into `[N, H, T, d]`, fused scaled dot-product attention
/// (optionally causal, dropout on the weights in training), heads side by side, then `out_proj`.
/// Init as PyTorch: Xavier-uniform `in_proj_weight`, zero biases, `out_proj.weight` U(±1/√E).
public final class MultiheadAttention: Layer {
    /// E: the width of queries, keys, values and the output.
    public let embedDim: Int
    /// H: heads of width E/H each.
    public let numHeads: Int
    /// Dropout probability on the attention weights in training (PyTorch `dropout`).
    public let dropoutRate: Float
    /// `in_proj_weight` `[3E, E]`: rows 0..<E project queries, E..<2E keys, 2E..<3E values.
    public let inProjWeight: Tensor
    /// `in_proj_bias` `[3E]` in the same order (nil with `bias: false`).
    public let inProjBias: Tensor?
    /// `out_proj`: E → E after the heads are concatenated.
    public let outProj: Dense
    /// Draws the attention-dropout masks (checkpointable).
    public var generator: RandomGenerator
    public var isTraining = true

    /// Throws when `numHeads` does not divide `embedDim` (a user-chosen pair).
    public init(embedDim: Int, numHeads: Int, dropout: Float = 0, bias: Bool = true, rng: inout RandomGenerator) throws {
        guard embedDim > 0, numHeads > 0, embedDim % numHeads == 0 else {
            throw LayerError.invalidArgument("MultiheadAttention: \(numHeads) heads do not divide the width \(embedDim)")
        }
        self.embedDim = embedDim
        self.numHeads = numHeads
        dropoutRate = dropout
        inProjWeight = Initializer.glorotUniform().make([3 * embedDim, embedDim], rng: &rng)
        inProjWeight.requiresGrad = true
        inProjBias = bias ? Tensor.zeros([3 * embedDim], requiresGrad: true) : nil
        outProj = Dense(embedDim, embedDim, bias: bias, rng: &rng)
        if let b = outProj.bias { b.storage = [Float](repeating: 0, count: embedDim) }
        generator = RandomGenerator(seed: UInt64(rng.nextUInt32()), stream: 0xA77E)
    }

    public var ownParameters: [(name: String, tensor: Tensor)] {
        [("in_proj_weight", inProjWeight)] + (inProjBias.map { [("in_proj_bias", $0)] } ?? [])
    }
    public var children: [(name: String, layer: Layer)] { [("out_proj", outProj)] }
    public var summaryName: String { "MultiheadAttention(\(embedDim), \(numHeads) heads)" }

    /// Self-attention without a mask.
    public func forward(_ x: Tensor) -> Tensor { callAsFunction(query: x, key: x, value: x) }

    /// query `[N, T, E]`, key and value `[N, S, E]` → `[N, T, E]`; `causal` lets query i attend to keys
    /// j ≤ i only (PyTorch's `is_causal=True`, i.e. `nn.Transformer.generate_square_subsequent_mask`).
    public func callAsFunction(query: Tensor, key: Tensor, value: Tensor, causal: Bool = false) -> Tensor {
        require(query.rank == 3 && query.shape[2] == embedDim && key.rank == 3 && key.shape == value.shape
                && key.shape[0] == query.shape[0] && key.shape[2] == embedDim,
                "MultiheadAttention(\(embedDim)): query \(query.shape), key \(key.shape), value \(value.shape) must be [N, T, E], [N, S, E], [N, S, E]")
        let n = query.shape[0], t = query.shape[1], s = key.shape[1], e = embedDim, h = numHeads
        let q, k, v: Tensor
        if query === key && key === value {
            let packed = linear(query.reshaped([n * t, e]), inProjWeight, inProjBias)
            q = splitHeads(packed, batch: n, time: t, heads: h, part: 0, parts: 3)
            k = splitHeads(packed, batch: n, time: t, heads: h, part: 1, parts: 3)
            v = splitHeads(packed, batch: n, time: t, heads: h, part: 2, parts: 3)
        } else {
            func project(_ x: Tensor, _ part: Int, _ len: Int) -> Tensor {
                let w = inProjWeight.narrowed(axis: 0, start: part * e, length: e)
                let b = inProjBias?.narrowed(axis: 0, start: part * e, length: e)
                return splitHeads(linear(x.reshaped([n * len, e]), w, b), batch: n, time: len, heads: h)
            }
            q = project(query, 0, t); k = project(key, 1, s); v = project(value, 2, s)
        }
        let attended: Tensor
        if isTraining && dropoutRate > 0 {
            let keep = attentionDropoutMask(q, k, p: dropoutRate, rng: &generator)
            attended = scaledDotProductAttention(q, k, v, causal: causal, dropout: dropoutRate, keep: keep)
        } else {
            attended = scaledDotProductAttention(q, k, v, causal: causal)
        }
        let merged = mergeHeads(attended).reshaped([n * t, e])
        return outProj(merged).reshaped([n, t, e])
    }
}
