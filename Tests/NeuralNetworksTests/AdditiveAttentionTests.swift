import Foundation
import XCTest
@testable import IllusionNeuralNetworks

/// AdditiveAttention (the seq2seq model's Bahdanau attention) against PyTorch
/// (`scripts/make_additive_attention_fixture.py` → `Fixtures/recurrent_additive_attention.safetensors`),
/// with padding masked, and a finite-difference check of the masked path.
final class AdditiveAttentionTests: XCTestCase {
    func testMatchesPyTorchWithPadding() throws {
        let dir = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        let f = try SafeTensors(contentsOf: dir.appendingPathComponent("recurrent_additive_attention.safetensors").path)
        let query = try f.tensor("query"), keys = try f.tensor("keys")
        query.requiresGrad = true; keys.requiresGrad = true
        let lengths = try f.int64s("lengths").map { Int($0) }
        var rng = RandomGenerator(seed: 3)
        let attention = AdditiveAttention(querySize: query.shape[1], keySize: keys.shape[2],
                                          attentionSize: try f.tensor("p.score.weight").shape[1], rng: &rng)
        var state: [String: Tensor] = [:]
        for key in f.names where key.hasPrefix("p.") { state[String(key.dropFirst(2))] = try f.tensor(key) }
        try attention.loadStateDict(state, source: "fixture", strict: true)
        let (context, weights) = attention.attend(query: query, keys: keys, lengths: lengths)
        coreAssertClose(context, try f.tensor("context"), tolerance: 1e-5, "context")
        coreAssertClose(weights, try f.tensor("weights"), tolerance: 1e-6, "weights")
        ((context * (try f.tensor("w_context"))).sum() + (weights * (try f.tensor("w_weights"))).sum()).backward()
        coreAssertClose(query.gradient, try f.tensor("grad.query"), tolerance: 2e-5, "grad query")
        coreAssertClose(keys.gradient, try f.tensor("grad.keys"), tolerance: 2e-5, "grad keys")
        for (name, p) in attention.namedParameters() {
            coreAssertClose(p.gradient, try f.tensor("grad." + name), tolerance: 2e-5, "grad \(name)")
        }
        // Padded steps: no weight, no gradient.
        let s = keys.shape[1], k = keys.shape[2]
        for (n, l) in lengths.enumerated() where l < s {
            for t in l..<s {
                XCTAssertEqual(weights.storage[n * s + t], 0, "padded step \(t) of sequence \(n) gets no weight")
                for j in 0..<k { XCTAssertEqual(keys.grad![(n * s + t) * k + j], 0, "padded step \(t) gets no gradient") }
            }
        }
    }

    func testMaskedAttentionPassesFiniteDifferences() {
        var rng = RandomGenerator(seed: 11)
        let attention = AdditiveAttention(querySize: 3, keySize: 4, attentionSize: 5, rng: &rng)
        let query = Tensor.normal([2, 3], rng: &rng, requiresGrad: true)
        let keys = Tensor.normal([2, 5, 4], rng: &rng, requiresGrad: true)
        let report = checkGradients(of: [query, keys] + attention.parameters) {
            let r = attention.attend(query: query, keys: keys, lengths: [5, 3])
            return Tensor.concatenate([r.context.reshaped([-1]), r.weights.reshaped([-1])], axis: 0)
        }
        XCTAssertLessThanOrEqual(report.maxRelativeError, 2e-3, "\(report)")
    }
}
