import Foundation
import IllusionTensors

/// Causal self-attention with nanoGPT's names: `c_attn` (Linear E → 3E, rows q | k | v — the layout
/// of `in_proj_weight`) and `c_proj` (Linear E → E). x `[N, T, E]` → `[N, T, E]`.
public final class CausalSelfAttention: Layer {
    /// Embedding width E (model dimension); each head sees E / heads features.
    public let width: Int
    /// Number of attention heads H (divides width).
    public let heads: Int
    /// `c_attn`: E → 3E, the query, key and value projections stacked (weight `[3E, E]`, rows q | k | v).
    public let attn: Dense
    /// `c_proj`: E → E, mixes the heads' outputs.
    public let proj: Dense
    public var isTraining = true
    /// When true, each forward stores its attention weights in ``recordedWeights`` (for pictures).
    public var recordsWeights = false
    /// The last forward's weights `[N, H, T, T]` (row = query), when ``recordsWeights`` is set.
    public private(set) var recordedWeights: [Float]?

    /// Throws when `heads` does not divide `width`.
    public init(width: Int, heads: Int, bias: Bool, rng: inout RandomGenerator) throws {
        guard width > 0, heads > 0, width % heads == 0 else {
            throw LayerError.invalidArgument("attention: \(heads) heads do not divide the width \(width)")
        }
        self.width = width
        self.heads = heads
        attn = Dense(width, 3 * width, bias: bias, rng: &rng)
        proj = Dense(width, width, bias: bias, rng: &rng)
    }

    public var children: [(name: String, layer: Layer)] { [("c_attn", attn), ("c_proj", proj)] }
    public var summaryName: String { "CausalSelfAttention(\(width), \(heads) heads)" }

    public func forward(_ x: Tensor) -> Tensor { forward(x, adding: nil) }

    /// x `[N, T, E]` → residual + attention(x) `[N, T, E]`, the add fused into `c_proj`'s GEMM
    /// (``linear(_:_:_:adding:)``); a nil residual is the plain forward.
    public func forward(_ x: Tensor, adding residual: Tensor?) -> Tensor {
        require(x.rank == 3 && x.shape[2] == width, "CausalSelfAttention(\(width)): input \(x.shape) must be [N, T, \(width)]")
        let n = x.shape[0], t = x.shape[1]
        let packed = attn(x.reshaped([n * t, width]))   // [N·T, 3E]: q | k | v
        if recordsWeights {
            recordedWeights = noGrad {
                attentionWeights(splitHeads(packed, batch: n, time: t, heads: heads, part: 0, parts: 3),
                                 splitHeads(packed, batch: n, time: t, heads: heads, part: 1, parts: 3), causal: true)
            }
        }
        let y = packedSelfAttention(packed, batch: n, time: t, heads: heads, causal: true)   // [N·T, E]
        return linear(y, proj.weight, proj.bias, adding: residual).reshaped([n, t, width])
    }
}

/// The transformer MLP with nanoGPT's names: `c_fc` (E → 4E), exact GELU, `c_proj` (4E → E).
public final class TransformerMLP: Layer {
    /// `c_fc`: E → 4E (weight `[4E, E]`).
    public let fc: Dense
    /// `c_proj`: 4E → E (weight `[E, 4E]`).
    public let proj: Dense
    public var isTraining = true

    /// Both projections with PyTorch's Linear init; `bias: false` drops their biases (nanoGPT's `bias=False`).
    public init(width: Int, bias: Bool, rng: inout RandomGenerator) {
        fc = Dense(width, 4 * width, bias: bias, rng: &rng)
        proj = Dense(4 * width, width, bias: bias, rng: &rng)
    }

    public var children: [(name: String, layer: Layer)] { [("c_fc", fc), ("c_proj", proj)] }

    /// x `[…, E]` → `[…, E]`.
    public func forward(_ x: Tensor) -> Tensor { forward(x, adding: nil) }

    /// x `[…, E]` → residual + mlp(x), the add fused into `c_proj`'s GEMM (``linear(_:_:_:adding:)``).
    public func forward(_ x: Tensor, adding residual: Tensor?) -> Tensor {
        let e = fc.inputSize
        let hidden = fc(x.reshaped([-1, e])).gelu()
        return linear(hidden, proj.weight, proj.bias, adding: residual).reshaped(x.shape)
    }
}

/// A pre-LayerNorm decoder block, as GPT-2/nanoGPT: x = x + attn(ln_1(x)); x = x + mlp(ln_2(x)).
/// x `[N, T, E]` → `[N, T, E]`. Children `ln_1`, `attn`, `ln_2`, `mlp` (nanoGPT's `Block`).
public final class DecoderBlock: Layer {
    /// `ln_1`: normalises the attention branch's input.
    public let ln1: LayerNorm
    /// `attn`: causal self-attention over the sequence.
    public let attention: CausalSelfAttention
    /// `ln_2`: normalises the MLP branch's input.
    public let ln2: LayerNorm
    /// `mlp`: the position-wise E → 4E → E network.
    public let mlp: TransformerMLP
    public var isTraining = true

    /// A block of width E with `heads` heads; `bias` applies to every Linear and LayerNorm (nanoGPT's `bias`).
    /// Throws when `heads` does not divide `width`.
    public init(width: Int, heads: Int, bias: Bool = false, rng: inout RandomGenerator) throws {
        ln1 = LayerNorm(width, bias: bias)
        attention = try CausalSelfAttention(width: width, heads: heads, bias: bias, rng: &rng)
        ln2 = LayerNorm(width, bias: bias)
        mlp = TransformerMLP(width: width, bias: bias, rng: &rng)
    }

    public var children: [(name: String, layer: Layer)] { [("ln_1", ln1), ("attn", attention), ("ln_2", ln2), ("mlp", mlp)] }
    public var summaryName: String { "DecoderBlock(\(attention.width), \(attention.heads) heads)" }

    /// The two residual adds run inside the `c_proj` GEMMs (``linear(_:_:_:adding:)``: C starts as
    /// the residual stream, β = 1).
    public func forward(_ x: Tensor) -> Tensor {
        let h = attention.forward(ln1(x), adding: x)
        return mlp.forward(ln2(h), adding: h)
    }
}
