import Foundation

/// Free-running decoding: the decoder reads its own previous output. Greedy takes the most likely
/// character at each step; beam search keeps the K most likely prefixes (sum of log-probabilities,
/// no length penalty: every ISO date has the same length) and returns the best finished one.
public enum Seq2SeqDecoding {
    /// One decoded sequence: target ids (ending with the end token unless cut at `maxLength`), its
    /// log-probability, and the attention weights of each output step over the source characters.
    public struct Decoded {
        public var ids: [Int]
        public var logProbability: Double
        public var weights: [[Float]]
        public var text: String { DateVocabulary.decodeTarget(ids) }
    }

    /// Greedy decoding of a batch (no gradients).
    public static func greedy(_ model: AttentionSeq2Seq, sources: [[Int]], maxLength: Int = DateVocabulary.targetLength) -> [Decoded] {
        noGrad {
            let n = sources.count
            let encoded = model.encode(sources)
            var state = encoded.state
            var out = sources.map { _ in Decoded(ids: [], logProbability: 0, weights: []) }
            var tokens = [Int](repeating: DateVocabulary.start, count: n)
            var done = [Bool](repeating: false, count: n)
            let s = encoded.memory.keys.shape[1]
            for _ in 0..<maxLength where done.contains(false) {
                let r = model.step(encoded.memory, state, tokens: tokens)
                state = r.state
                let logp = r.logits.logSoftmax()
                let v = DateVocabulary.targetCount
                // The start token is never an output (beam search skips it too).
                let best = (0..<n).map { i in (1..<v).max { logp.storage[i * v + $0] < logp.storage[i * v + $1] || (logp.storage[i * v + $0] == logp.storage[i * v + $1] && $0 > $1) }! }
                for i in 0..<n where !done[i] {
                    out[i].ids.append(best[i])
                    out[i].logProbability += Double(logp.storage[i * v + best[i]])
                    if let w = r.weights { out[i].weights.append(Array(w.storage[(i * s)..<(i * s + sources[i].count)])) }
                    done[i] = best[i] == DateVocabulary.end
                }
                tokens = best
            }
            return out
        }
    }

    /// Beam search with `beam` hypotheses per example, batched over examples × beams (no gradients).
    /// With `beam` 1 it is greedy decoding.
    public static func beamSearch(_ model: AttentionSeq2Seq, sources: [[Int]], beam: Int,
                                  maxLength: Int = DateVocabulary.targetLength) -> [Decoded] {
        require(beam >= 1, "beam search needs a beam of at least 1, got \(beam)")
        return noGrad {
            let b = sources.count, k = beam, rows = b * k, h = model.config.hidden, v = DateVocabulary.targetCount
            let encoded = model.encode(sources)
            let memory = encoded.memory.rows((0..<rows).map { $0 / k })
            let s = memory.keys.shape[1]
            func repeated(_ t: Tensor) -> Tensor { t.reshaped([b, h]).gatherRows((0..<rows).map { $0 / k }).reshaped([1, rows, h]) }
            var state = RecurrentState(hidden: repeated(encoded.state.hidden), cell: encoded.state.cell.map(repeated))
            var hyps = (0..<rows).map { r in Decoded(ids: [], logProbability: r % k == 0 ? 0 : -.infinity, weights: []) }
            var finished = [Bool](repeating: false, count: rows)
            for _ in 0..<maxLength where finished.contains(false) {
                let tokens = hyps.map { $0.ids.last ?? DateVocabulary.start }
                let r = model.step(memory, state, tokens: tokens)
                let logp = r.logits.logSoftmax().storage
                var parents: [Int] = [], next: [Decoded] = [], nextFinished: [Bool] = []
                for e in 0..<b {
                    var candidates: [(score: Double, parent: Int, token: Int)] = []
                    for j in 0..<k {
                        let row = e * k + j, base = hyps[row].logProbability
                        guard base > -.infinity else { continue }
                        if finished[row] { candidates.append((base, row, -1)); continue }
                        for t in 1..<v { candidates.append((base + Double(logp[row * v + t]), row, t)) }
                    }
                    candidates.sort { ($0.score, -$0.parent, -$0.token) > ($1.score, -$1.parent, -$1.token) }
                    for j in 0..<k {
                        guard j < candidates.count else {
                            parents.append(e * k); next.append(Decoded(ids: [], logProbability: -.infinity, weights: [])); nextFinished.append(true)
                            continue
                        }
                        let c = candidates[j]
                        var hyp = hyps[c.parent]
                        hyp.logProbability = c.score
                        if c.token >= 0 {
                            hyp.ids.append(c.token)
                            if let w = r.weights {
                                let src = sources[e].count
                                hyp.weights.append(Array(w.storage[(c.parent * s)..<(c.parent * s + src)]))
                            }
                        }
                        parents.append(c.parent); next.append(hyp)
                        nextFinished.append(c.token < 0 || c.token == DateVocabulary.end)
                    }
                }
                func pick(_ t: Tensor) -> Tensor { t.reshaped([rows, h]).gatherRows(parents).reshaped([1, rows, h]) }
                state = RecurrentState(hidden: pick(r.state.hidden), cell: r.state.cell.map(pick))
                hyps = next; finished = nextFinished
            }
            return (0..<b).map { e in hyps[(e * k)..<(e * k + k)].max { $0.logProbability < $1.logProbability }! }
        }
    }

    /// Decodes `texts` in batches (`beam` 1: greedy).
    public static func translate(_ model: AttentionSeq2Seq, _ sources: [[Int]], beam: Int = 1, batch: Int = 256) -> [Decoded] {
        var out: [Decoded] = []
        for start in stride(from: 0, to: sources.count, by: batch) {
            let part = Array(sources[start..<min(start + batch, sources.count)])
            out += beam == 1 ? greedy(model, sources: part) : beamSearch(model, sources: part, beam: beam)
        }
        return out
    }
}
