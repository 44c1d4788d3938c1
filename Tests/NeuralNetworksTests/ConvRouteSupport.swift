@testable import IllusionNeuralNetworks

/// The transposed route's padding when ``ConvolutionRoute/choose(_:outChannels:)`` takes it, else nil.
func narrowOutputPadding(_ w: ConvolutionWindow2D, outChannels: Int) -> Size2D? {
    if case .transposedOfFlippedKernel(let p) = ConvolutionRoute.choose(w, outChannels: outChannels) { return p }
    return nil
}
