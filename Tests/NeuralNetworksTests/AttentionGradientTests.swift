import XCTest
@testable import IllusionNeuralNetworks

/// Finite-difference checks of every attention op, and the fused attention against its reference.
final class AttentionGradientTests: XCTestCase {
    func testLayerNormAndGELUGradients() {
        var rng = RandomGenerator(seed: 10)
        let x = Tensor.normal([3, 2, 6], std: 1.5, rng: &rng, requiresGrad: true)
        let w = Tensor.normal([6], mean: 1, std: 0.3, rng: &rng, requiresGrad: true)
        let b = Tensor.normal([6], std: 0.3, rng: &rng, requiresGrad: true)
        let r = checkGradients(of: [x, w, b]) { layerNorm(x, size: 6, weight: w, bias: b) }
        XCTAssertLessThan(r.maxRelativeError, 2e-3, "\(r)")
        let r0 = checkGradients(of: [x]) { layerNorm(x, size: 12, weight: nil, bias: nil) }
        XCTAssertLessThan(r0.maxRelativeError, 2e-3, "\(r0)")
        for form in [GELUApproximation.none, .tanh] {
            let rg = checkGradients(of: [x]) { x.gelu(approximate: form) }
            XCTAssertLessThan(rg.maxRelativeError, 2e-3, "\(form): \(rg)")
        }
    }

    func testBatchedMatmulGradientsInEveryTransposition() {
        var rng = RandomGenerator(seed: 11)
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let a = Tensor.normal(ta ? [2, 3, 4, 5] : [2, 3, 5, 4], rng: &rng, requiresGrad: true)
            let b = Tensor.normal(tb ? [2, 3, 6, 4] : [2, 3, 4, 6], rng: &rng, requiresGrad: true)
            let fast = noGrad { batchedMatmul(a, b, transposeA: ta, transposeB: tb) }
            let slow = referenceBatchedMatmul(a, b, transposeA: ta, transposeB: tb)
            XCTAssertEqual(fast.shape, [2, 3, 5, 6])
            XCTAssertLessThan(maxRelativeDifference(fast.storage, slow.storage), 1e-5)
            let r = checkGradients(of: [a, b]) { batchedMatmul(a, b, transposeA: ta, transposeB: tb) }
            XCTAssertLessThan(r.maxRelativeError, 2e-3, "transposeA \(ta) transposeB \(tb): \(r)")
        }
    }

    func testFusedAttentionGradientsWithMaskAndDropout() {
        var rng = RandomGenerator(seed: 12)
        let q = Tensor.normal([2, 2, 5, 4], rng: &rng, requiresGrad: true)
        let k = Tensor.normal([2, 2, 5, 4], rng: &rng, requiresGrad: true)
        let v = Tensor.normal([2, 2, 5, 4], rng: &rng, requiresGrad: true)
        for causal in [false, true] {
            let r = checkGradients(of: [q, k, v]) { scaledDotProductAttention(q, k, v, causal: causal) }
            XCTAssertLessThan(r.maxRelativeError, 2e-3, "causal \(causal): \(r)")
        }
        let keep = attentionDropoutMask(q, k, p: 0.3, rng: &rng)
        let r = checkGradients(of: [q, k, v]) { scaledDotProductAttention(q, k, v, causal: true, dropout: 0.3, keep: keep) }
        XCTAssertLessThan(r.maxRelativeError, 2e-3, "dropout: \(r)")
    }

    /// The fused op (one tape node) equals the composition of elementary tape ops, forward and
    /// backward, with and without the causal mask and dropout, for S ≠ T too.
    func testFusedAttentionMatchesElementaryReference() {
        var rng = RandomGenerator(seed: 13)
        for (causal, p, s) in [(false, Float(0), 7), (true, 0, 5), (true, 0.25, 5), (false, 0.5, 3)] {
            let q = Tensor.normal([2, 3, 5, 8], rng: &rng, requiresGrad: true)
            let k = Tensor.normal([2, 3, s, 8], rng: &rng, requiresGrad: true)
            let v = Tensor.normal([2, 3, s, 8], rng: &rng, requiresGrad: true)
            let keep: [Bool]? = p > 0 ? attentionDropoutMask(q, k, p: p, rng: &rng) : nil
            let g = Tensor.normal([2, 3, 5, 8], rng: &rng).storage
            let fused = scaledDotProductAttention(q, k, v, causal: causal, dropout: p, keep: keep)
            fused.backward(gradient: g)
            let fusedGrads = [q, k, v].map { $0.grad! }
            for t in [q, k, v] { t.grad = nil }
            let reference = referenceScaledDotProductAttention(q, k, v, causal: causal, dropout: p, keep: keep)
            reference.backward(gradient: g)
            let what = "causal \(causal) p \(p) S \(s)"
            XCTAssertLessThan(maxRelativeDifference(fused.storage, reference.storage), 1e-5, what)
            for (i, t) in [q, k, v].enumerated() {
                XCTAssertLessThan(maxRelativeDifference(fusedGrads[i], t.grad!), 1e-5, "\(what) grad \(i)")
            }
        }
    }

    func testMultiheadAttentionAndDecoderBlockGradients() throws {
        var rng = RandomGenerator(seed: 14)
        let mha = try MultiheadAttention(embedDim: 6, numHeads: 2, rng: &rng)
        mha.inProjBias!.storage = Tensor.normal([18], std: 0.3, rng: &rng).storage
        let x = Tensor.normal([2, 4, 6], rng: &rng, requiresGrad: true)
        let r = checkGradients(of: [x, mha.inProjWeight, mha.inProjBias!, mha.outProj.weight]) {
            mha(query: x, key: x, value: x, causal: true)
        }
        XCTAssertLessThan(r.maxRelativeError, 2e-3, "\(r)")
        let block = try DecoderBlock(width: 8, heads: 2, bias: true, rng: &rng)
        let xb = Tensor.normal([2, 3, 8], rng: &rng, requiresGrad: true)
        let rb = checkGradients(of: [xb, block.attention.attn.weight, block.ln1.weight!, block.mlp.fc.weight]) { block(xb) }
        XCTAssertLessThan(rb.maxRelativeError, 2e-3, "\(rb)")
    }
}
