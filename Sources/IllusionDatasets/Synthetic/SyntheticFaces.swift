import Foundation

/// A seeded generator of RGB cartoon faces with known attributes, the colour-face stand-in for
/// CelebA when it is absent. Attribute columns use CelebA's names (``attributeNames``), so the
/// same attribute-vector tooling (e.g. "smiling minus not smiling" in latent space) works on both.
///
/// Face `i` of a dataset depends only on `(seed, i)`, not on `count` or on thread scheduling.
/// Default size 64×64 (any size ≥ 8 works; the drawing is resolution-independent).
public enum SyntheticFaces {
    /// Attribute columns, in the order of ``SyntheticFaceAttributes/attributeVector``.
    public static let attributeNames = [
        "Smiling", "Eyeglasses", "Bangs", "Black_Hair", "Blond_Hair", "Brown_Hair", "Gray_Hair", "Bald",
        "Pale_Skin", "Chubby", "Mouth_Slightly_Open",
    ]

    /// The attributes of face `index` for `seed`.
    public static func attributes(index: Int, seed: UInt64) -> SyntheticFaceAttributes {
        var g = BatchOrder.generatorFor(seed: seed, epoch: -7, batch: index)
        return SyntheticFaceAttributes.random(&g)
    }

    /// One face as interleaved RGB bytes `[size, size, 3]` (HWC, for ``Imaging/PixelImage``).
    public static func renderInterleaved(_ attributes: SyntheticFaceAttributes, size: Int = 64) -> [UInt8] {
        SyntheticFaceRenderer.render(attributes, size: max(1, size))
    }

    /// `count` faces as an ``ImageDataset`` `[count, 3, size, size]` with the attribute matrix;
    /// labels are all 0 (use ``ImageDataset/labeled(byAttribute:)``). Rendering uses every core.
    public static func dataset(count: Int, size: Int = 64, seed: UInt64 = 0,
                               threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws -> ImageDataset {
        guard count >= 0, size >= 8, size <= 4096 else {
            throw DatasetError.invalidArgument("synthetic faces need count ≥ 0 and size in 8...4096, got \(count) and \(size)")
        }
        let plane = size * size, imageSize = 3 * plane, a = attributeNames.count
        var images = [UInt8](repeating: 0, count: count * imageSize)
        var attributes = [Bool](repeating: false, count: count * a)
        let workers = max(1, min(threads, count))
        images.withUnsafeMutableBufferPointer { img in
            attributes.withUnsafeMutableBufferPointer { att in
                let imageBase = img.baseAddress, attributeBase = att.baseAddress
                DispatchQueue.concurrentPerform(iterations: workers) { worker in
                    for i in stride(from: worker, to: count, by: workers) {
                        let face = Self.attributes(index: i, seed: seed)
                        let hwc = SyntheticFaceRenderer.render(face, size: size)
                        let dst = imageBase! + i * imageSize
                        for p in 0..<plane {
                            dst[p] = hwc[3 * p]; dst[plane + p] = hwc[3 * p + 1]; dst[2 * plane + p] = hwc[3 * p + 2]
                        }
                        for (j, v) in face.attributeVector.enumerated() { attributeBase![i * a + j] = v }
                    }
                }
            }
        }
        return ImageDataset(name: "Synthetic faces", channels: 3, height: size, width: size, images: images,
                            labels: Array(repeating: 0, count: count), attributeNames: attributeNames,
                            attributes: attributes)
    }
}
