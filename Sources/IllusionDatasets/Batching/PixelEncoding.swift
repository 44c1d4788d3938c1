/// How stored `UInt8` pixels become `Float` values in a batch.
public enum PixelEncoding: Equatable, Sendable {
    /// `p / 255`, in [0, 1] (the default).
    case unitRange
    /// `p` unchanged, in [0, 255].
    case byteRange
    /// `2p/255 − 1`, in [−1, 1] (for tanh outputs, e.g. DCGAN).
    case symmetricRange
    /// 1 when `p / 255 > threshold`, else 0 (fixed binarization).
    case binarized(threshold: Float)
    /// Dynamic binarization: each pixel is a fresh Bernoulli(p / 255) draw every time a batch
    /// is made (so every epoch sees a different sample), seeded by the loader.
    case bernoulli

    /// Lookup table from byte to value for the deterministic encodings (nil for `.bernoulli`).
    var table: [Float]? {
        switch self {
        case .unitRange: return (0..<256).map { Float($0) / 255 }
        case .byteRange: return (0..<256).map { Float($0) }
        case .symmetricRange: return (0..<256).map { Float($0) * (2 / 255) - 1 }
        case let .binarized(threshold): return (0..<256).map { Float($0) / 255 > threshold ? 1 : 0 }
        case .bernoulli: return nil
        }
    }

    /// Converts `source` bytes into `destination` floats (same count).
    func encode(_ source: UnsafeBufferPointer<UInt8>, into destination: UnsafeMutableBufferPointer<Float>,
                generator: inout RandomGenerator) {
        if let table {
            table.withUnsafeBufferPointer { t in
                for i in 0..<source.count { destination[i] = t[Int(source[i])] }
            }
        } else {
            for i in 0..<source.count {
                // u < p/255 with u uniform in [0,1): P(1) = p/255 exactly (0 → never, 255 → always).
                destination[i] = generator.nextFloat() * 255 < Float(source[i]) ? 1 : 0
            }
        }
    }
}
