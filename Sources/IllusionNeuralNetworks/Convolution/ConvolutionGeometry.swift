/// Output-size formulas and padding rules for the convolution family.
///
/// With input size n, kernel k, stride s, padding p (each side), dilation d:
/// - convolution:            ⌊(n + 2p − d(k−1) − 1) / s⌋ + 1
/// - transposed convolution: (n − 1)s − 2p + d(k−1) + outputPadding + 1
/// (PyTorch's formulas; `docs/theory/convolution.md` shows why and tests them against the layers.)

/// A pair of sizes for the two spatial axes (height, width). An integer literal means both.
public struct Size2D: Equatable, Hashable, Sendable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    /// Rows (first spatial axis, H).
    public var height: Int
    /// Columns (second spatial axis, W).
    public var width: Int
    /// Different sizes per axis, e.g. `Size2D(3, 1)` for a 3×1 kernel.
    public init(_ height: Int, _ width: Int) { self.height = height; self.width = width }
    /// The same size on both axes.
    public init(_ both: Int) { self.init(both, both) }
    public init(integerLiteral value: Int) { self.init(value, value) }
    public var description: String { height == width ? "\(height)" : "\(height)×\(width)" }
}

/// Zero padding of a convolution.
///
/// - `explicit(p)`: p rows on top and bottom, p columns left and right (PyTorch's `padding=`).
///   An integer literal means `explicit(Size2D(v, v))`.
/// - `valid`: no padding (the window stays inside the input).
/// - `same`: Keras/TensorFlow "same": output size ⌈n/s⌉, total padding
///   max((⌈n/s⌉−1)·s + d(k−1) + 1 − n, 0), split with the smaller half first (top/left) and the
///   extra row or column at the bottom/right — asymmetric when the total is odd. For stride 1
///   this equals PyTorch's `padding='same'`.
public enum ConvPadding: Equatable, Sendable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    /// No padding.
    case valid
    /// Keras/TensorFlow "same" (see above).
    case same
    /// p rows above and below, p columns left and right.
    case explicit(Size2D)

    public init(integerLiteral value: Int) { self = .explicit(Size2D(value, value)) }

    public var description: String {
        switch self {
        case .valid: return "valid"
        case .same: return "same"
        case .explicit(let s): return "\(s)"
        }
    }
}

/// Output sizes and paddings of convolutions, as PyTorch computes them.
public enum ConvolutionGeometry {
    /// ⌊(n + 2p − d(k−1) − 1)/s⌋ + 1 (0 when the window does not fit).
    public static func outputSize(inputSize n: Int, kernelSize k: Int, stride s: Int = 1,
                                  padding p: Int = 0, dilation d: Int = 1) -> Int {
        let span = n + 2 * p - d * (k - 1) - 1
        return span < 0 ? 0 : span / s + 1
    }

    /// (n − 1)s − 2p + d(k−1) + outputPadding + 1.
    public static func transposedOutputSize(inputSize n: Int, kernelSize k: Int, stride s: Int = 1,
                                            padding p: Int = 0, outputPadding op: Int = 0, dilation d: Int = 1) -> Int {
        (n - 1) * s - 2 * p + d * (k - 1) + op + 1
    }

    /// Keras "same" padding along one axis: (before, after) with before = ⌊total/2⌋.
    public static func samePadding(inputSize n: Int, kernelSize k: Int, stride s: Int = 1,
                                   dilation d: Int = 1) -> (before: Int, after: Int) {
        let out = (n + s - 1) / s
        let total = Swift.max((out - 1) * s + d * (k - 1) + 1 - n, 0)
        return (total / 2, total - total / 2)
    }

    /// Padding (before, after) along one axis for a `ConvPadding`.
    public static func padding(_ padding: ConvPadding, axis: Int, inputSize n: Int, kernelSize k: Int,
                               stride s: Int, dilation d: Int) -> (before: Int, after: Int) {
        switch padding {
        case .valid: return (0, 0)
        case .same: return samePadding(inputSize: n, kernelSize: k, stride: s, dilation: d)
        case .explicit(let p):
            let v = axis == 0 ? p.height : p.width
            return (v, v)
        }
    }

    /// The window a Conv2D with these settings slides over a `[channels, height, width]` input.
    public static func window(channels: Int, height: Int, width: Int, kernelSize: Size2D, stride: Size2D,
                              padding: ConvPadding, dilation: Size2D) -> ConvolutionWindow2D {
        let (top, bottom) = self.padding(padding, axis: 0, inputSize: height, kernelSize: kernelSize.height,
                                         stride: stride.height, dilation: dilation.height)
        let (left, right) = self.padding(padding, axis: 1, inputSize: width, kernelSize: kernelSize.width,
                                         stride: stride.width, dilation: dilation.width)
        return ConvolutionWindow2D(channels: channels, height: height, width: width,
                                   kernelHeight: kernelSize.height, kernelWidth: kernelSize.width,
                                   strideHeight: stride.height, strideWidth: stride.width,
                                   padTop: top, padBottom: bottom, padLeft: left, padRight: right,
                                   dilationHeight: dilation.height, dilationWidth: dilation.width)
    }
}
