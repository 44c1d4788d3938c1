import Foundation

/// Latent-space operations on a trained VAE: sampling, encoding, interpolation, attribute vectors.
public enum VAEExplorer {
    /// z ~ N(0, I) from `seed`, decoded: (z `[count, D]`, images `[count, C, H, W]` in [0, 1]).
    public static func sample(_ model: VariationalAutoencoder, count: Int, seed: UInt64) -> (z: Tensor, images: Tensor) {
        var rng = RandomGenerator(seed: seed)
        let z = Tensor.normal([count, model.config.latentDim], rng: &rng)
        return (z, decodeInBatches(model, z))
    }

    /// Posterior means μ(x) of `indices` of `dataset` → `[n, D]`.
    public static func encodeMeans(_ model: VariationalAutoencoder, _ dataset: ImageDataset, indices: [Int], batchSize: Int = 250) -> Tensor {
        let wasTraining = model.isTraining
        model.setTraining(false)
        defer { model.setTraining(wasTraining) }
        var parts: [Tensor] = []
        noGrad {
            var start = 0
            while start < indices.count {
                let chunk = Array(indices[start..<min(start + batchSize, indices.count)])
                parts.append(model.encode(dataset.floatImages(at: chunk)).mean)
                start += chunk.count
            }
        }
        return parts.count == 1 ? parts[0] : noGrad { Tensor.concatenate(parts, axis: 0) }
    }

    /// Decodes z `[n, D]` in evaluation mode without the tape.
    public static func decodeInBatches(_ model: VariationalAutoencoder, _ z: Tensor, batchSize: Int = 250) -> Tensor {
        let wasTraining = model.isTraining
        model.setTraining(false)
        defer { model.setTraining(wasTraining) }
        return noGrad {
            var parts: [Tensor] = []
            var start = 0
            while start < z.shape[0] {
                let n = min(batchSize, z.shape[0] - start)
                parts.append(model.decode(z.batch(start..<(start + n))))
                start += n
            }
            return parts.count == 1 ? parts[0] : Tensor.concatenate(parts, axis: 0)
        }
    }

    /// Points between a and b: linear (1−t)a + tb, or spherical
    /// slerp(a, b; t) = sin((1−t)Ω)/sin Ω · a + sin(tΩ)/sin Ω · b with cos Ω = â·b̂.
    public static func interpolate(_ a: [Float], _ b: [Float], steps: Int, spherical: Bool) -> [[Float]] {
        (0..<steps).map { s in
            let t = Float(s) / Float(max(steps - 1, 1))
            if !spherical { return zip(a, b).map { (1 - t) * $0 + t * $1 } }
            let na = a.reduce(0) { $0 + $1 * $1 }.squareRoot(), nb = b.reduce(0) { $0 + $1 * $1 }.squareRoot()
            let cosOmega = max(-1, min(1, zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } / max(na * nb, 1e-12)))
            let omega = acos(cosOmega)
            if omega < 1e-4 { return zip(a, b).map { (1 - t) * $0 + t * $1 } }
            let wa = sin((1 - t) * omega) / sin(omega), wb = sin(t * omega) / sin(omega)
            return zip(a, b).map { wa * $0 + wb * $1 }
        }
    }

    /// The attribute direction mean(z | attribute) − mean(z | not attribute) over posterior means.
    public static func attributeVector(_ model: VariationalAutoencoder, _ dataset: ImageDataset, attribute: String,
                                       limit: Int = 5000) throws -> (vector: [Float], with: Int, without: Int) {
        let column = try dataset.attributeColumn(named: attribute)
        let indices = Array(0..<min(limit, dataset.count))
        let mu = encodeMeans(model, dataset, indices: indices)
        let d = model.config.latentDim
        var sumWith = [Double](repeating: 0, count: d), sumWithout = [Double](repeating: 0, count: d)
        var nWith = 0, nWithout = 0
        for (r, i) in indices.enumerated() {
            if column[i] { nWith += 1; for j in 0..<d { sumWith[j] += Double(mu.storage[r * d + j]) } }
            else { nWithout += 1; for j in 0..<d { sumWithout[j] += Double(mu.storage[r * d + j]) } }
        }
        guard nWith > 0 && nWithout > 0 else {
            throw ModelError.invalidArgument("--attribute \(attribute): needs images with and without it (found \(nWith) with, \(nWithout) without)")
        }
        let v = (0..<d).map { Float(sumWith[$0] / Double(nWith) - sumWithout[$0] / Double(nWithout)) }
        return (v, nWith, nWithout)
    }
}
