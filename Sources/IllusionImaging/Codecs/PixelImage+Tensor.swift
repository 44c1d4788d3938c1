/// Conversions between `PixelImage` (HWC bytes) and planar float data (CHW, values in [0, 1]).
extension PixelImage {
    /// An image from planar floats laid out `[channels, height, width]` (channel-major, row-major).
    ///
    /// Values are mapped linearly from `valueRange` to 0…255 and clamped; NaN becomes the lower bound.
    /// `channels` must be 1 or 3 (4 is accepted and kept as RGBA).
    public init(chw values: ArraySlice<Float>, channels: Int, height: Int, width: Int,
                valueRange: ClosedRange<Float> = 0...1) throws {
        guard Self.supportedChannelCounts.contains(channels), height >= 0, width >= 0 else {
            throw ImagingError.invalidArgument("CHW image shape [\(channels), \(height), \(width)] is not 1/3/4 channels")
        }
        guard values.count == channels * height * width else {
            throw ImagingError.invalidArgument(
                "CHW image [\(channels), \(height), \(width)] needs \(channels * height * width) values, got \(values.count)")
        }
        let span = valueRange.upperBound - valueRange.lowerBound
        guard span > 0 else { throw ImagingError.invalidArgument("value range \(valueRange) is empty") }
        let plane = height * width
        var out = [UInt8](repeating: 0, count: plane * channels)
        let base = values.startIndex
        for c in 0..<channels {
            for p in 0..<plane {
                let v = (values[base + c * plane + p] - valueRange.lowerBound) / span
                let clamped = v.isNaN ? 0 : Swift.min(1, Swift.max(0, v))
                out[p * channels + c] = UInt8((clamped * 255).rounded())
            }
        }
        try self.init(width: width, height: height, channels: channels, pixels: out)
    }

    /// One image from a tensor shaped `[C, H, W]` or `[1, C, H, W]` (see ``init(chw:channels:height:width:valueRange:)``).
    public init(tensor: Tensor, valueRange: ClosedRange<Float> = 0...1) throws {
        let shape = tensor.shape
        if shape.count == 3 {
            try self.init(chw: tensor.storage[...], channels: shape[0], height: shape[1], width: shape[2],
                          valueRange: valueRange)
        } else if shape.count == 4, shape[0] == 1 {
            try self.init(chw: tensor.storage[...], channels: shape[1], height: shape[2], width: shape[3],
                          valueRange: valueRange)
        } else {
            throw ImagingError.invalidArgument("expected an image tensor [C,H,W] or [1,C,H,W], got \(shape)")
        }
    }

    /// Every image of a batch tensor shaped `[N, C, H, W]` (a `[C, H, W]` tensor gives one image).
    public static func images(fromBatch tensor: Tensor, valueRange: ClosedRange<Float> = 0...1) throws -> [PixelImage] {
        let shape = tensor.shape
        if shape.count == 3 { return [try PixelImage(tensor: tensor, valueRange: valueRange)] }
        guard shape.count == 4 else {
            throw ImagingError.invalidArgument("expected a batch tensor [N,C,H,W], got \(shape)")
        }
        let size = shape[1] * shape[2] * shape[3]
        return try (0..<shape[0]).map { n in
            try PixelImage(chw: tensor.storage[(n * size)..<((n + 1) * size)], channels: shape[1],
                           height: shape[2], width: shape[3], valueRange: valueRange)
        }
    }

    /// Planar floats `[channels, height, width]` with values `pixel / 255` in [0, 1].
    public func chwFloats() -> [Float] {
        let plane = pixelCount
        var out = [Float](repeating: 0, count: plane * channels)
        for p in 0..<plane {
            for c in 0..<channels {
                out[c * plane + p] = Float(pixels[p * channels + c]) / 255
            }
        }
        return out
    }

    /// A `[channels, height, width]` tensor with values in [0, 1].
    public func tensor() -> Tensor {
        Tensor(shape: [channels, height, width], storage: chwFloats())
    }
}
