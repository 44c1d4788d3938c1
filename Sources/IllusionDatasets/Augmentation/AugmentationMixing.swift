/// A batch whose images and targets were mixed with a partner batch (Mixup, CutMix).
public struct MixedBatch {
    /// `[N, C, H, W]` mixed images.
    public let images: Tensor
    /// `[N, K]` soft targets: `λᵢ · yᵢ + (1 − λᵢ) · y_partner(i)`; every row sums to 1 when the
    /// inputs were one-hot (or any probability vectors).
    public let targets: Tensor
    /// `[N]` weight of each image's own content and label (for CutMix, the fraction of pixels
    /// not covered by the pasted box).
    public let lambdas: [Float]
    /// `[N]` the partner of each image (a seeded permutation of the batch).
    public let partners: [Int]
    /// The pasted box for CutMix (`top, left, height, width`), nil for Mixup.
    public let box: (top: Int, left: Int, height: Int, width: Int)?
}

extension Augmentation {
    /// `[labels.count, classCount]` one-hot rows.
    public static func oneHot(_ labels: [Int], classCount: Int) -> Tensor {
        var out = [Float](repeating: 0, count: labels.count * classCount)
        for (i, l) in labels.enumerated() {
            require(l >= 0 && l < classCount, "Augmentation.oneHot: label \(l) not in 0..<\(classCount)")
            out[i * classCount + l] = 1
        }
        return Tensor(shape: [labels.count, classCount], storage: out)
    }

    /// Mixup (Zhang et al. 2018): λ ~ Beta(α, α) once per batch, partners a random permutation;
    /// `x = λ xᵢ + (1 − λ) x_partner`, `y = λ yᵢ + (1 − λ) y_partner`.
    public static func mixup(_ images: Tensor, labels: [Int], classCount: Int, alpha: Double = 0.2,
                             generator g: inout RandomGenerator) -> MixedBatch {
        mixup(images, targets: oneHot(labels, classCount: classCount), alpha: alpha, generator: &g)
    }

    /// Mixup with soft targets `[N, K]`.
    public static func mixup(_ images: Tensor, targets: Tensor, alpha: Double = 0.2,
                             generator g: inout RandomGenerator) -> MixedBatch {
        let (n, c, h, w) = geometry(images)
        require(images.shape.count == 4 && targets.shape.count == 2 && targets.shape[0] == n,
                     "Augmentation.mixup: images [N, C, H, W] and targets [N, K] expected, got \(images.shape), \(targets.shape)")
        let lambda = Float(alpha > 0 ? g.nextBeta(alpha, alpha) : 1)
        let partners = g.permutation(n)
        let size = c * h * w
        var mixed = [Float](repeating: 0, count: images.count)
        for i in 0..<n {
            let j = partners[i]
            for k in 0..<size { mixed[i * size + k] = lambda * images.storage[i * size + k] + (1 - lambda) * images.storage[j * size + k] }
        }
        return MixedBatch(images: Tensor(shape: images.shape, storage: mixed),
                          targets: mixTargets(targets, partners: partners, lambdas: Array(repeating: lambda, count: n)),
                          lambdas: Array(repeating: lambda, count: n), partners: partners, box: nil)
    }

    /// CutMix (Yun et al. 2019): λ ~ Beta(α, α); one box of area `(1 − λ)·H·W` (sides
    /// `H√(1−λ)`, `W√(1−λ)`, centre uniform, clipped to the image) is cut from each image's partner and
    /// pasted over it. The label weight is then recomputed from the box actually pasted:
    /// `λ = 1 − boxArea / (H·W)`, so targets match the pixel fractions exactly.
    public static func cutmix(_ images: Tensor, labels: [Int], classCount: Int, alpha: Double = 1,
                              generator g: inout RandomGenerator) -> MixedBatch {
        cutmix(images, targets: oneHot(labels, classCount: classCount), alpha: alpha, generator: &g)
    }

    /// CutMix with soft targets `[N, K]`.
    public static func cutmix(_ images: Tensor, targets: Tensor, alpha: Double = 1,
                              generator g: inout RandomGenerator) -> MixedBatch {
        let (n, c, h, w) = geometry(images)
        require(images.shape.count == 4 && targets.shape.count == 2 && targets.shape[0] == n,
                     "Augmentation.cutmix: images [N, C, H, W] and targets [N, K] expected, got \(images.shape), \(targets.shape)")
        let sampled = alpha > 0 ? g.nextBeta(alpha, alpha) : 1
        let cut = (1 - sampled).squareRoot()
        let bh = Int((Double(h) * cut).rounded()), bw = Int((Double(w) * cut).rounded())
        let cy = g.nextInt(below: h), cx = g.nextInt(below: w)
        let y0 = min(max(cy - bh / 2, 0), h), y1 = min(max(cy - bh / 2 + bh, 0), h)
        let x0 = min(max(cx - bw / 2, 0), w), x1 = min(max(cx - bw / 2 + bw, 0), w)
        let partners = g.permutation(n)
        let size = c * h * w, plane = h * w
        var mixed = images.storage
        for i in 0..<n {
            let j = partners[i]
            for ch in 0..<c { for y in y0..<y1 { for x in x0..<x1 {
                mixed[i * size + ch * plane + y * w + x] = images.storage[j * size + ch * plane + y * w + x]
            } } }
        }
        let lambda = 1 - Float((y1 - y0) * (x1 - x0)) / Float(plane)
        let lambdas = Array(repeating: lambda, count: n)
        return MixedBatch(images: Tensor(shape: images.shape, storage: mixed),
                          targets: mixTargets(targets, partners: partners, lambdas: lambdas),
                          lambdas: lambdas, partners: partners, box: (y0, x0, y1 - y0, x1 - x0))
    }

    static func mixTargets(_ targets: Tensor, partners: [Int], lambdas: [Float]) -> Tensor {
        let k = targets.shape[1]
        var out = [Float](repeating: 0, count: targets.count)
        for i in 0..<partners.count {
            for j in 0..<k {
                out[i * k + j] = lambdas[i] * targets.storage[i * k + j] + (1 - lambdas[i]) * targets.storage[partners[i] * k + j]
            }
        }
        return Tensor(shape: targets.shape, storage: out)
    }
}
