import XCTest
@testable import IllusionNeuralNetworks

/// Golden values from `scripts/make_attention_fixtures.py` (PyTorch, float64 maths).
final class AttentionFixtureTests: XCTestCase {
    func fixture(_ name: String) throws -> SafeTensors {
        let dir = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        return try SafeTensors(contentsOf: dir.appendingPathComponent("attention_\(name).safetensors").path)
    }

    func leaf(_ f: SafeTensors, _ name: String) throws -> Tensor { let t = try f.tensor(name); t.requiresGrad = true; return t }

    /// Runs `body` on the fixture's leaves `inputs`, seeds backward with NAME.gout, compares out and grads.
    func check(_ f: SafeTensors, _ name: String, _ inputs: [String], tolerance: Float = 1e-5,
               _ body: ([Tensor]) -> Tensor) throws {
        let leaves = try inputs.map { try leaf(f, "\(name).\($0)") }
        let y = body(leaves)
        coreAssertClose(y, try f.tensor("\(name).out"), tolerance: tolerance, "\(name) forward")
        y.backward(gradient: try f.tensor("\(name).gout").storage)
        for (i, input) in inputs.enumerated() {
            coreAssertClose(leaves[i].gradient, try f.tensor("\(name).grad_\(input)"), tolerance: tolerance, "\(name) grad \(input)")
        }
    }

    func testLayerNormGELUBatchedMatmulAndAttentionMatchPyTorch() throws {
        let f = try fixture("ops")
        try check(f, "layer_norm", ["x", "weight", "bias"]) { layerNorm($0[0], size: 8, weight: $0[1], bias: $0[2]) }
        try check(f, "layer_norm_nobias", ["x", "weight"]) { layerNorm($0[0], size: 8, weight: $0[1], bias: nil) }
        try check(f, "layer_norm_2d", ["x", "weight", "bias"]) { layerNorm($0[0], size: 12, weight: $0[1], bias: $0[2]) }
        // The layer (normalized shape [3, 4]) with the fixture's parameters gives the same forward.
        let ln = LayerNorm([3, 4])
        ln.weight!.storage = try f.tensor("layer_norm_2d.weight").storage
        ln.bias!.storage = try f.tensor("layer_norm_2d.bias").storage
        coreAssertClose(ln(try f.tensor("layer_norm_2d.x")), try f.tensor("layer_norm_2d.out"), "LayerNorm([3, 4]) layer")
        try check(f, "gelu", ["x"]) { $0[0].gelu() }
        try check(f, "gelu_tanh", ["x"]) { $0[0].gelu(approximate: .tanh) }
        try check(f, "bmm", ["a", "b"]) { batchedMatmul($0[0], $0[1]) }
        try check(f, "bmm_tb", ["a", "b"]) { batchedMatmul($0[0], $0[1], transposeB: true) }
        try check(f, "sdpa", ["q", "k", "v"]) { scaledDotProductAttention($0[0], $0[1], $0[2]) }
        try check(f, "sdpa_causal", ["q", "k", "v"]) { scaledDotProductAttention($0[0], $0[1], $0[2], causal: true) }
    }

    /// The fixture's weights were produced by torch.nn.MultiheadAttention; loading them by name into
    /// our layer gives PyTorch's outputs and gradients (self-attention with a causal mask, and
    /// cross-attention with a key/value sequence of another length).
    func testMultiheadAttentionLoadsTorchStateDictAndMatchesIt() throws {
        let f = try fixture("mha")
        var rng = RandomGenerator(seed: 1)
        let mha = try MultiheadAttention(embedDim: 8, numHeads: 2, rng: &rng)
        XCTAssertEqual(mha.stateDict().map(\.name), ["in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"])
        func state(_ prefix: String) throws -> [String: Tensor] {
            var s: [String: Tensor] = [:]
            for name in f.names where name.hasPrefix(prefix) && (name.contains("proj")) && !name.contains("grad") {
                s[String(name.dropFirst(prefix.count))] = try f.tensor(name)
            }
            return s
        }
        try mha.loadStateDict(try state("self."))
        let x = try leaf(f, "self.x")
        let y = mha(query: x, key: x, value: x, causal: true)
        coreAssertClose(y, try f.tensor("self.out"), "mha self forward")
        y.backward(gradient: try f.tensor("self.gout").storage)
        coreAssertClose(x.gradient, try f.tensor("self.grad_x"), "mha grad x")
        coreAssertClose(mha.inProjWeight.gradient, try f.tensor("self.grad_in_proj_weight"), "mha grad in_proj_weight")

        let cross = try MultiheadAttention(embedDim: 8, numHeads: 4, rng: &rng)
        try cross.loadStateDict(try state("cross."))
        let yc = noGrad { cross(query: try! f.tensor("cross.query"), key: try! f.tensor("cross.key"), value: try! f.tensor("cross.value")) }
        coreAssertClose(yc, try f.tensor("cross.out"), "mha cross forward")
    }

    func testDecoderBlockLoadsNanoGPTBlockAndMatchesIt() throws {
        let f = try fixture("mha")
        var rng = RandomGenerator(seed: 2)
        let block = try DecoderBlock(width: 16, heads: 2, bias: false, rng: &rng)
        var s: [String: Tensor] = [:]
        for name in f.names where name.hasPrefix("block.") && name.hasSuffix("weight") { s[String(name.dropFirst(6))] = try f.tensor(name) }
        try block.loadStateDict(s)
        let x = try leaf(f, "block.x")
        let y = block(x)
        coreAssertClose(y, try f.tensor("block.out"), tolerance: 2e-5, "block forward")
        y.backward(gradient: try f.tensor("block.gout").storage)
        coreAssertClose(x.gradient, try f.tensor("block.grad_x"), tolerance: 2e-5, "block grad x")
    }

    func testHeadsThatDoNotDivideTheWidthThrowOneLine() {
        var rng = RandomGenerator(seed: 3)
        XCTAssertThrowsError(try MultiheadAttention(embedDim: 10, numHeads: 4, rng: &rng)) { e in
            XCTAssertEqual("\(e)", "MultiheadAttention: 4 heads do not divide the width 10")
        }
        XCTAssertThrowsError(try DecoderBlock(width: 10, heads: 3, rng: &rng))
    }
}
