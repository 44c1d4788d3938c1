/// How ``conv2d`` computes a convolution — chosen in this one place, shown by `illusion summary`.
///
/// Both routes are convolution as matrix multiplication; they differ in which matrix is the column
/// matrix (see docs/theory/convolution.md §5–6):
/// - ``im2colGEMM``: `Y = W · im2col(x)` with K = C·kh·kw rows per column (the general route);
/// - ``transposedOfFlippedKernel(padding:)``: conv2d(x, W, p) = convTranspose2d(x, flip(Wᵀ), k−1−p),
///   whose column matrices have Cout·kh·kw rows: taken for stride-1, undilated convolutions with
///   symmetric padding p ≤ k−1 and at most half as many output as input channels (the Fashion VAE's
///   32 → 1 output layer works on 9-row instead of 288-row columns). Same FLOPs, less memory traffic.
public enum ConvolutionRoute: Equatable, CustomStringConvertible, Sendable {
    /// Columns of the input (`[C·kh·kw, Ho·Wo]` per image) times the weight matrix: the general route.
    case im2colGEMM
    /// The transposed convolution of the spatially flipped, channel-swapped kernel with this padding.
    case transposedOfFlippedKernel(padding: Size2D)

    /// The route ``conv2d`` takes for `window` and `outChannels`.
    public static func choose(_ w: ConvolutionWindow2D, outChannels cOut: Int) -> ConvolutionRoute {
        guard w.strideHeight == 1, w.strideWidth == 1, w.dilationHeight == 1, w.dilationWidth == 1,
              2 * cOut <= w.channels, w.padTop < w.kernelHeight, w.padLeft < w.kernelWidth,
              // bottom/right padding implied by the output size must equal top/left (symmetric)
              w.outputHeight == w.height + 2 * w.padTop - w.kernelHeight + 1,
              w.outputWidth == w.width + 2 * w.padLeft - w.kernelWidth + 1 else { return .im2colGEMM }
        return .transposedOfFlippedKernel(padding: Size2D(w.kernelHeight - 1 - w.padTop, w.kernelWidth - 1 - w.padLeft))
    }

    public var description: String {
        switch self {
        case .im2colGEMM: return "im2col+GEMM"
        case .transposedOfFlippedKernel: return "transposed(flipped kernel)"
        }
    }
}

/// Layers whose computation route depends on the input (reported per layer by model summaries).
public protocol ConvolutionRouteReporting {
    /// The route for an input of shape `[N, C, H, W]`, with the GEMM's inner dimension K.
    func route(forInput shape: [Int]) -> (route: ConvolutionRoute, innerDimension: Int)
}

extension Conv2D: ConvolutionRouteReporting {
    public func route(forInput shape: [Int]) -> (route: ConvolutionRoute, innerDimension: Int) {
        let win = ConvolutionGeometry.window(channels: shape[1], height: shape[2], width: shape[3], kernelSize: kernelSize,
                                             stride: stride, padding: padding, dilation: dilation)
        let route = ConvolutionRoute.choose(win, outChannels: outChannels)
        let k = kernelSize.height * kernelSize.width
        switch route {
        case .im2colGEMM: return (route, inChannels * k)
        case .transposedOfFlippedKernel: return (route, outChannels * k)
        }
    }
}
