import Foundation

/// Conditioning augmentation (Zhang et al. 2017, StackGAN Stage-I): the condition c (one-hot class or
/// attribute vector, `[N, conditionDim]`) goes through one Dense layer to (μ, ln σ²), each `[N, augmentedDim]`,
/// and the generator receives ĉ = μ + σ·ε with ε ~ N(0, I) — a smooth neighbourhood of conditions instead
/// of one point, regularised towards N(0, I) by λ·KL(N(μ, σ²) ‖ N(0, I)) in the generator's loss.
///
/// State dict: `fc.weight [2·augmentedDim, conditionDim]`, `fc.bias` — rows 0..<augmentedDim give μ,
/// the rest ln σ². (StackGAN's code puts a ReLU after the Dense layer; we keep μ and ln σ² affine in c.)
public final class ConditioningAugmentation: Layer {
    public let conditionDim: Int
    public let augmentedDim: Int
    public let fc: Dense
    public var isTraining = true

    public init(conditionDim: Int, augmentedDim: Int, rng: inout RandomGenerator) {
        self.conditionDim = conditionDim
        self.augmentedDim = augmentedDim
        fc = Dense(conditionDim, 2 * augmentedDim, rng: &rng)
    }

    public var children: [(name: String, layer: Layer)] { [("fc", fc)] }

    public var summaryName: String { "ConditioningAugmentation(\(conditionDim) → μ, ln σ² ∈ ℝ^\(augmentedDim))" }

    /// (μ, ln σ²) for conditions `[N, conditionDim]`.
    public func gaussian(_ condition: Tensor) -> (mean: Tensor, logVariance: Tensor) {
        let h = fc(condition)
        return (h.narrowed(axis: 1, start: 0, length: augmentedDim), h.narrowed(axis: 1, start: augmentedDim, length: augmentedDim))
    }

    /// ĉ = μ + σ·ε (reparameterised, so gradients reach the Dense layer) with μ, ln σ².
    public func augment(_ condition: Tensor, rng: inout RandomGenerator) -> (sample: Tensor, mean: Tensor, logVariance: Tensor) {
        let (mu, logVar) = gaussian(condition)
        // Data-parallel: ε of the global batch, this rank's rows of it (BatchShard).
        let eps = BatchShard.current.map { $0.draw(mu.shape) { Tensor.normal($0, rng: &rng) } } ?? Tensor.normal(mu.shape, rng: &rng)
        return (mu + (logVar * 0.5).exp() * eps, mu, logVar)
    }

    /// The μ part only (no noise) `[N, augmentedDim]`.
    public func forward(_ x: Tensor) -> Tensor { gaussian(x).mean }

    /// KL(N(μ, σ²) ‖ N(0, I)) summed over the augmented dimensions, mean over the batch (nats).
    public static func klDivergence(mean: Tensor, logVariance: Tensor) -> Tensor {
        klDivergenceToStandardNormal(mean: mean, logVariance: logVariance, reduction: .mean)
    }
}

/// Turning dataset labels/attributes into condition vectors, and the mismatched conditions a
/// matching-aware discriminator must reject.
public enum GANConditions {
    /// One-hot rows `[labels.count, classes]`.
    public static func oneHot(_ labels: [Int], classes: Int) -> Tensor {
        var v = [Float](repeating: 0, count: labels.count * classes)
        for (i, l) in labels.enumerated() {
            require(l >= 0 && l < classes, "GANConditions.oneHot: label \(l) outside 0..<\(classes)")
            v[i * classes + l] = 1
        }
        return Tensor(shape: [labels.count, classes], storage: v)
    }

    /// The conditions of dataset images `indices` for a model of `config`.
    public static func conditions(_ data: ImageDataset, indices: [Int], config: GANModelConfig) -> Tensor {
        config.conditionKind == "class" ? oneHot(indices.map { data.labels[$0] }, classes: config.conditionDim)
                                        : data.attributeMatrix(at: indices)
    }

    /// Wrong conditions for a batch: for one-hot classes a uniformly drawn *different* class per row;
    /// for attribute vectors the row's own attributes with one uniformly chosen attribute flipped.
    /// A single flip is the hardest mismatch: another image's attributes usually differ in hair
    /// colour, which D can see at a glance, so D would never have to look at a mouth to reject a
    /// wrong Smiling — and G would never learn to draw it. Every flipped row is wrong for its image.
    public static func mismatched(_ conditions: Tensor, kind: String?, rng: inout RandomGenerator) -> Tensor {
        let n = conditions.shape[0], d = conditions.shape[1]
        var out = conditions.storage
        if kind == "class" && d > 1 {
            for i in 0..<n {
                let row = Array(conditions.storage[(i * d)..<((i + 1) * d)])
                let label = row.firstIndex(of: 1) ?? 0
                let wrong = (label + 1 + rng.nextInt(below: d - 1)) % d
                for j in 0..<d { out[i * d + j] = 0 }
                out[i * d + wrong] = 1
            }
        } else {
            for i in 0..<n {
                let j = i * d + rng.nextInt(below: d)
                out[j] = out[j] > 0.5 ? 0 : 1
            }
        }
        return Tensor(shape: [n, d], storage: out)
    }

    /// Parses `--condition` for a run: a class name or index (`Trouser`, `1`) for class runs; for attribute
    /// runs a comma list of attribute names that are on (`Smiling,Eyeglasses`), `name=0/1` pairs, or `none`.
    public static func parse(_ text: String, config: GANModelConfig) throws -> [Float] {
        let names = config.conditionNames
        if config.conditionKind == "class" {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            let index = Int(trimmed) ?? names.firstIndex { $0.lowercased() == trimmed.lowercased() }
            guard let index, index >= 0, index < config.conditionDim else {
                throw ModelError.invalidArgument("--condition '\(text)': expected a class index 0…\(config.conditionDim - 1) or a name (\(names.joined(separator: ", ")))")
            }
            var v = [Float](repeating: 0, count: config.conditionDim); v[index] = 1
            return v
        }
        var v = [Float](repeating: 0, count: config.conditionDim)
        if text.lowercased() == "none" { return v }
        for part in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !part.isEmpty {
            let pieces = part.split(separator: "=").map(String.init)
            guard let j = names.firstIndex(where: { $0.lowercased() == pieces[0].lowercased() }) else {
                throw ModelError.invalidArgument("--condition: unknown attribute '\(pieces[0])' (expected some of \(names.joined(separator: ", ")))")
            }
            let on = pieces.count < 2 || ["1", "true", "yes", "on"].contains(pieces[1].lowercased())
            v[j] = on ? 1 : 0
        }
        return v
    }
}
