/// AugMix (Hendrycks et al. 2020): `width` chains of 1–3 random operations, mixed with
/// Dirichlet(α, …, α) weights, then blended with the original using m ~ Beta(α, α):
/// `x_augmix = (1 − m) · x + m · Σᵢ wᵢ · chainᵢ(x)`.
///
/// For training with the Jensen–Shannon consistency loss, ``Augmentation/augMixViews(_:severity:width:depth:alpha:operations:generator:)``
/// returns the clean batch and two independent AugMix views; the loss itself lives with the losses.
public enum AugMixOperation: CaseIterable, Sendable {
    case autocontrast, equalize, posterize, solarize, rotate, shearX, shearY, translateX, translateY
    /// Also available, but excluded from the default set because they overlap common corruption benchmarks.
    case brightness, contrast, saturation

    /// The paper's default set (no colour ops that overlap ImageNet-C).
    public static let standard: [AugMixOperation] = [.autocontrast, .equalize, .posterize, .solarize, .rotate,
                                                     .shearX, .shearY, .translateX, .translateY]

    /// Applies the operation at strength `level` in (0, 1] to one image `[C, H, W]`; the
    /// direction of signed operations is drawn from `g`.
    public func apply(_ x: Tensor, level: Double, generator g: inout RandomGenerator) -> Tensor {
        let (_, c, h, w) = Augmentation.geometry(x)
        let sign: Double = g.nextFloat() < 0.5 ? -1 : 1
        switch self {
        case .autocontrast:
            return Augmentation.mapImages(x) { _, src, dst in
                for ch in 0..<c {
                    let range = ch * h * w ..< (ch + 1) * h * w
                    let lo = src[range].min()!, hi = src[range].max()!
                    for k in range { dst[k] = hi > lo ? (src[k] - lo) / (hi - lo) : src[k] }
                }
            }
        case .equalize:
            return Augmentation.mapImages(x) { _, src, dst in
                for ch in 0..<c {
                    let range = ch * h * w ..< (ch + 1) * h * w
                    var histogram = [Int](repeating: 0, count: 256)
                    for k in range { histogram[Int(Augmentation.clamp01(src[k]) * 255)] += 1 }
                    var cdf = [Float](repeating: 0, count: 256), running = 0
                    for b in 0..<256 { running += histogram[b]; cdf[b] = Float(running) / Float(h * w) }
                    for k in range { dst[k] = cdf[Int(Augmentation.clamp01(src[k]) * 255)] }
                }
            }
        case .posterize:
            let bits = 8 - min(4, Int(level * 4))
            let step = Float(1 << (8 - bits))
            return Augmentation.mapImages(x) { _, src, dst in
                for k in 0..<src.count { dst[k] = ((Augmentation.clamp01(src[k]) * 255 / step).rounded(.down) * step) / 255 }
            }
        case .solarize:
            let threshold = Float(1 - level)
            return Augmentation.mapImages(x) { _, src, dst in
                for k in 0..<src.count { dst[k] = src[k] >= threshold ? 1 - src[k] : src[k] }
            }
        case .rotate:
            return Augmentation.rotated(x, degrees: sign * 30 * level, fill: 0)
        case .shearX:
            return Augmentation.affine(x, .init(a: 1, b: sign * 0.3 * level, c: 0, d: 1), fill: 0)
        case .shearY:
            return Augmentation.affine(x, .init(a: 1, b: 0, c: sign * 0.3 * level, d: 1), fill: 0)
        case .translateX:
            return Augmentation.affine(x, .init(a: 1, b: 0, c: 0, d: 1, tx: sign * Double(w) / 3 * level), fill: 0)
        case .translateY:
            return Augmentation.affine(x, .init(a: 1, b: 0, c: 0, d: 1, ty: sign * Double(h) / 3 * level), fill: 0)
        case .brightness:
            return Augmentation.adjustBrightness(x, factor: Float(1 + sign * 0.9 * level))
        case .contrast:
            return Augmentation.adjustContrast(x, factor: Float(1 + sign * 0.9 * level))
        case .saturation:
            return Augmentation.adjustSaturation(x, factor: Float(1 + sign * 0.9 * level))
        }
    }
}

extension Augmentation {
    /// AugMix of each image (`[C, H, W]` or `[N, C, H, W]`). `severity` 1…10 sets operation
    /// strength (each op draws its level uniformly in [0.1, severity]/10); `depth` fixes the chain
    /// length (nil = uniform 1…3).
    public static func augMix(_ x: Tensor, severity: Int = 3, width: Int = 3, depth: Int? = nil, alpha: Double = 1,
                              operations: [AugMixOperation] = AugMixOperation.standard,
                              generator g: inout RandomGenerator) -> Tensor {
        require(width >= 1 && !operations.isEmpty, "Augmentation.augMix: need width ≥ 1 and at least one operation")
        let (n, _, _, _) = geometry(x)
        var results: [Tensor] = []
        for i in 0..<n {
            let image = x.shape.count == 3 ? x : x.narrowed(axis: 0, start: i, length: 1).reshaped(Array(x.shape.dropFirst()))
            let gammas = (0..<width).map { _ in g.nextGamma(shape: alpha) }
            let total = gammas.reduce(0, +)
            let weights = gammas.map { Float($0 / total) }
            let m = Float(g.nextBeta(alpha, alpha))
            var mix = [Float](repeating: 0, count: image.count)
            for chain in 0..<width {
                var augmented = image
                let length = depth ?? (1 + g.nextInt(below: 3))
                for _ in 0..<length {
                    let op = operations[g.nextInt(below: operations.count)]
                    let level = uniform(0.1...Double(max(1, severity)), &g) / 10
                    augmented = op.apply(augmented, level: min(1, level), generator: &g)
                }
                for k in 0..<mix.count { mix[k] += weights[chain] * augmented.storage[k] }
            }
            var out = [Float](repeating: 0, count: image.count)
            for k in 0..<out.count { out[k] = (1 - m) * image.storage[k] + m * mix[k] }
            results.append(Tensor(shape: [1] + image.shape, storage: out))
        }
        return x.shape.count == 3 ? results[0].reshaped(x.shape) : Tensor.concatenate(results, axis: 0)
    }

    /// What AugMix training with the Jensen–Shannon consistency loss needs: the clean images
    /// and two independent AugMix views of them (all `[N, C, H, W]`).
    public static func augMixViews(_ x: Tensor, severity: Int = 3, width: Int = 3, depth: Int? = nil, alpha: Double = 1,
                                   operations: [AugMixOperation] = AugMixOperation.standard,
                                   generator g: inout RandomGenerator) -> (clean: Tensor, augmented1: Tensor, augmented2: Tensor) {
        let a = augMix(x, severity: severity, width: width, depth: depth, alpha: alpha, operations: operations, generator: &g)
        let b = augMix(x, severity: severity, width: width, depth: depth, alpha: alpha, operations: operations, generator: &g)
        return (x, a, b)
    }
}
