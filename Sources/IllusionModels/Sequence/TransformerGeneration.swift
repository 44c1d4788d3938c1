import Foundation
import IllusionNeuralNetworks

/// How the next token is drawn from the logits: softmax(logits / temperature), restricted to the
/// `topK` largest (0 = all), as nanoGPT's `sample`.
public struct TokenSampling: Sendable {
    public var temperature: Float
    public var topK: Int
    public init(temperature: Float = 1, topK: Int = 0) { self.temperature = temperature; self.topK = topK }

    /// Draws one token id from `logits` with one uniform draw of `rng`.
    public func draw(_ logits: [Float], rng: inout RandomGenerator) -> Int {
        var z = logits.map { Double($0) / Double(max(temperature, 1e-6)) }
        if topK > 0 && topK < z.count {
            let threshold = z.sorted(by: >)[topK - 1]
            for i in z.indices where z[i] < threshold { z[i] = -.infinity }
        }
        let m = z.max() ?? 0
        let p = z.map { Foundation.exp($0 - m) }
        let total = p.reduce(0, +)
        var u = rng.nextDouble() * total
        for (i, pi) in p.enumerated() where pi > 0 {
            u -= pi
            if u < 0 { return i }
        }
        return p.lastIndex { $0 > 0 } ?? 0
    }
}

extension CharTransformer {
    /// Generates `count` tokens after `prompt` (token ids, at least one).
    ///
    /// The model sees at most `blockSize` tokens: a longer prompt is cropped to its last
    /// `blockSize` tokens (as nanoGPT's `idx[:, -block_size:]`).
    /// `useCache: false` re-runs the whole (cropped) window for every new token, exactly nanoGPT's
    /// `sample`. `useCache: true` feeds each new token through ``step(token:cache:)`` once — the same
    /// tokens while the text fits in the block (tested). When the cache is full, since learned
    /// positions cannot slide, it restarts from the last `blockSize/2` tokens (re-fed one by one), so
    /// past the block size each token sees between T/2 and T previous tokens instead of exactly T.
    public func generate(prompt: [Int], count: Int, sampling: TokenSampling = TokenSampling(), useCache: Bool = true,
                         rng: inout RandomGenerator) -> [Int] {
        require(!prompt.isEmpty, "generate: the prompt needs at least one token")
        let t = config.blockSize
        var context = Array(prompt.suffix(t))
        var generated: [Int] = []
        generated.reserveCapacity(count)
        let wasTraining = isTraining
        setTraining(false)
        defer { setTraining(wasTraining) }
        if useCache {
            var cache = KeyValueCache(config: config)
            var logits: [Float] = []
            for token in context { logits = step(token: token, cache: &cache) }
            for _ in 0..<count {
                let next = sampling.draw(logits, rng: &rng)
                generated.append(next)
                context.append(next)
                if cache.isFull {
                    context = Array(context.suffix(max(1, t / 2)))
                    cache.reset()
                    for token in context { logits = step(token: token, cache: &cache) }
                } else {
                    logits = step(token: next, cache: &cache)
                }
            }
        } else {
            for _ in 0..<count {
                let window = Array(context.suffix(t))
                let all = noGrad { self.logits(tokens: window, batch: 1) }
                let v = config.vocabularySize
                let next = sampling.draw(Array(all.storage[(window.count - 1) * v ..< window.count * v]), rng: &rng)
                generated.append(next)
                context.append(next)
            }
        }
        return generated
    }

    /// Every head's attention weights for `tokens` (at most blockSize): `[layer][head]` → `[T·T]`
    /// row-major (row = query position, column = key position; rows sum to 1, upper triangle 0).
    public func attentionMaps(tokens: [Int]) -> [[[Float]]] {
        let t = tokens.count, h = config.heads
        let layers = attentionLayers
        for a in layers { a.recordsWeights = true }
        defer { for a in layers { a.recordsWeights = false } }
        _ = noGrad { logits(tokens: tokens, batch: 1) }
        return layers.map { a in
            let w = a.recordedWeights ?? []
            return (0..<h).map { head in Array(w[head * t * t ..< (head + 1) * t * t]) }
        }
    }
}
