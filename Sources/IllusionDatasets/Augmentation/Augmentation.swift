/// Image augmentation on `Float` tensors, either one image `[C, H, W]` or a batch `[N, C, H, W]`
/// (values normally in [0, 1]). Random ops take an `inout RandomGenerator`, draw their
/// parameters per image in batch order, and are therefore reproducible from a seed.
/// Deterministic building blocks (flips, `rotated(by:)`, `affine`, colour adjustments) take no
/// generator. Ops return new tensors and never modify their input.
///
/// Files: geometry (flips, rotation, affine, crop+resize, elastic) in `AugmentationGeometry`,
/// colour and noise in `AugmentationColor`, erasing/Cutout in `AugmentationOcclusion`,
/// Mixup/CutMix in `AugmentationMixing`, AugMix in `AugMix`.
public enum Augmentation {
    /// `(n, c, h, w)` of a `[C, H, W]` (n = 1) or `[N, C, H, W]` tensor.
    static func geometry(_ x: Tensor, _ caller: String = #function) -> (n: Int, c: Int, h: Int, w: Int) {
        switch x.shape.count {
        case 3: return (1, x.shape[0], x.shape[1], x.shape[2])
        case 4: return (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        default: fatalError("Augmentation.\(caller): expected [C, H, W] or [N, C, H, W], got \(x.shape)")
        }
    }

    /// Applies `body(image index, source image, destination image)` to every image, where each
    /// image is `[c, h, w]` in and `[c, outH, outW]` out; the result keeps the input's rank.
    static func mapImages(_ x: Tensor, outputHeight: Int? = nil, outputWidth: Int? = nil,
                          _ body: (Int, UnsafeBufferPointer<Float>, UnsafeMutableBufferPointer<Float>) -> Void) -> Tensor {
        let (n, c, h, w) = geometry(x)
        let oh = outputHeight ?? h, ow = outputWidth ?? w
        let inSize = c * h * w, outSize = c * oh * ow
        var out = [Float](repeating: 0, count: n * outSize)
        x.storage.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for i in 0..<n {
                    body(i, UnsafeBufferPointer(rebasing: src[i * inSize ..< (i + 1) * inSize]),
                         UnsafeMutableBufferPointer(rebasing: dst[i * outSize ..< (i + 1) * outSize]))
                }
            }
        }
        let shape = x.shape.count == 3 ? [c, oh, ow] : [n, c, oh, ow]
        return Tensor(shape: shape, storage: out)
    }

    /// Bilinear sample of a `[h, w]` plane at (x, y) in pixel-centre coordinates (integers hit
    /// pixel centres exactly). Neighbours outside the plane count as `fill`, or as the nearest
    /// edge pixel when `fill` is nil.
    @inline(__always)
    static func sample(_ plane: UnsafeBufferPointer<Float>, h: Int, w: Int, x: Double, y: Double, fill: Float?) -> Float {
        let x0 = Int(x.rounded(.down)), y0 = Int(y.rounded(.down))
        let fx = Float(x - Double(x0)), fy = Float(y - Double(y0))
        @inline(__always) func at(_ xx: Int, _ yy: Int) -> Float {
            if xx >= 0, xx < w, yy >= 0, yy < h { return plane[yy * w + xx] }
            if let fill { return fill }
            return plane[min(max(yy, 0), h - 1) * w + min(max(xx, 0), w - 1)]
        }
        if fill != nil && (x0 < -1 || y0 < -1 || x0 >= w || y0 >= h) { return fill! }
        let top = at(x0, y0) * (1 - fx) + (fx == 0 ? 0 : at(x0 + 1, y0) * fx)
        if fy == 0 { return top }
        let bottom = at(x0, y0 + 1) * (1 - fx) + (fx == 0 ? 0 : at(x0 + 1, y0 + 1) * fx)
        return top * (1 - fy) + bottom * fy
    }

    /// Resamples every image through an output→source coordinate map (pixel-centre coordinates),
    /// bilinearly. `map` receives the image index so per-image random maps are possible.
    static func warp(_ x: Tensor, outputHeight: Int? = nil, outputWidth: Int? = nil, fill: Float?,
                     map: (Int, Double, Double) -> (Double, Double)) -> Tensor {
        let (_, c, h, w) = geometry(x)
        let oh = outputHeight ?? h, ow = outputWidth ?? w
        return mapImages(x, outputHeight: oh, outputWidth: ow) { i, src, dst in
            for y in 0..<oh {
                for xx in 0..<ow {
                    let (sx, sy) = map(i, Double(xx), Double(y))
                    for ch in 0..<c {
                        let plane = UnsafeBufferPointer(rebasing: src[ch * h * w ..< (ch + 1) * h * w])
                        dst[ch * oh * ow + y * ow + xx] = sample(plane, h: h, w: w, x: sx, y: sy, fill: fill)
                    }
                }
            }
        }
    }

    /// Uniform draw in a closed range.
    static func uniform(_ r: ClosedRange<Double>, _ g: inout RandomGenerator) -> Double {
        r.lowerBound + (r.upperBound - r.lowerBound) * g.nextDouble()
    }
}
