import Foundation

/// ONNX export of the recurrent character model (`train char-lm --arch lstm|gru|rnn`) with ONNX's
/// own recurrent operators, one per layer (opset 17, the default time-major `layout = 0`, which
/// onnxruntime requires):
///
///     ids [N, T] (float, whole numbers) → Cast(int64) → Gather(embed.weight) [N, T, E] → Transpose [T, N, E]
///     → L × { LSTM | GRU | RNN → Y [T, 1, N, H] → Squeeze(axis 1) [T, N, H] }
///     → MatMul(Transpose(head.weight)) + head.bias [T, N, V] → Transpose → logits [N, T, V]
///
/// from the zero state (the logits of `CharLanguageModel.forward`). The ids input is float because
/// our reference files hold Float32; the graph casts it. Gate order: PyTorch stacks the rows of
/// `weight_ih`/`weight_hh`/biases as LSTM (i, f, g, o) and GRU (r, z, n); ONNX wants LSTM (i, o, f, c)
/// and GRU (z, r, h), so the blocks are reordered into `W`, `R` `[1, G·H, ·]` and `B = [b_ih | b_hh]`
/// `[1, 2·G·H]` initializers (named `<cell>.W_l<k>`, …). The GRU's `linear_before_reset = 1` is
/// PyTorch's form, the reset gate applied after the hidden product (see ``RecurrentKind``).
/// T is fixed at export (the graph input's shape); the transformer char-LM is not exported yet.
extension ONNXExporter {
    /// PyTorch gate blocks in ONNX order, by cell.
    static func onnxGateOrder(_ kind: RecurrentKind) -> (op: String, blocks: [Int]) {
        switch kind {
        case .lstm: return ("LSTM", [0, 3, 1, 2])   // i, o, f, c(= g)
        case .gru: return ("GRU", [1, 0, 2])        // z, r, h(= n)
        case .rnnTanh, .rnnReLU: return ("RNN", [0])
        }
    }

    /// Row blocks of `t` `[G·H, …]` (or `[G·H]`) taken in `order`.
    static func reorderedGates(_ t: Tensor, hidden: Int, order: [Int]) -> [Float] {
        let rowSize = t.count / t.shape[0]
        return order.flatMap { g in t.storage[(g * hidden * rowSize)..<((g + 1) * hidden * rowSize)] }
    }

    /// ids `[N, steps]` → `logits [N, steps, V]`.
    public static func charLanguageModel(_ model: CharLanguageModel, steps: Int) throws -> ONNXExport {
        guard steps >= 1 else { throw ModelError.invalidArgument("the exported sequence length must be ≥ 1, got \(steps)") }
        let rec = model.recurrent, h = rec.hiddenSize, v = model.config.vocabulary.count
        guard !rec.bidirectional else { throw ONNXExportError.unsupported("a bidirectional char-LM") }
        guard rec.kind != .rnnReLU else { throw ONNXExportError.unsupported("a ReLU RNN char-LM (the char-LM's RNN is tanh)") }
        model.setTraining(false)
        let cell = model.config.architecture.rawValue
        let (op, order) = onnxGateOrder(rec.kind)
        let b = ONNXGraphBuilder(name: "char_lm_\(cell)")
        let ids = b.input("ids", shape: [steps])
        let indices = b.node("Cast", name: "ids.cast", inputs: [ids.name], output: "ids_int64", attributes: [ONNXAttribute("to", .int(7))])
        let embedded = b.node("Gather", name: "embed", inputs: [b.initializer("embed.weight", model.embed.weight), indices], output: "embed")
        let timeMajor = [ONNXAttribute("perm", .ints([1, 0, 2]))]
        var x = b.node("Transpose", name: "embed.time_major", inputs: [embedded], output: "embed_tnc", attributes: timeMajor)
        let squeezeAxis = b.initializer("squeeze_axis", int64s: [1])
        for layer in 0..<rec.layerCount {
            let w = rec.weights[layer][0], g = order.count
            let inputSize = w.weightIH.shape[1]
            let weight = b.initializer("\(cell).W_l\(layer)", Tensor(shape: [1, g * h, inputSize], storage: reorderedGates(w.weightIH, hidden: h, order: order)))
            let recurrence = b.initializer("\(cell).R_l\(layer)", Tensor(shape: [1, g * h, h], storage: reorderedGates(w.weightHH, hidden: h, order: order)))
            let bias = b.initializer("\(cell).B_l\(layer)", Tensor(shape: [1, 2 * g * h], storage: reorderedGates(w.biasIH, hidden: h, order: order)
                                                                + reorderedGates(w.biasHH, hidden: h, order: order)))
            var attributes = [ONNXAttribute("hidden_size", .int(Int64(h)))]
            if rec.kind == .gru { attributes.append(ONNXAttribute("linear_before_reset", .int(1))) }
            let y = b.node(op, name: "\(cell).l\(layer)", inputs: [x, weight, recurrence, bias], output: "\(cell)_l\(layer)_y", attributes: attributes)
            x = b.node("Squeeze", name: "\(cell).l\(layer).squeeze", inputs: [y, squeezeAxis], output: "\(cell)_l\(layer)")
        }
        let headT = b.node("Transpose", name: "head.transpose", inputs: [b.initializer("head.weight", model.head.weight)], output: "head_weight_t",
                           attributes: [ONNXAttribute("perm", .ints([1, 0]))])
        let product = b.node("MatMul", name: "head.matmul", inputs: [x, headT], output: "head_matmul")
        let shifted = b.node("Add", name: "head.bias", inputs: [product, b.initializer("head.bias", try headBias(model.head))], output: "head")
        let logits = b.node("Transpose", name: "logits.batch_major", inputs: [shifted], output: "logits_ntv", attributes: timeMajor)
        b.output(logits, as: "logits", shape: [steps, v])
        var onnx = ONNXModel(graph: b.graph)
        onnx.docString = "\(model.summaryName): ids [N, \(steps)] (float, whole numbers < \(v)) → next-character logits [N, \(steps), \(v)] from the zero state"
        return ONNXExport(part: "model", model: onnx, inputs: [.init(name: "ids", shape: [steps], kind: .tokens, tokenCount: v)],
                          outputs: ["logits"]) { inputs in ["logits": model(inputs["ids"]!)] }
    }

    static func headBias(_ dense: Dense) throws -> Tensor {
        guard let bias = dense.bias else { throw ONNXExportError.unsupported("a char-LM head without bias") }
        return bias
    }
}
