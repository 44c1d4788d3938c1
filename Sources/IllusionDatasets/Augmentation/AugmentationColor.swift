import Foundation

/// Colour augmentations (RGB images; for grey images saturation and hue are no-ops) and
/// additive Gaussian noise. Colour results are clamped to [0, 1].
extension Augmentation {
    /// Multiplies every value by `factor` (0 = black, 1 = unchanged).
    public static func adjustBrightness(_ x: Tensor, factor: Float) -> Tensor {
        mapImages(x) { _, src, dst in for k in 0..<src.count { dst[k] = clamp01(src[k] * factor) } }
    }

    /// Blends with the image's mean grey level: `mean + factor · (x − mean)` (0 = flat grey).
    public static func adjustContrast(_ x: Tensor, factor: Float) -> Tensor {
        perImageContrast(x, factors: Array(repeating: factor, count: geometry(x).n))
    }

    /// Blends with the image's greyscale version: `grey + factor · (x − grey)` (0 = grey, RGB only).
    public static func adjustSaturation(_ x: Tensor, factor: Float) -> Tensor {
        perImageSaturation(x, factors: Array(repeating: factor, count: geometry(x).n))
    }

    /// Rotates hue by `shift` turns (−0.5…0.5) in HSV space (RGB only).
    public static func adjustHue(_ x: Tensor, shift: Float) -> Tensor {
        perImageHue(x, shifts: Array(repeating: shift, count: geometry(x).n))
    }

    /// Colour jitter (as torchvision's `ColorJitter`): per image, factors uniform in
    /// `[max(0, 1 − b), 1 + b]` for brightness, contrast and saturation and a hue shift uniform in
    /// `[−hue, hue]` turns, applied in a random order.
    public static func colorJitter(_ x: Tensor, brightness: Float = 0, contrast: Float = 0, saturation: Float = 0,
                                   hue: Float = 0, generator g: inout RandomGenerator) -> Tensor {
        let (n, _, _, _) = geometry(x)
        func factor(_ s: Float) -> Float { Float(uniform(Double(max(0, 1 - s))...Double(1 + s), &g)) }
        var images = (0..<n).map { i -> Tensor in
            x.shape.count == 3 ? x : x.narrowed(axis: 0, start: i, length: 1)
        }
        for i in 0..<n {
            let order = g.permutation(4)
            let b = factor(brightness), c = factor(contrast), s = factor(saturation)
            let h = Float(uniform(Double(-hue)...Double(hue), &g))
            for op in order {
                switch op {
                case 0 where brightness > 0: images[i] = adjustBrightness(images[i], factor: b)
                case 1 where contrast > 0: images[i] = adjustContrast(images[i], factor: c)
                case 2 where saturation > 0: images[i] = adjustSaturation(images[i], factor: s)
                case 3 where hue > 0: images[i] = adjustHue(images[i], shift: h)
                default: break
                }
            }
        }
        return x.shape.count == 3 ? images[0] : Tensor.concatenate(images, axis: 0)
    }

    /// Adds independent N(0, std²) noise to every value; `clamp` keeps results in [0, 1]
    /// (which lowers the effective standard deviation near 0 and 1).
    public static func gaussianNoise(_ x: Tensor, standardDeviation std: Float, clamp: Bool = false,
                                     generator g: inout RandomGenerator) -> Tensor {
        var out = x.storage
        out.withUnsafeMutableBufferPointer { buffer in
            var noise = [Float](repeating: 0, count: buffer.count)
            noise.withUnsafeMutableBufferPointer { g.fillNormal($0, mean: 0, std: std) }
            for k in 0..<buffer.count {
                let v = buffer[k] + noise[k]
                buffer[k] = clamp ? clamp01(v) : v
            }
        }
        return Tensor(shape: x.shape, storage: out)
    }

    // MARK: - per-image kernels

    @inline(__always) static func clamp01(_ v: Float) -> Float { min(1, max(0, v)) }

    /// Rec. 601 luma of pixel p of a planar RGB image.
    @inline(__always) static func luma(_ img: UnsafeBufferPointer<Float>, _ p: Int, _ plane: Int) -> Float {
        0.299 * img[p] + 0.587 * img[plane + p] + 0.114 * img[2 * plane + p]
    }

    static func perImageContrast(_ x: Tensor, factors: [Float]) -> Tensor {
        let (_, c, h, w) = geometry(x)
        let plane = h * w
        return mapImages(x) { i, src, dst in
            var mean: Float = 0
            for p in 0..<plane { mean += c == 3 ? luma(src, p, plane) : src[p] }
            mean /= Float(plane)
            for k in 0..<src.count { dst[k] = clamp01(mean + factors[i] * (src[k] - mean)) }
        }
    }

    static func perImageSaturation(_ x: Tensor, factors: [Float]) -> Tensor {
        let (_, c, h, w) = geometry(x)
        let plane = h * w
        return mapImages(x) { i, src, dst in
            guard c == 3 else { for k in 0..<src.count { dst[k] = src[k] }; return }
            for p in 0..<plane {
                let grey = luma(src, p, plane)
                for ch in 0..<3 { dst[ch * plane + p] = clamp01(grey + factors[i] * (src[ch * plane + p] - grey)) }
            }
        }
    }

    static func perImageHue(_ x: Tensor, shifts: [Float]) -> Tensor {
        let (_, c, h, w) = geometry(x)
        let plane = h * w
        return mapImages(x) { i, src, dst in
            guard c == 3 else { for k in 0..<src.count { dst[k] = src[k] }; return }
            for p in 0..<plane {
                let r = clamp01(src[p]), g = clamp01(src[plane + p]), b = clamp01(src[2 * plane + p])
                let maxV = max(r, g, b), minV = min(r, g, b), delta = maxV - minV
                var hue: Float = 0
                if delta > 0 {
                    if maxV == r { hue = (g - b) / delta } else if maxV == g { hue = 2 + (b - r) / delta } else { hue = 4 + (r - g) / delta }
                    hue /= 6
                }
                hue += shifts[i]
                hue -= hue.rounded(.down)
                let s: Float = maxV > 0 ? delta / maxV : 0, v = maxV
                let h6 = hue * 6, sector = Int(h6) % 6, f = h6 - Float(Int(h6))
                let pp = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f))
                let rgb: (Float, Float, Float)
                switch sector {
                case 0: rgb = (v, t, pp)
                case 1: rgb = (q, v, pp)
                case 2: rgb = (pp, v, t)
                case 3: rgb = (pp, q, v)
                case 4: rgb = (t, pp, v)
                default: rgb = (v, pp, q)
                }
                dst[p] = rgb.0; dst[plane + p] = rgb.1; dst[2 * plane + p] = rgb.2
            }
        }
    }
}
