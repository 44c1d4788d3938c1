import Foundation

/// ONNX export of the transformer char-LM (`train char-lm --arch transformer`, nanoGPT's GPT) on a
/// full window of T = block size tokens, opset 17 operators only:
///
///     ids [N, T] → Cast(int64) → Gather(wte) + wpe[0..<T]
///     each block:  a = LayerNormalization(x, ln_1);  q, k, v = Slice(MatMul(a, c_attnᵀ) (+ b))
///                  per head (Reshape [N, T, H, d], Transpose): Softmax(q·kᵀ / √d + causal mask)·v
///                  x = x + MatMul(heads side by side, c_projᵀ);  x = x + MLP(LayerNormalization(x, ln_2))
///     MLP:         MatMul(c_fcᵀ) → exact GELU as ½·x·(1 + Erf(x/√2)) (the Gelu operator is opset 20) → MatMul(c_projᵀ)
///     logits = MatMul(LayerNormalization(x, ln_f), lm_headᵀ)  [N, T, V]
///
/// The causal mask is a `[T, T]` initializer (0 on and below the diagonal, −∞ above). Weights keep
/// their state-dict names (a tied head reuses `transformer.wte.weight`); `MatMul` takes them through
/// a `Transpose` node, so the initializers are the checkpoint's tensors unchanged.
extension ONNXExporter {
    public static func charTransformer(_ model: CharTransformer) throws -> ONNXExport {
        let c = model.config, t = c.blockSize, e = c.width, heads = c.heads, d = e / heads
        model.setTraining(false)
        let b = ONNXGraphBuilder(name: "char_lm_transformer")
        func ints(_ name: String, _ v: [Int]) -> String { b.initializer(name, int64s: v.map(Int64.init)) }
        func scalar(_ name: String, _ v: Float) -> String { b.initializer(name, Tensor(shape: [], storage: [v])) }
        func perm(_ p: [Int]) -> [ONNXAttribute] { [ONNXAttribute("perm", .ints(p.map(Int64.init)))] }
        /// x · Wᵀ (+ bias) for a Linear's weight `[out, in]`.
        func linear(_ x: String, _ dense: Dense, _ path: String) -> String {
            let wt = b.node("Transpose", name: path + ".transpose", inputs: [b.initializer(path + ".weight", dense.weight)],
                            output: path.replacingOccurrences(of: ".", with: "_") + "_wt", attributes: perm([1, 0]))
            let y = b.node("MatMul", name: path, inputs: [x, wt], output: path.replacingOccurrences(of: ".", with: "_"))
            guard let bias = dense.bias else { return y }
            return b.node("Add", name: path + ".bias", inputs: [y, b.initializer(path + ".bias", bias)], output: y + "_b")
        }
        func layerNorm(_ x: String, _ ln: LayerNorm, _ path: String) -> String {
            var inputs = [x, b.initializer(path + ".weight", ln.weight ?? Tensor.ones([e]))]
            if let bias = ln.bias { inputs.append(b.initializer(path + ".bias", bias)) }
            return b.node("LayerNormalization", name: path, inputs: inputs, output: path.replacingOccurrences(of: ".", with: "_"),
                          attributes: [ONNXAttribute("axis", .int(-1)), ONNXAttribute("epsilon", .float(ln.eps))])
        }

        let ids = b.input("ids", shape: [t])
        let indices = b.node("Cast", name: "ids.cast", inputs: [ids.name], output: "ids_int64", attributes: [ONNXAttribute("to", .int(7))])
        let wte = b.initializer("transformer.wte.weight", model.transformer.tokenEmbedding.weight)
        let tokens = b.node("Gather", name: "transformer.wte", inputs: [wte, indices], output: "wte")
        let positions = b.initializer("transformer.wpe.weight", model.transformer.positionEmbedding.weight)   // [T, E] = all positions
        var x = b.node("Add", name: "transformer.wpe", inputs: [tokens, positions], output: "embedded")

        var mask = [Float](repeating: 0, count: t * t)
        for i in 0..<t { for j in (i + 1)..<max(t, i + 1) where j < t { mask[i * t + j] = -.infinity } }
        let causal = b.initializer("causal_mask", Tensor(shape: [t, t], storage: mask))
        let scale = scalar("attention_scale", 1 / Float(d).squareRoot())
        let headShape = ints("head_shape", [0, 0, heads, d]), mergedShape = ints("merged_shape", [0, 0, e])
        let sliceAxis = ints("qkv_axis", [2])
        let half = scalar("gelu_half", 0.5), one = scalar("gelu_one", 1), rootTwo = scalar("gelu_sqrt2", Float(2).squareRoot())

        for (i, layer) in model.transformer.blocks.layers.enumerated() {
            guard let block = layer as? DecoderBlock else { throw ONNXExportError.unsupported("transformer block \(i)") }
            let p = "transformer.h.\(i)"
            let a = layerNorm(x, block.ln1, p + ".ln_1")
            let qkv = linear(a, block.attention.attn, p + ".attn.c_attn")
            func part(_ k: Int, _ name: String, _ permutation: [Int]) -> String {
                let s = b.node("Slice", name: "\(p).attn.\(name)", inputs: [qkv, ints("\(p).attn.\(name).start", [k * e]),
                                                                            ints("\(p).attn.\(name).end", [(k + 1) * e]), sliceAxis],
                               output: "\(p)_\(name)".replacingOccurrences(of: ".", with: "_"))
                let r = b.node("Reshape", name: "\(p).attn.\(name).heads", inputs: [s, headShape], output: s + "_heads")
                return b.node("Transpose", name: "\(p).attn.\(name).transpose", inputs: [r], output: s + "_t", attributes: perm(permutation))
            }
            let q = part(0, "q", [0, 2, 1, 3]), k = part(1, "k", [0, 2, 3, 1]), v = part(2, "v", [0, 2, 1, 3])   // [N,H,T,d], [N,H,d,T]
            let raw = b.node("MatMul", name: p + ".attn.scores", inputs: [q, k], output: "\(p)_scores".replacingOccurrences(of: ".", with: "_"))
            let scaled = b.node("Mul", name: p + ".attn.scale", inputs: [raw, scale], output: raw + "_scaled")
            let masked = b.node("Add", name: p + ".attn.mask", inputs: [scaled, causal], output: raw + "_masked")
            let weights = b.node("Softmax", name: p + ".attn.softmax", inputs: [masked], output: raw + "_weights",
                                 attributes: [ONNXAttribute("axis", .int(-1))])
            let attended = b.node("MatMul", name: p + ".attn.values", inputs: [weights, v], output: raw + "_attended")   // [N,H,T,d]
            let back = b.node("Transpose", name: p + ".attn.merge", inputs: [attended], output: attended + "_nthd", attributes: perm([0, 2, 1, 3]))
            let merged = b.node("Reshape", name: p + ".attn.merge.reshape", inputs: [back, mergedShape], output: attended + "_merged")
            x = b.node("Add", name: p + ".attn.residual", inputs: [x, linear(merged, block.attention.proj, p + ".attn.c_proj")],
                       output: "\(p)_attn_out".replacingOccurrences(of: ".", with: "_"))
            let m = linear(layerNorm(x, block.ln2, p + ".ln_2"), block.mlp.fc, p + ".mlp.c_fc")
            let erf = b.node("Erf", name: p + ".mlp.erf", inputs: [b.node("Div", name: p + ".mlp.div", inputs: [m, rootTwo], output: m + "_div")],
                             output: m + "_erf")
            let gelu = b.node("Mul", name: p + ".mlp.gelu", inputs: [b.node("Mul", name: p + ".mlp.half", inputs: [m, half], output: m + "_half"),
                                                                      b.node("Add", name: p + ".mlp.one", inputs: [erf, one], output: m + "_one")],
                              output: m + "_gelu")
            x = b.node("Add", name: p + ".mlp.residual", inputs: [x, linear(gelu, block.mlp.proj, p + ".mlp.c_proj")],
                       output: "\(p)_out".replacingOccurrences(of: ".", with: "_"))
        }
        let final = layerNorm(x, model.transformer.finalNorm, "transformer.ln_f")
        let head = c.tiedHead ? wte : b.initializer("lm_head.weight", model.headWeight)
        let headT = b.node("Transpose", name: "lm_head.transpose", inputs: [head], output: "lm_head_wt", attributes: perm([1, 0]))
        let logits = b.node("MatMul", name: "lm_head", inputs: [final, headT], output: "lm_head")
        b.output(logits, as: "logits", shape: [t, c.vocabularySize])
        var onnx = ONNXModel(graph: b.graph)
        onnx.docString = "\(model.summaryName): ids [N, \(t)] (float, whole numbers < \(c.vocabularySize)) → next-character logits [N, \(t), \(c.vocabularySize)]"
        return ONNXExport(part: "model", model: onnx, inputs: [.init(name: "ids", shape: [t], kind: .tokens, tokenCount: c.vocabularySize)],
                          outputs: ["logits"]) { inputs in
            let x = inputs["ids"]!
            return ["logits": model(x).reshaped([x.shape[0], t, c.vocabularySize])]
        }
    }
}
