/// Layers that only move values: Flatten, Reshape, Upsample (nearest neighbour).

/// `[N, d1, d2, …] → [N, d1·d2·…]`, as `torch.nn.Flatten()` (start_dim 1).
public final class Flatten: Layer {
    public var isTraining = true
    /// `torch.nn.Flatten()`: keeps axis 0, merges the rest.
    public init() {}
    public func forward(_ x: Tensor) -> Tensor { x.flattenedBatch() }
}

/// `[N, …] → [N] + shape` (the batch axis is kept; one entry of `shape` may be −1).
public final class Reshape: Layer {
    /// The shape of each sample after the layer (without the batch axis).
    public let shape: [Int]
    public var isTraining = true
    /// Reshapes each sample to `shape` (e.g. `[64, 7, 7]` before a decoder's convolutions).
    public init(_ shape: [Int]) { self.shape = shape }
    public var summaryName: String { "Reshape(\(shape.map(String.init).joined(separator: "×")))" }
    public func forward(_ x: Tensor) -> Tensor { x.reshaped([x.shape[0]] + shape) }
}

/// Nearest-neighbour upsampling by integer factors, as `torch.nn.Upsample(scale_factor:, mode: "nearest")`.
public final class Upsample: Layer {
    /// Integer factor per axis (sh, sw).
    public let scaleFactor: Size2D
    public var isTraining = true
    /// Repeats every pixel sh × sw times; factors must be ≥ 1.
    public init(scaleFactor: Size2D) {
        require(scaleFactor.height > 0 && scaleFactor.width > 0, "Upsample: scale factor must be positive")
        self.scaleFactor = scaleFactor
    }
    public var summaryName: String { "Upsample(×\(scaleFactor), nearest)" }
    public func forward(_ x: Tensor) -> Tensor { upsampleNearest2d(x, scaleFactor: scaleFactor) }
}

/// x: `[N, C, H, W]` → `[N, C, H·sh, W·sw]`, y[…, i, j] = x[…, i/sh, j/sw].
/// Backward: each input pixel receives the sum of its sh×sw block of output gradients.
/// Each input row is widened once into its first output row, which is then copied sh − 1 times;
/// the backward adds in the reference's order (output rows, then columns), so both agree to the bit.
public func upsampleNearest2d(_ x: Tensor, scaleFactor: Size2D) -> Tensor {
    require(x.rank == 4, "upsampleNearest2d: expected [N, C, H, W], got \(x.shape)")
    let planes = x.shape[0] * x.shape[1], h = x.shape[2], w = x.shape[3]
    let sh = scaleFactor.height, sw = scaleFactor.width, ho = h * sh, wo = w * sw
    var y = uninitializedFloats(planes * ho * wo)
    x.storage.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in
        for row in 0..<(planes * h) {   // input row `row` = plane·H + iy → output rows plane·Ho + iy·sh …
            let src = xp.baseAddress! + row * w, first = yp.baseAddress! + row * sh * wo
            if sw == 2 {
                for ix in 0..<w { let v = src[ix]; first[2 &* ix] = v; first[2 &* ix &+ 1] = v }
            } else {
                for ix in 0..<w { (first + ix * sw).update(repeating: src[ix], count: sw) }
            }
            for r in 1..<max(sh, 1) { (first + r * wo).update(from: first, count: wo) }
        }
    } }
    return Tensor.result("upsample_nearest2d", shape: [x.shape[0], x.shape[1], ho, wo], storage: y, inputs: [x]) { _, g in
        var dx = [Float](repeating: 0, count: x.count)
        g.withUnsafeBufferPointer { gp in dx.withUnsafeMutableBufferPointer { d in
            for row in 0..<(planes * h) {
                let dst = d.baseAddress! + row * w
                for r in 0..<sh {
                    let src = gp.baseAddress! + (row * sh + r) * wo
                    if sw == 2 {
                        for ix in 0..<w { dst[ix] += src[2 &* ix]; dst[ix] += src[2 &* ix &+ 1] }
                    } else {
                        for ix in 0..<w { for k in 0..<sw { dst[ix] += src[ix * sw + k] } }
                    }
                }
            }
        } }
        x.accumulateGrad(dx)
    }
}

/// The reference for ``upsampleNearest2d(_:scaleFactor:)``: the definition, one output pixel at a time.
func upsampleNearest2dReference(_ x: Tensor, scaleFactor: Size2D) -> Tensor {
    require(x.rank == 4, "upsampleNearest2d: expected [N, C, H, W], got \(x.shape)")
    let planes = x.shape[0] * x.shape[1], h = x.shape[2], w = x.shape[3]
    let sh = scaleFactor.height, sw = scaleFactor.width, ho = h * sh, wo = w * sw
    var y = uninitializedFloats(planes * ho * wo)
    x.storage.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in
        for plane in 0..<planes {
            for oy in 0..<ho {
                let src = xp.baseAddress! + (plane * h + oy / sh) * w, dst = yp.baseAddress! + (plane * ho + oy) * wo
                for ox in 0..<wo { dst[ox] = src[ox / sw] }
            }
        }
    } }
    return Tensor.result("upsample_nearest2d", shape: [x.shape[0], x.shape[1], ho, wo], storage: y, inputs: [x]) { _, g in
        var dx = [Float](repeating: 0, count: x.count)
        g.withUnsafeBufferPointer { gp in dx.withUnsafeMutableBufferPointer { d in
            for plane in 0..<planes {
                for oy in 0..<ho {
                    let src = gp.baseAddress! + (plane * ho + oy) * wo, dst = d.baseAddress! + (plane * h + oy / sh) * w
                    for ox in 0..<wo { dst[ox / sw] += src[ox] }
                }
            }
        } }
        x.accumulateGrad(dx)
    }
}
