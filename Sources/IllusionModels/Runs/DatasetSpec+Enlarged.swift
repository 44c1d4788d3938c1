import Foundation

extension DatasetSpec {
    /// The factor k by which 28×28 IDX images (Fashion-MNIST, MNIST) are enlarged when the spec asks
    /// for side k·28, k ≥ 2 (StackGAN Stage-II's 56 on Fashion-MNIST); nil for every other spec.
    public var idxEnlargement: Int? {
        guard ["fashion-mnist", "mnist"].contains(name), !padTo32, imageSize > 28, imageSize % 28 == 0 else { return nil }
        return imageSize / 28
    }

    /// `data` with every image enlarged ×`k` by ``resizeBilinear(_:scaleFactor:)`` (PyTorch's bilinear,
    /// align_corners false), rounded back to bytes; labels, names and encoding kept. There are no
    /// larger originals to learn from: Stage-II on Fashion-MNIST learns the smooth ×2 of real images.
    static func enlarged(_ data: ImageDataset, by k: Int) -> ImageDataset {
        let c = data.channels, h = data.height, w = data.width, side = h * k * w * k * c
        var bytes = [UInt8](repeating: 0, count: data.count * side)
        var start = 0
        while start < data.count {   // in chunks: 60,000 enlarged Float images would not fit comfortably
            let end = min(data.count, start + 1000)
            let x = data.floatImages(at: Array(start..<end), encoding: .unitRange)   // [b, C, H, W] in [0, 1]
            let y = resizeBilinear(x, scaleFactor: k).storage
            for (i, v) in y.enumerated() { bytes[start * side + i] = UInt8(max(0, min(255, (v * 255).rounded()))) }
            start = end
        }
        return ImageDataset(name: data.name, channels: c, height: h * k, width: w * k, images: bytes, labels: data.labels,
                            classNames: data.classNames, attributeNames: data.attributeNames, attributes: data.attributes,
                            defaultEncoding: data.defaultEncoding)
    }
}
