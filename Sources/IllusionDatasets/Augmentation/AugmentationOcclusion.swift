import Foundation

/// Occlusion augmentations: random erasing and Cutout.
extension Augmentation {
    /// What an erased rectangle is filled with.
    public enum ErasingFill: Sendable {
        /// One constant value in every channel.
        case constant(Float)
        /// Independent uniform [0, 1) values per pixel and channel (Zhong et al.'s default).
        case random
    }

    /// Random erasing (Zhong et al. 2017): with probability `probability`, a rectangle of area
    /// fraction in `area` and aspect ratio (h/w) in `aspect` (log-uniform), placed inside the
    /// image, is filled. Up to 10 draws per image to find a box that fits.
    public static func randomErasing(_ x: Tensor, probability: Double = 0.5, area: ClosedRange<Double> = 0.02...0.33,
                                     aspect: ClosedRange<Double> = 0.3...3.3, fill: ErasingFill = .random,
                                     generator g: inout RandomGenerator) -> Tensor {
        let (_, c, h, w) = geometry(x)
        let plane = h * w
        return mapImages(x) { _, src, dst in
            for k in 0..<src.count { dst[k] = src[k] }
            guard g.nextDouble() < probability else { return }
            for _ in 0..<10 {
                let target = Double(plane) * uniform(area, &g)
                let ratio = Foundation.exp(uniform(Foundation.log(aspect.lowerBound)...Foundation.log(aspect.upperBound), &g))
                let eh = Int((target * ratio).squareRoot().rounded()), ew = Int((target / ratio).squareRoot().rounded())
                guard eh >= 1, ew >= 1, eh <= h, ew <= w else { continue }
                let top = g.nextInt(below: h - eh + 1), left = g.nextInt(below: w - ew + 1)
                for ch in 0..<c { for y in top..<(top + eh) { for xx in left..<(left + ew) {
                    switch fill {
                    case let .constant(v): dst[ch * plane + y * w + xx] = v
                    case .random: dst[ch * plane + y * w + xx] = g.nextFloat()
                    }
                } } }
                return
            }
        }
    }

    /// Cutout (DeVries & Taylor 2017): `count` squares of side `size`, each centred on a uniform
    /// random pixel and clipped at the border, set to `fill` in every channel.
    public static func cutout(_ x: Tensor, size: Int, count: Int = 1, fill: Float = 0,
                              generator g: inout RandomGenerator) -> Tensor {
        let (_, c, h, w) = geometry(x)
        let plane = h * w
        return mapImages(x) { _, src, dst in
            for k in 0..<src.count { dst[k] = src[k] }
            for _ in 0..<count {
                let cy = g.nextInt(below: h), cx = g.nextInt(below: w)
                let y0 = max(0, cy - size / 2), y1 = min(h, cy - size / 2 + size)
                let x0 = max(0, cx - size / 2), x1 = min(w, cx - size / 2 + size)
                guard y0 < y1, x0 < x1 else { continue }
                for ch in 0..<c { for y in y0..<y1 { for xx in x0..<x1 { dst[ch * plane + y * w + xx] = fill } } }
            }
        }
    }
}
