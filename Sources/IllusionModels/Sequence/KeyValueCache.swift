import Foundation
import IllusionNeuralNetworks

/// Keys and values of every layer for the positions seen so far, so that generating one more token
/// runs each layer on that token only (its query attends to the cached keys), instead of
/// re-running the whole window.
///
/// Layout per layer: keys and values `[H, blockSize, d]`, of which positions `0..<count` are filled.
public struct KeyValueCache {
    public let layers: Int
    public let heads: Int
    public let headSize: Int
    public let capacity: Int
    public private(set) var count = 0
    var keys: [[Float]]
    var values: [[Float]]

    public init(config: CharTransformerConfig) {
        layers = config.layers
        heads = config.heads
        headSize = config.width / config.heads
        capacity = config.blockSize
        keys = [[Float]](repeating: [Float](repeating: 0, count: heads * capacity * headSize), count: layers)
        values = keys
    }

    public var isFull: Bool { count == capacity }
    public mutating func reset() { count = 0 }
    mutating func advance() { count += 1 }
}

extension CharTransformer {
    /// Feeds one token at position `cache.count` and returns the next-token logits `[V]`; appends
    /// this position's keys and values to `cache`. Equals the last row of ``logits(tokens:batch:)``
    /// on the tokens fed so far (tested). Not on the tape.
    public func step(token: Int, cache: inout KeyValueCache) -> [Float] {
        require(!cache.isFull, "CharTransformer.step: the cache holds \(cache.capacity) positions (the block size); reset it first")
        require(token >= 0 && token < config.vocabularySize, "CharTransformer.step: token \(token) outside the vocabulary")
        let e = config.width, h = config.heads, d = e / h, pos = cache.count, cap = cache.capacity
        let scale = 1 / Float(d).squareRoot()
        return noGrad {
            var x = transformer.tokenEmbedding.forward(ids: [token], shape: [1]) + transformer.positionEmbedding.forward(ids: [pos], shape: [1])
            for (l, layer) in transformer.blocks.layers.enumerated() {
                let block = layer as! DecoderBlock
                let qkv = block.attention.attn(block.ln1(x)).storage   // [3E]
                var attended = [Float](repeating: 0, count: e)
                cache.keys[l].withUnsafeMutableBufferPointer { kp in cache.values[l].withUnsafeMutableBufferPointer { vp in
                    var scores = [Float](repeating: 0, count: pos + 1)
                    for head in 0..<h {
                        let base = head * cap * d
                        for j in 0..<d {
                            kp[base + pos * d + j] = qkv[e + head * d + j]
                            vp[base + pos * d + j] = qkv[2 * e + head * d + j]
                        }
                        var m = -Float.infinity
                        for s in 0...pos {
                            var dot: Float = 0
                            for j in 0..<d { dot += qkv[head * d + j] * kp[base + s * d + j] }
                            scores[s] = dot * scale
                            m = max(m, scores[s])
                        }
                        var sum: Float = 0
                        for s in 0...pos { scores[s] = fastExp(scores[s] - m); sum += scores[s] }
                        for s in 0...pos {
                            let w = scores[s] / sum
                            for j in 0..<d { attended[head * d + j] += w * vp[base + s * d + j] }
                        }
                    }
                } }
                // The residual adds fused into the c_proj GEMMs, as in DecoderBlock.forward.
                x = linear(Tensor(shape: [1, e], storage: attended), block.attention.proj.weight, block.attention.proj.bias, adding: x)
                x = block.mlp.forward(block.ln2(x), adding: x)
            }
            cache.advance()
            return linear(transformer.finalNorm(x), headWeight, nil).storage
        }
    }
}
