import Foundation

/// Geometric augmentations: flips, rotation, affine maps, random crop + resize, elastic warping.
/// Angles are in degrees, positive = counter-clockwise as the image is displayed (y down);
/// transforms act about the image centre; bilinear sampling; `fill` is the value of pixels
/// that come from outside the source (nil = repeat the edge).
extension Augmentation {
    /// Mirror left–right (reverses the last axis).
    public static func horizontalFlip(_ x: Tensor) -> Tensor {
        let (_, c, h, w) = geometry(x)
        return mapImages(x) { _, src, dst in
            for row in 0..<(c * h) { for col in 0..<w { dst[row * w + col] = src[row * w + w - 1 - col] } }
        }
    }

    /// Mirror top–bottom.
    public static func verticalFlip(_ x: Tensor) -> Tensor {
        let (_, c, h, w) = geometry(x)
        return mapImages(x) { _, src, dst in
            for ch in 0..<c { for y in 0..<h { for col in 0..<w {
                dst[(ch * h + y) * w + col] = src[(ch * h + h - 1 - y) * w + col]
            } } }
        }
    }

    /// Swaps the two spatial axes (`[C, H, W]` → `[C, W, H]`).
    public static func transposed(_ x: Tensor) -> Tensor {
        let (_, c, h, w) = geometry(x)
        return mapImages(x, outputHeight: w, outputWidth: h) { _, src, dst in
            for ch in 0..<c { for y in 0..<h { for col in 0..<w {
                dst[(ch * w + col) * h + y] = src[(ch * h + y) * w + col]
            } } }
        }
    }

    /// Each image flipped left–right with probability `probability`.
    public static func randomHorizontalFlip(_ x: Tensor, probability: Double = 0.5, generator g: inout RandomGenerator) -> Tensor {
        let (n, _, _, _) = geometry(x)
        let flips = (0..<n).map { _ in g.nextDouble() < probability }
        let flipped = horizontalFlip(x)
        return mapImages(x) { i, src, dst in
            flipped.storage.withUnsafeBufferPointer { f in
                for k in 0..<src.count { dst[k] = flips[i] ? f[i * src.count + k] : src[k] }
            }
        }
    }

    /// Each image flipped top–bottom with probability `probability`.
    public static func randomVerticalFlip(_ x: Tensor, probability: Double = 0.5, generator g: inout RandomGenerator) -> Tensor {
        let (n, _, _, _) = geometry(x)
        let flips = (0..<n).map { _ in g.nextDouble() < probability }
        let flipped = verticalFlip(x)
        return mapImages(x) { i, src, dst in
            flipped.storage.withUnsafeBufferPointer { f in
                for k in 0..<src.count { dst[k] = flips[i] ? f[i * src.count + k] : src[k] }
            }
        }
    }

    /// A 2×2 linear map plus translation (pixels), applied about the image centre:
    /// `p_out − centre = matrix · (p_in − centre) + translation`.
    public struct AffineMap: Equatable, Sendable {
        public var a: Double, b: Double, c: Double, d: Double
        public var tx: Double, ty: Double

        public init(a: Double, b: Double, c: Double, d: Double, tx: Double = 0, ty: Double = 0) {
            self.a = a; self.b = b; self.c = c; self.d = d; self.tx = tx; self.ty = ty
        }

        /// Rotation (degrees, counter-clockwise on screen), then uniform scale, shear (degrees
        /// along x and y) and translation (pixels), composed as translate · rotate · shear · scale.
        public init(rotationDegrees: Double = 0, scale: Double = 1, shearXDegrees: Double = 0, shearYDegrees: Double = 0,
                    translateX: Double = 0, translateY: Double = 0) {
            let (cosT, sinT) = Self.exactCosSin(rotationDegrees)
            // Counter-clockwise on screen with y pointing down.
            let r = (a: cosT, b: sinT, c: -sinT, d: cosT)
            let shx = tan(shearXDegrees * .pi / 180), shy = tan(shearYDegrees * .pi / 180)
            let s = (a: 1.0, b: shx, c: shy, d: 1.0)
            let m = (a: r.a * s.a + r.b * s.c, b: r.a * s.b + r.b * s.d, c: r.c * s.a + r.d * s.c, d: r.c * s.b + r.d * s.d)
            self.init(a: m.a * scale, b: m.b * scale, c: m.c * scale, d: m.d * scale, tx: translateX, ty: translateY)
        }

        /// cos and sin with exact values at multiples of 90° (so quarter turns are exact permutations).
        static func exactCosSin(_ degrees: Double) -> (Double, Double) {
            let quarter = degrees / 90
            if quarter == quarter.rounded() {
                switch ((Int(quarter) % 4) + 4) % 4 {
                case 0: return (1, 0)
                case 1: return (0, 1)
                case 2: return (-1, 0)
                default: return (0, -1)
                }
            }
            return (cos(degrees * .pi / 180), sin(degrees * .pi / 180))
        }

        /// The output→source map, or nil when the matrix is singular.
        var inverse: AffineMap? {
            let det = a * d - b * c
            guard abs(det) > 1e-12 else { return nil }
            let ia = d / det, ib = -b / det, ic = -c / det, id = a / det
            return AffineMap(a: ia, b: ib, c: ic, d: id, tx: -(ia * tx + ib * ty), ty: -(ic * tx + id * ty))
        }
    }

    /// Applies an affine map about the centre (bilinear). A singular map returns the `fill` image.
    public static func affine(_ x: Tensor, _ map: AffineMap, fill: Float? = 0) -> Tensor {
        let (_, _, h, w) = geometry(x)
        let cx = Double(w - 1) / 2, cy = Double(h - 1) / 2
        guard let inv = map.inverse else {
            return Tensor(shape: x.shape, storage: Array(repeating: fill ?? 0, count: x.count))
        }
        return warp(x, fill: fill) { _, ox, oy in
            let dx = ox - cx, dy = oy - cy
            return (cx + inv.a * dx + inv.b * dy + inv.tx, cy + inv.c * dx + inv.d * dy + inv.ty)
        }
    }

    /// Rotation by any angle about the centre, same size, bilinear; 0° is the identity and
    /// quarter turns of a square image are exact.
    public static func rotated(_ x: Tensor, degrees: Double, fill: Float? = 0) -> Tensor {
        affine(x, AffineMap(rotationDegrees: degrees), fill: fill)
    }

    /// Each image rotated by a uniform angle in `−maxDegrees…maxDegrees`.
    public static func randomRotation(_ x: Tensor, maxDegrees: Double, fill: Float? = 0,
                                      generator g: inout RandomGenerator) -> Tensor {
        let (n, _, _, _) = geometry(x)
        let maps = (0..<n).map { _ in AffineMap(rotationDegrees: uniform(-maxDegrees...maxDegrees, &g)) }
        return perImageAffine(x, maps, fill: fill)
    }

    /// Each image through a random affine map: rotation in ±`degrees`, translation up to
    /// `translate` × size in each axis, scale in `scale`, shear in ±`shear` degrees (x and y).
    public static func randomAffine(_ x: Tensor, degrees: Double = 0, translate: Double = 0,
                                    scale: ClosedRange<Double> = 1...1, shear: Double = 0, fill: Float? = 0,
                                    generator g: inout RandomGenerator) -> Tensor {
        let (n, _, h, w) = geometry(x)
        let maps = (0..<n).map { _ in
            AffineMap(rotationDegrees: uniform(-degrees...degrees, &g), scale: uniform(scale, &g),
                      shearXDegrees: uniform(-shear...shear, &g), shearYDegrees: uniform(-shear...shear, &g),
                      translateX: uniform(-translate...translate, &g) * Double(w),
                      translateY: uniform(-translate...translate, &g) * Double(h))
        }
        return perImageAffine(x, maps, fill: fill)
    }

    static func perImageAffine(_ x: Tensor, _ maps: [AffineMap], fill: Float?) -> Tensor {
        let (_, _, h, w) = geometry(x)
        let cx = Double(w - 1) / 2, cy = Double(h - 1) / 2
        let inverses = maps.map { $0.inverse ?? AffineMap(a: 0, b: 0, c: 0, d: 0, tx: -1e9, ty: -1e9) }
        return warp(x, fill: fill) { i, ox, oy in
            let inv = inverses[i], dx = ox - cx, dy = oy - cy
            return (cx + inv.a * dx + inv.b * dy + inv.tx, cy + inv.c * dx + inv.d * dy + inv.ty)
        }
    }

    /// The rectangle `top, left, height, width` (pixels, may be fractional) resized bilinearly
    /// to `outputHeight × outputWidth` (corners of the box map to corners of the output).
    public static func cropResized(_ x: Tensor, top: Double, left: Double, height: Double, width: Double,
                                   outputHeight: Int, outputWidth: Int) -> Tensor {
        cropResized(x, boxes: Array(repeating: (top, left, height, width), count: geometry(x).n),
                    outputHeight: outputHeight, outputWidth: outputWidth)
    }

    static func cropResized(_ x: Tensor, boxes: [(Double, Double, Double, Double)], outputHeight: Int, outputWidth: Int) -> Tensor {
        warp(x, outputHeight: outputHeight, outputWidth: outputWidth, fill: nil) { i, ox, oy in
            let (top, left, bh, bw) = boxes[i]
            // Pixel-area alignment: output pixel centre (ox + 0.5)/outW of the box.
            return (left + (ox + 0.5) * bw / Double(outputWidth) - 0.5, top + (oy + 0.5) * bh / Double(outputHeight) - 0.5)
        }
    }

    /// Random-resized crop (Inception style): a box of area fraction in `scale` and aspect ratio
    /// (w/h, log-uniform) in `ratio`, placed uniformly, resized to `outputHeight × outputWidth`.
    /// Falls back to the whole image after 10 failed draws.
    public static func randomResizedCrop(_ x: Tensor, outputHeight: Int, outputWidth: Int,
                                         scale: ClosedRange<Double> = 0.08...1, ratio: ClosedRange<Double> = (3.0 / 4)...(4.0 / 3),
                                         generator g: inout RandomGenerator) -> Tensor {
        let (n, _, h, w) = geometry(x)
        let area = Double(h * w)
        let boxes = (0..<n).map { _ -> (Double, Double, Double, Double) in
            for _ in 0..<10 {
                let target = area * uniform(scale, &g)
                let aspect = exp(uniform(log(ratio.lowerBound)...log(ratio.upperBound), &g))
                let bw = (target * aspect).squareRoot().rounded(), bh = (target / aspect).squareRoot().rounded()
                if bw >= 1, bh >= 1, bw <= Double(w), bh <= Double(h) {
                    let top = Double(g.nextInt(below: h - Int(bh) + 1)), left = Double(g.nextInt(below: w - Int(bw) + 1))
                    return (top, left, bh, bw)
                }
            }
            return (0, 0, Double(h), Double(w))
        }
        return cropResized(x, boxes: boxes, outputHeight: outputHeight, outputWidth: outputWidth)
    }

    /// Elastic deformation (Simard et al. 2003): per-pixel displacements uniform in [−1, 1],
    /// smoothed by a Gaussian of standard deviation `sigma` pixels, scaled by `alpha` pixels;
    /// edges are repeated.
    public static func elastic(_ x: Tensor, alpha: Double = 8, sigma: Double = 3, generator g: inout RandomGenerator) -> Tensor {
        let (n, _, h, w) = geometry(x)
        let fields = (0..<n).map { _ -> ([Double], [Double]) in
            let dx = gaussianSmoothed((0..<(h * w)).map { _ in 2 * g.nextDouble() - 1 }, h: h, w: w, sigma: sigma)
            let dy = gaussianSmoothed((0..<(h * w)).map { _ in 2 * g.nextDouble() - 1 }, h: h, w: w, sigma: sigma)
            return (dx.map { $0 * alpha }, dy.map { $0 * alpha })
        }
        return warp(x, fill: nil) { i, ox, oy in
            let k = Int(oy) * w + Int(ox)
            return (ox + fields[i].0[k], oy + fields[i].1[k])
        }
    }

    /// Separable Gaussian blur of a `[h, w]` field (radius 3σ, edges clamped).
    static func gaussianSmoothed(_ field: [Double], h: Int, w: Int, sigma: Double) -> [Double] {
        guard sigma > 0 else { return field }
        let radius = max(1, Int((3 * sigma).rounded(.up)))
        var kernel = (-radius...radius).map { exp(-Double($0 * $0) / (2 * sigma * sigma)) }
        let total = kernel.reduce(0, +)
        kernel = kernel.map { $0 / total }
        var tmp = [Double](repeating: 0, count: h * w), out = tmp
        for y in 0..<h { for x in 0..<w {
            var s = 0.0
            for k in -radius...radius { s += kernel[k + radius] * field[y * w + min(max(x + k, 0), w - 1)] }
            tmp[y * w + x] = s
        } }
        for y in 0..<h { for x in 0..<w {
            var s = 0.0
            for k in -radius...radius { s += kernel[k + radius] * tmp[min(max(y + k, 0), h - 1) * w + x] }
            out[y * w + x] = s
        } }
        return out
    }
}
