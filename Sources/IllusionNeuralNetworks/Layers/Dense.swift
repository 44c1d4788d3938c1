/// Fully connected layer: y = x·Wᵀ + b.
///
/// Shapes: x `[N, in]` → y `[N, out]`; weight `[out, in]` (as `torch.nn.Linear`), bias `[out]`.
/// Like `nn.Linear`, an input of rank > 2 whose last axis is `in` is mapped along that axis:
/// `[N, S, in]` → `[N, S, out]`. Any other rank > 2 input is flattened after the batch axis first.
/// Default initialisation equals PyTorch's: W, b ~ U(−1/√in, 1/√in).
public final class Dense: Layer {
    /// Input features `in` (PyTorch `in_features`).
    public let inputSize: Int
    /// Output features `out` (PyTorch `out_features`).
    public let outputSize: Int
    /// W `[out, in]`, as `nn.Linear.weight` (so y = x·Wᵀ).
    public let weight: Tensor
    /// b `[out]` (nil with `bias: false`).
    public let bias: Tensor?
    public var isTraining = true

    /// `nn.Linear(in, out, bias)`: W drawn by `weightInit` (default U(±1/√in)), then b ~ U(±1/√in), from `rng`.
    public init(_ inputSize: Int, _ outputSize: Int, bias useBias: Bool = true,
                weightInit: Initializer = .pytorchDefault, rng: inout RandomGenerator) {
        require(inputSize > 0 && outputSize > 0, "Dense: sizes must be positive, got \(inputSize)→\(outputSize)")
        self.inputSize = inputSize
        self.outputSize = outputSize
        weight = weightInit.make([outputSize, inputSize], rng: &rng)
        weight.requiresGrad = true
        if useBias {
            let b = 1 / Float(inputSize).squareRoot()
            bias = Tensor.uniform([outputSize], low: -b, high: b, rng: &rng, requiresGrad: true)
        } else {
            bias = nil
        }
    }

    public var ownParameters: [(name: String, tensor: Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    public var summaryName: String { "Dense(\(inputSize)→\(outputSize))" }

    public func forward(_ x: Tensor) -> Tensor {
        if x.rank > 2 && x.shape.last == inputSize {
            let rows = x.shape.dropLast().reduce(1, *)
            return linear(x.reshaped([rows, inputSize]), weight, bias).reshaped(Array(x.shape.dropLast()) + [outputSize])
        }
        let input = x.rank == 2 ? x : x.flattenedBatch()
        require(input.rank == 2 && input.shape[1] == inputSize,
                     "Dense(\(inputSize)→\(outputSize)): input shape \(x.shape) does not end in \(inputSize)")
        return linear(input, weight, bias)
    }
}

/// y = x·Wᵀ + b (+ residual) as one tape op. x `[N, in]`, W `[out, in]`, b `[out]`, residual
/// `[N, out]` (any shape of N·out values) → y `[N, out]`.
/// Backward: dx = dy·W, dW = dyᵀ·x, db = Σ_N dy, d(residual) = dy. Outputs and gradients start
/// uninitialised: every value is written by the bias copy or by a GEMM with β = 0 (which never
/// reads C). With `residual` (a transformer's residual stream, `x + proj(…)`), C starts as a copy
/// of it (plus b) and the GEMM adds onto it (β = 1): the add's own pass, buffer and backward op are
/// gone. That sums residual + x·Wᵀ in OpenBLAS's order — the same bits as the separate add when
/// `in` fits one of its K blocks, within rounding otherwise (`DenseTests`). The three GEMMs split
/// their rows over our threads under ``ComputeContext/layers(_:)`` (``rowSplitSGEMM``; dW by
/// output features), with the same bits as one call.
public func linear(_ x: Tensor, _ weight: Tensor, _ bias: Tensor?, adding residual: Tensor? = nil) -> Tensor {
    let n = x.shape[0], inSize = x.shape[1], outSize = weight.shape[0]
    require(weight.shape == [outSize, inSize], "linear: weight \(weight.shape) does not fit input \(x.shape)")
    if let residual { require(residual.count == n * outSize, "linear: residual of shape \(residual.shape) for an output [\(n), \(outSize)]") }
    var y = residual?.storage ?? uninitializedFloats(n * outSize)
    y.withUnsafeMutableBufferPointer { yp in   // a copy of the residual's values (copy on write)
        if let bias {
            bias.storage.withUnsafeBufferPointer { b in
                if residual == nil {
                    for i in 0..<n { for j in 0..<outSize { yp[i * outSize + j] = b[j] } }
                } else {
                    for i in 0..<n { for j in 0..<outSize { yp[i * outSize + j] += b[j] } }
                }
            }
        }
        x.storage.withUnsafeBufferPointer { xp in weight.storage.withUnsafeBufferPointer { wp in
            rowSplitSGEMM(transB: true, m: n, n: outSize, k: inSize, a: xp.baseAddress!, lda: inSize,
                  b: wp.baseAddress!, ldb: inSize, beta: bias == nil && residual == nil ? 0 : 1, c: yp.baseAddress!, ldc: outSize)
        } }
    }
    let inputs = [x, weight] + (bias.map { [$0] } ?? []) + (residual.map { [$0] } ?? [])
    return Tensor.result("linear", shape: [n, outSize], storage: y, inputs: inputs) { _, g in
        if let residual, residual.isOnTape { residual.accumulateGrad(g) }
        g.withUnsafeBufferPointer { gp in
            if x.isOnTape {
                var dx = uninitializedFloats(n * inSize)
                weight.storage.withUnsafeBufferPointer { wp in dx.withUnsafeMutableBufferPointer { d in
                    rowSplitSGEMM(m: n, n: inSize, k: outSize, a: gp.baseAddress!, lda: outSize, b: wp.baseAddress!, ldb: inSize,
                          c: d.baseAddress!, ldc: inSize)
                } }
                x.accumulateGrad(dx)
            }
            if weight.isOnTape {
                var dw = uninitializedFloats(outSize * inSize)
                x.storage.withUnsafeBufferPointer { xp in dw.withUnsafeMutableBufferPointer { d in
                    rowSplitSGEMM(transA: true, m: outSize, n: inSize, k: n, a: gp.baseAddress!, lda: outSize, b: xp.baseAddress!, ldb: inSize,
                          c: d.baseAddress!, ldc: inSize)
                } }
                weight.accumulateGrad(dw)
            }
            if let bias, bias.isOnTape {
                var db = [Float](repeating: 0, count: outSize)
                for i in 0..<n { for j in 0..<outSize { db[j] += gp[i * outSize + j] } }
                bias.accumulateGrad(db)
            }
        }
    }
}
