import IllusionModels

/// Analytical multiply-add count of the convolution and dense layers of a model, forward and
/// backward, counting one multiply-add as 2 FLOPs (the convention of GEMM GFLOP/s figures).
///
/// - Conv2D: forward 2·N·Cout·Ho·Wo·C·kh·kw. Conv2DTranspose: forward 2·N·Cin·H·W·Cout·kh·kw
///   (its input is the small side). Dense: 2·N·in·out.
/// - Backward: the weight gradient costs as much as the forward, and so does the input gradient
///   — which is skipped for a model's first layer (its input, the data, needs no gradient).
/// Elementwise work (activations, BatchNorm, losses, Adam) is not counted.
struct FLOPCount {
    var forward: Double = 0
    var backward: Double = 0
    var total: Double { forward + backward }

    private mutating func add(_ f: Double, inputNeedsGradient: Bool) {
        forward += f
        backward += inputNeedsGradient ? 2 * f : f
    }

    /// Walks `layer` (recursing into Sequential) from input shape `shape`; returns the output shape.
    /// `needsGradient` says whether the layer's input needs a gradient (false for the data).
    mutating func visit(_ layer: Layer, _ shape: [Int], needsGradient: inout Bool) -> [Int] {
        switch layer {
        case let s as Sequential:
            var current = shape
            for l in s.layers { current = visit(l, current, needsGradient: &needsGradient) }
            return current
        case let c as Conv2D:
            let w = ConvolutionGeometry.window(channels: shape[1], height: shape[2], width: shape[3],
                                               kernelSize: c.kernelSize, stride: c.stride, padding: c.padding,
                                               dilation: c.dilation)
            let n = Double(shape[0])
            add(2 * n * Double(c.outChannels * w.outputPixels * w.columnRows), inputNeedsGradient: needsGradient)
            needsGradient = true
            return [shape[0], c.outChannels, w.outputHeight, w.outputWidth]
        case let t as Conv2DTranspose:
            let ho = ConvolutionGeometry.transposedOutputSize(inputSize: shape[2], kernelSize: t.kernelSize.height,
                                                              stride: t.stride.height, padding: t.padding.height,
                                                              outputPadding: t.outputPadding.height, dilation: t.dilation.height)
            let wo = ConvolutionGeometry.transposedOutputSize(inputSize: shape[3], kernelSize: t.kernelSize.width,
                                                              stride: t.stride.width, padding: t.padding.width,
                                                              outputPadding: t.outputPadding.width, dilation: t.dilation.width)
            let taps = t.kernelSize.height * t.kernelSize.width
            add(2 * Double(shape[0] * t.inChannels * shape[2] * shape[3] * t.outChannels * taps), inputNeedsGradient: needsGradient)
            needsGradient = true
            return [shape[0], t.outChannels, ho, wo]
        case let d as Dense:
            add(2 * Double(shape[0] * d.inputSize * d.outputSize), inputNeedsGradient: needsGradient)
            needsGradient = true
            return [shape[0], d.outputSize]
        case let r as ResidualBlock:
            return visit(r.block, shape, needsGradient: &needsGradient)   // + x and ReLU: elementwise
        case let a as ConditioningAugmentation:
            return visit(a.fc, shape, needsGradient: &needsGradient)
        case let u as Upsample:
            return [shape[0], shape[1], shape[2] * u.scaleFactor.height, shape[3] * u.scaleFactor.width]
        case is Flatten:
            return [shape[0], shape.dropFirst().reduce(1, *)]
        case let r as Reshape:
            return [shape[0]] + r.shape
        case let p as MaxPool2D:
            return pooled(shape, p.kernelSize, p.stride, p.padding)
        case let p as AvgPool2D:
            return pooled(shape, p.kernelSize, p.stride, p.padding)
        default:
            return shape  // activations, BatchNorm, Dropout: shape-preserving, not counted
        }
    }

    private func pooled(_ shape: [Int], _ k: Size2D, _ s: Size2D, _ p: Size2D) -> [Int] {
        [shape[0], shape[1],
         ConvolutionGeometry.outputSize(inputSize: shape[2], kernelSize: k.height, stride: s.height, padding: p.height),
         ConvolutionGeometry.outputSize(inputSize: shape[3], kernelSize: k.width, stride: s.width, padding: p.width)]
    }

    /// A VAE training step: encoder, both heads, decoder.
    static func vae(_ model: VariationalAutoencoder, batch: Int) -> FLOPCount {
        var count = FLOPCount()
        var grad = false
        let h = count.visit(model.encoder, [batch] + model.config.inputShape, needsGradient: &grad)
        var g1 = grad, g2 = grad
        _ = count.visit(model.meanHead, h, needsGradient: &g1)
        _ = count.visit(model.logVarianceHead, h, needsGradient: &g2)
        var g3 = true
        _ = count.visit(model.decoder, [batch, model.config.latentDim], needsGradient: &g3)
        return count
    }

    /// A feed-forward model applied to `[batch] + inputShape`.
    static func sequential(_ model: Layer, inputShape: [Int], batch: Int) -> FLOPCount {
        var count = FLOPCount()
        var grad = false
        _ = count.visit(model, [batch] + inputShape, needsGradient: &grad)
        return count
    }
}
