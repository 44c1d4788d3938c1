import Foundation

/// `illusion augment`: a preview grid of augmentations — the first row holds the original test
/// images, each further row one named op applied to them (seeded, so the picture is reproducible).
public enum AugmentationPreview {
    /// Op names the CLI accepts, in the order `--ops all` shows them.
    public static let operationNames = ["flip", "vflip", "rotate", "crop", "jitter", "noise", "affine", "elastic",
                                        "erasing", "cutout", "mixup", "cutmix", "augmix"]

    /// Applies op `name` to a batch `[N, C, H, W]` in [0, 1]; `labels` are used by mixup/cutmix.
    public static func apply(_ name: String, to x: Tensor, labels: [Int], classCount: Int,
                             generator g: inout RandomGenerator) throws -> Tensor {
        let h = x.shape[2], w = x.shape[3]
        switch name {
        case "flip": return Augmentation.horizontalFlip(x)
        case "vflip": return Augmentation.verticalFlip(x)
        case "rotate": return Augmentation.randomRotation(x, maxDegrees: 30, generator: &g)
        case "crop": return Augmentation.randomResizedCrop(x, outputHeight: h, outputWidth: w, scale: 0.5...1, generator: &g)
        case "jitter": return Augmentation.colorJitter(x, brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1, generator: &g)
        case "noise": return Augmentation.gaussianNoise(x, standardDeviation: 0.1, clamp: true, generator: &g)
        case "affine": return Augmentation.randomAffine(x, degrees: 15, translate: 0.1, scale: 0.85...1.15, shear: 10, generator: &g)
        case "elastic": return Augmentation.elastic(x, alpha: 8, sigma: 3, generator: &g)
        case "erasing": return Augmentation.randomErasing(x, probability: 1, generator: &g)
        case "cutout": return Augmentation.cutout(x, size: max(1, h / 3), generator: &g)
        case "mixup": return Augmentation.mixup(x, labels: labels, classCount: classCount, alpha: 0.4, generator: &g).images
        case "cutmix": return Augmentation.cutmix(x, labels: labels, classCount: classCount, alpha: 1, generator: &g).images
        case "augmix": return Augmentation.augMix(x, generator: &g)
        default:
            throw ModelError.invalidArgument("--ops: unknown augmentation '\(name)' (expected \(operationNames.joined(separator: ", ")) or all)")
        }
    }

    /// The preview grid for `count` test images of `dataset` and the ops `names`.
    public static func grid(dataset: ImageDataset, names: [String], count: Int, seed: UInt64) throws -> PixelImage {
        guard count >= 1 && count <= min(64, dataset.count) else {
            throw ModelError.invalidArgument("--count must be in 1…\(min(64, dataset.count)), got \(count)")
        }
        let indices = Array(0..<count)
        let x = dataset.floatImages(at: indices)
        let labels = indices.map { dataset.labels[$0] }
        let classCount = max(dataset.classNames.count, (labels.max() ?? 0) + 1)
        var g = RandomGenerator(seed: seed)
        var rows = [x], rowLabels = ["original"]
        for name in names {
            rows.append(try apply(name, to: x, labels: labels, classCount: classCount, generator: &g).clamp(min: 0, max: 1))
            rowLabels.append(name)
        }
        return try ImageGrid.make(tensor: noGrad { Tensor.concatenate(rows, axis: 0) }, columns: count, padding: 2,
                                  rowLabels: rowLabels, scale: dataset.height <= 32 ? 2 : 1)
    }
}
