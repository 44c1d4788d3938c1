import Foundation
import IllusionNeuralNetworks

/// Shape of a GPT-style character model (nanoGPT's `GPTConfig`).
public struct CharTransformerConfig: Codable, Equatable, Sendable {
    public var vocabularySize: Int
    /// Context length T: the model sees at most this many tokens (learned positions 0..<T).
    public var blockSize: Int
    public var layers: Int
    public var heads: Int
    /// Embedding width E (d = E / heads per head).
    public var width: Int
    /// Biases in every Linear and LayerNorm (nanoGPT's default: none).
    public var bias: Bool
    /// The output head shares the token embedding's weight (`lm_head.weight` is `transformer.wte.weight`).
    public var tiedHead: Bool

    public init(vocabularySize: Int, blockSize: Int = 64, layers: Int = 4, heads: Int = 4, width: Int = 128,
                bias: Bool = false, tiedHead: Bool = true) {
        self.vocabularySize = vocabularySize
        self.blockSize = blockSize
        self.layers = layers
        self.heads = heads
        self.width = width
        self.bias = bias
        self.tiedHead = tiedHead
    }

    /// Throws one line naming the flag when a size is unusable.
    public func validate() throws {
        guard vocabularySize > 0 else { throw ModelError.invalidArgument("transformer: the vocabulary is empty") }
        guard blockSize > 0 else { throw ModelError.invalidArgument("--block must be positive, got \(blockSize)") }
        guard layers > 0 else { throw ModelError.invalidArgument("--layers must be positive, got \(layers)") }
        guard width > 0, heads > 0 else { throw ModelError.invalidArgument("--embed and --heads must be positive, got \(width) and \(heads)") }
        guard width % heads == 0 else {
            throw ModelError.invalidArgument("--heads \(heads) does not divide --embed \(width) (each head needs width/heads features)")
        }
    }
}

/// nanoGPT's `transformer` module dict: `wte`, `wpe`, `h.<i>`, `ln_f`.
public final class TransformerTrunk: Layer {
    public let tokenEmbedding: Embedding
    public let positionEmbedding: Embedding
    public let blocks: Sequential
    public let finalNorm: LayerNorm
    public var isTraining = true

    init(_ c: CharTransformerConfig, rng: inout RandomGenerator) throws {
        tokenEmbedding = Embedding(c.vocabularySize, c.width, rng: &rng)
        positionEmbedding = Embedding(c.blockSize, c.width, rng: &rng)
        blocks = Sequential(try (0..<c.layers).map { _ in try DecoderBlock(width: c.width, heads: c.heads, bias: c.bias, rng: &rng) })
        finalNorm = LayerNorm(c.width, bias: c.bias)
    }

    public var children: [(name: String, layer: Layer)] {
        [("wte", tokenEmbedding), ("wpe", positionEmbedding), ("h", blocks), ("ln_f", finalNorm)]
    }
    public func forward(_ x: Tensor) -> Tensor { fatalError("TransformerTrunk: use CharTransformer.logits") }
}

/// A decoder-only character model with nanoGPT's architecture and state-dict names:
///
///     x = wte[tokens] + wpe[0..<T];  x = block(x) for each of L pre-LN blocks;  logits = ln_f(x)·Wᵀ
///
/// with W = `lm_head.weight [V, E]` (the same tensor as `transformer.wte.weight` when tied, so the
/// state dict holds both names, as PyTorch's). Init as nanoGPT: N(0, 0.02) for every Linear and
/// Embedding weight, N(0, 0.02/√(2L)) for the two `c_proj` weights of each block, LayerNorm 1/0.
/// A checkpoint loads into nanoGPT's `GPT` (`model.load_state_dict`) and back.
public final class CharTransformer: Layer {
    public let config: CharTransformerConfig
    public let transformer: TransformerTrunk
    /// `lm_head.weight [V, E]`.
    public let headWeight: Tensor
    public var isTraining = true

    public init(config: CharTransformerConfig, rng: inout RandomGenerator) throws {
        try config.validate()
        self.config = config
        transformer = try TransformerTrunk(config, rng: &rng)
        headWeight = config.tiedHead ? transformer.tokenEmbedding.weight
            : Tensor.zeros([config.vocabularySize, config.width], requiresGrad: true)
        let residualStd = 0.02 / Float(2 * config.layers).squareRoot()
        for (name, p) in namedParameters() where p.rank == 2 {
            let std = name.hasSuffix("c_proj.weight") ? residualStd : 0.02
            p.storage = Initializer.normal(std: std).make(p.shape, rng: &rng).storage
        }
    }

    public var ownParameters: [(name: String, tensor: Tensor)] { [("lm_head.weight", headWeight)] }
    public var children: [(name: String, layer: Layer)] { [("transformer", transformer)] }
    public var summaryName: String {
        "CharTransformer(\(config.layers) layers, \(config.heads) heads, width \(config.width), block \(config.blockSize))"
    }

    /// The trainable tensors once each (the tied weight appears under two names), for optimizers
    /// and gradient clipping — as `model.parameters()` in PyTorch.
    public var uniqueParameters: [(name: String, tensor: Tensor)] {
        var seen = Set<ObjectIdentifier>()
        return namedParameters().filter { seen.insert(ObjectIdentifier($0.tensor)).inserted }
    }

    /// The per-block attention layers (for weight pictures).
    public var attentionLayers: [CausalSelfAttention] {
        transformer.blocks.layers.map { ($0 as! DecoderBlock).attention }
    }

    public func forward(_ x: Tensor) -> Tensor {
        require(x.rank == 2, "CharTransformer: tokens must be [N, T], got \(x.shape)")
        return logits(tokens: x.storage.map { Int($0) }, batch: x.shape[0])
    }

    /// Logits `[N·T, V]` for `tokens` (N rows of T ≤ block ids each, row-major).
    public func logits(tokens: [Int], batch n: Int) -> Tensor {
        let t = tokens.count / max(n, 1), e = config.width
        require(n > 0 && tokens.count == n * t && t > 0 && t <= config.blockSize,
                "CharTransformer: \(tokens.count) tokens in \(n) rows need 1…\(config.blockSize) per row")
        var x = transformer.tokenEmbedding.forward(ids: tokens, shape: [n, t])
            + transformer.positionEmbedding.forward(ids: Array(0..<t), shape: [t])
        x = transformer.blocks(x)
        let h = transformer.finalNorm(x).reshaped([n * t, e])
        return linear(h, headWeight, nil)
    }

    /// Mean cross-entropy (nats/char) of predicting `targets` from `tokens` (both N·T ids).
    public func loss(tokens: [Int], targets: [Int], batch n: Int) -> Tensor {
        crossEntropy(logits: logits(tokens: tokens, batch: n), labels: targets)
    }
}
