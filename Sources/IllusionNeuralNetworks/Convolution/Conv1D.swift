/// 1-D convolution (cross-correlation, as `torch.nn.Conv1d`) on signals `[N, C, L]`.
///
/// Layout: x `[N, C, L]` → y `[N, Cout, Lo]`, Lo = ⌊(L + 2p − d(k−1) − 1)/s⌋ + 1; weight `[Cout, C, k]`,
/// bias `[Cout]`. Default initialisation equals PyTorch's: U(−1/√fanIn, 1/√fanIn), fanIn = C·k.
/// It is the 2-D convolution of a height-1 image with a 1-tall kernel, and is computed that way.
public final class Conv1D: Layer {
    /// Input channels C.
    public let inChannels: Int
    /// Output channels (filters) Cout.
    public let outChannels: Int
    /// Kernel length k.
    public let kernelSize: Int
    /// Step between output positions s.
    public let stride: Int
    /// Zero padding (explicit p on both ends, `.valid` or `.same`).
    public let padding: ConvPadding
    /// Spacing between kernel taps d.
    public let dilation: Int
    /// `[Cout, C, k]`, as `torch.nn.Conv1d.weight`.
    public let weight: Tensor
    /// `[Cout]` (nil with `bias: false`).
    public let bias: Tensor?
    public var isTraining = true
    let workspace = ColumnWorkspace()

    /// `padding`: an integer p pads p on both ends; `.valid`; `.same` (Keras: extra element on the right).
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: ConvPadding = 0,
                dilation: Int = 1, bias useBias: Bool = true, weightInit: Initializer = .pytorchDefault,
                rng: inout RandomGenerator) {
        require(inChannels > 0 && outChannels > 0, "Conv1D: channel counts must be positive, got \(inChannels)→\(outChannels)")
        self.inChannels = inChannels; self.outChannels = outChannels
        self.kernelSize = kernelSize; self.stride = stride; self.padding = padding; self.dilation = dilation
        (weight, bias) = makeWeightAndBias(shape: [outChannels, inChannels, kernelSize], biasCount: outChannels,
                                           fanIn: inChannels * kernelSize, useBias: useBias, weightInit: weightInit, rng: &rng)
    }

    public var ownParameters: [(name: String, tensor: Tensor)] { weightAndBiasParameters(weight, bias) }

    public var summaryName: String {
        "Conv1D(\(inChannels)→\(outChannels), \(kernelSize), s\(stride), p\(padding)" + (dilation == 1 ? "" : ", d\(dilation)") + ")"
    }

    public func forward(_ x: Tensor) -> Tensor {
        require(x.rank == 3 && x.shape[1] == inChannels,
                     "Conv1D(\(inChannels)→\(outChannels)): expected input [N, \(inChannels), L], got \(x.shape)")
        return conv1d(x, weight, bias, stride: stride, padding: padding, dilation: dilation, workspace: workspace)
    }
}

/// y = conv1d(x, W) + b. x: `[N, C, L]`, weight: `[Cout, C, k]`, bias: `[Cout]` → `[N, Cout, Lo]`.
/// Runs ``conv2d(_:_:_:stride:padding:dilation:workspace:)`` on the views `[N, C, 1, L]` and `[Cout, C, 1, k]`
/// (reshapes share storage and pass gradients straight through).
public func conv1d(_ x: Tensor, _ weight: Tensor, _ bias: Tensor?, stride: Int = 1, padding: ConvPadding = 0,
                   dilation: Int = 1, workspace: ColumnWorkspace? = nil) -> Tensor {
    require(x.rank == 3 && weight.rank == 3 && x.shape[1] == weight.shape[1],
                 "conv1d: input \(x.shape) and weight \(weight.shape) do not fit ([N, C, L] and [Cout, C, k])")
    let pad2D: ConvPadding
    switch padding {
    case .explicit(let p): pad2D = .explicit(Size2D(0, p.width))
    default: pad2D = padding
    }
    let y = conv2d(x.reshaped([x.shape[0], x.shape[1], 1, x.shape[2]]),
                   weight.reshaped([weight.shape[0], weight.shape[1], 1, weight.shape[2]]), bias,
                   stride: Size2D(1, stride), padding: pad2D, dilation: Size2D(1, dilation), workspace: workspace)
    return y.reshaped([y.shape[0], y.shape[1], y.shape[3]])
}
