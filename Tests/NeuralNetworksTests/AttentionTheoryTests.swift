import XCTest
@testable import IllusionNeuralNetworks

/// The claims of docs/theory/attention.md, each measured.
final class AttentionTheoryTests: XCTestCase {
    /// Each query's weights are a probability distribution: non-negative, summing to 1, and zero on
    /// the keys the causal mask hides.
    func testAttentionWeightsAreADistributionPerQuery() {
        var rng = RandomGenerator(seed: 20)
        let q = Tensor.normal([2, 3, 6, 4], std: 3, rng: &rng), k = Tensor.normal([2, 3, 6, 4], std: 3, rng: &rng)
        for causal in [false, true] {
            let w = attentionWeights(q, k, causal: causal)
            for row in 0..<(2 * 3 * 6) {
                let r = Array(w[row * 6 ..< row * 6 + 6]), t = row % 6
                XCTAssert(r.allSatisfy { $0 >= 0 })
                XCTAssertEqual(r.reduce(0, +), 1, accuracy: 1e-5)
                if causal { XCTAssert(r[(t + 1)...].allSatisfy { $0 == 0 }, "row \(row) sees the future") }
            }
        }
    }

    /// Causal mask: perturbing the input at position t₀ leaves every output before t₀ unchanged
    /// (bit for bit) and changes the output at t₀ — through a whole decoder block.
    func testCausalOutputDoesNotDependOnLaterInputs() throws {
        var rng = RandomGenerator(seed: 21)
        let block = try DecoderBlock(width: 8, heads: 2, rng: &rng)
        let x = Tensor.normal([1, 6, 8], rng: &rng)
        let y0 = noGrad { block(x) }
        let t0 = 4
        let x2 = x.detached()
        for j in 0..<8 { x2.storage[t0 * 8 + j] += 1 }
        let y1 = noGrad { block(x2) }
        XCTAssertEqual(Array(y0.storage[0 ..< t0 * 8]), Array(y1.storage[0 ..< t0 * 8]), "earlier outputs moved")
        XCTAssertNotEqual(Array(y0.storage[t0 * 8 ..< (t0 + 1) * 8]), Array(y1.storage[t0 * 8 ..< (t0 + 1) * 8]))
    }

    /// With q, k of unit-variance entries, q·k has variance d; dividing by √d brings the logits'
    /// variance back to ≈ 1 (measured for d = 64 over 16·64·64 logits: within 10 % of 1, while the
    /// unscaled products have variance ≈ 64).
    func testScalingKeepsLogitVarianceNearOne() {
        var rng = RandomGenerator(seed: 22)
        let d = 64
        let q = Tensor.normal([16, 64, d], rng: &rng), k = Tensor.normal([16, 64, d], rng: &rng)
        let raw = batchedMatmul(q, k, transposeB: true).storage
        func variance(_ v: [Float]) -> Double {
            let m = v.reduce(0.0) { $0 + Double($1) } / Double(v.count)
            return v.reduce(0.0) { $0 + (Double($1) - m) * (Double($1) - m) } / Double(v.count)
        }
        let scaled = raw.map { $0 / Float(d).squareRoot() }
        XCTAssertEqual(variance(scaled), 1, accuracy: 0.1)
        XCTAssertEqual(variance(raw), Double(d), accuracy: 0.1 * Double(d))
    }

    /// Without positions attention is permutation-equivariant: permuting the tokens of the input
    /// permutes the outputs of (unmasked) multi-head attention the same way.
    func testAttentionWithoutPositionsIsPermutationEquivariant() throws {
        var rng = RandomGenerator(seed: 23)
        let mha = try MultiheadAttention(embedDim: 8, numHeads: 2, rng: &rng)
        let x = Tensor.normal([1, 5, 8], rng: &rng)
        let perm = [3, 0, 4, 1, 2]
        let px = Tensor(shape: [1, 5, 8], storage: perm.flatMap { Array(x.storage[$0 * 8 ..< $0 * 8 + 8]) })
        let y = noGrad { mha(x) }, py = noGrad { mha(px) }
        let permutedY = perm.flatMap { Array(y.storage[$0 * 8 ..< $0 * 8 + 8]) }
        XCTAssertLessThan(maxRelativeDifference(py.storage, permutedY), 1e-5)
    }

    /// LayerNorm before its affine part: each position has mean 0 and (biased) variance 1 − eps-ish.
    func testLayerNormGivesZeroMeanUnitVariancePerPosition() {
        var rng = RandomGenerator(seed: 24)
        let x = Tensor.normal([4, 7, 32], mean: 3, std: 5, rng: &rng)
        let y = LayerNorm(32, elementwiseAffine: false)(x)
        for row in 0..<28 {
            let r = y.storage[row * 32 ..< row * 32 + 32].map(Double.init)
            let m = r.reduce(0, +) / 32
            let v = r.reduce(0) { $0 + ($1 - m) * ($1 - m) } / 32
            XCTAssertEqual(m, 0, accuracy: 1e-5)
            XCTAssertEqual(v, 1, accuracy: 1e-3)
        }
    }
}
