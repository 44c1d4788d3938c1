import Foundation

/// A small binary CNN that says whether an image has an attribute (e.g. `Smiling`), trained on
/// labelled faces. It judges the smile vector: what fraction of decoded faces it calls smiling
/// before and after the attribute direction is added.
///
/// Layers: Conv 3→16 (3×3, s2, p1) → ReLU → Conv 16→32 (s2) → ReLU → Conv 32→32 (s2) → ReLU →
/// flatten → Dense → 1 logit. Trained with Adam on BCE-from-logits.
public final class AttributeJudge {
    public let network: Sequential
    public let attribute: String
    public private(set) var testAccuracy: Double = 0

    public init(attribute: String, channels: Int, imageSize: Int, seed: UInt64 = 0) {
        var rng = RandomGenerator(seed: seed)
        let s = (imageSize + 7) / 8
        network = Sequential([
            Conv2D(channels, 16, kernelSize: 3, stride: 2, padding: 1, rng: &rng), ReLU(),
            Conv2D(16, 32, kernelSize: 3, stride: 2, padding: 1, rng: &rng), ReLU(),
            Conv2D(32, 32, kernelSize: 3, stride: 2, padding: 1, rng: &rng), ReLU(),
            Flatten(), Dense(32 * s * s, 1, rng: &rng),
        ])
        self.attribute = attribute
    }

    /// Trains on `train` labelled by the attribute and measures accuracy on `test`.
    public func train(on train: ImageDataset, test: ImageDataset, epochs: Int = 3, batchSize: Int = 64, seed: UInt64 = 0) throws {
        let trainLabels = try train.attributeColumn(named: attribute)
        let testLabels = try test.attributeColumn(named: attribute)
        let optimizer = Adam(parameters: network.parameters, learningRate: 1e-3)
        var rng = RandomGenerator(seed: seed)
        network.setTraining(true)
        for _ in 0..<epochs {
            let order = rng.permutation(train.count)
            var start = 0
            while start + batchSize <= train.count {
                let idx = Array(order[start..<(start + batchSize)])
                let x = train.floatImages(at: idx)
                let y = Tensor(shape: [batchSize, 1], storage: idx.map { trainLabels[$0] ? 1 : 0 })
                let loss = binaryCrossEntropyWithLogits(network(x), y, reduction: .mean)
                optimizer.zeroGrad()
                loss.backward()
                optimizer.step()
                start += batchSize
            }
        }
        network.setTraining(false)
        let predicted = probabilities(test.floatImages(at: Array(0..<test.count)))
        testAccuracy = Double(zip(predicted, testLabels).filter { ($0.0 > 0.5) == $0.1 }.count) / Double(max(test.count, 1))
    }

    /// P(attribute | image) for a batch `[N, C, H, W]`.
    public func probabilities(_ images: Tensor) -> [Float] {
        noGrad {
            var out: [Float] = []
            var start = 0
            while start < images.shape[0] {
                let n = min(256, images.shape[0] - start)
                out += network(images.batch(start..<(start + n))).sigmoid().storage
                start += n
            }
            return out
        }
    }
}

/// The "smile vector" experiment of the seed slides, measured.
public struct AttributeVectorResult: Codable {
    public var attribute: String
    public var imagesWith: Int
    public var imagesWithout: Int
    /// Test images lacking the attribute that were edited.
    public var edited: Int
    public var scale: Double
    /// Fraction of decoded faces the judge calls positive without / with the vector added.
    public var fractionBefore: Double
    public var fractionAfter: Double
    public var judgeTestAccuracy: Double
    /// Seed of the judge CNN's initialisation and batch order (the figure depends on it: report several).
    public var judgeSeed: UInt64
    public var vectorNorm: Double

    enum CodingKeys: String, CodingKey {
        case attribute, imagesWith = "images_with", imagesWithout = "images_without", edited, scale
        case fractionBefore = "fraction_before", fractionAfter = "fraction_after"
        case judgeTestAccuracy = "judge_test_accuracy", judgeSeed = "judge_seed", vectorNorm = "vector_norm"
    }
}

public enum AttributeVectorExperiment {
    /// Computes the attribute direction on training images, adds `scale`·v to test images that
    /// lack the attribute, and judges the decoded faces. Writes a grid to `out` (one row per
    /// face, columns = increasing multiples of v). `judgeSeed` seeds the judge CNN (its weights and
    /// batch order); the VAE and the vector do not depend on it.
    public static func run(_ vae: VAERun, attribute: String, scale: Double = 1.5, steps: Int = 7, rows: Int = 8,
                           edited: Int = 500, judgeSeed: UInt64 = 0, out: String) throws -> AttributeVectorResult {
        let data = try vae.config.dataset.load()
        guard !data.train.attributeNames.isEmpty else {
            throw ModelError.invalidArgument("--run \(vae.folder.path): the \(vae.config.dataset.name) dataset has no attributes (use celeba or faces-synthetic)")
        }
        let model = vae.model
        let (v, nWith, nWithout) = try VAEExplorer.attributeVector(model, data.train, attribute: attribute)
        let lacking = try data.test.attributeColumn(named: attribute).enumerated().filter { !$0.element }.map(\.offset)
        guard !lacking.isEmpty else { throw ModelError.invalidArgument("--attribute \(attribute): every test image has it") }
        let d = model.config.latentDim
        // the picture
        let shown = Array(lacking.prefix(rows))
        let muShown = VAEExplorer.encodeMeans(model, data.test, indices: shown)
        var z: [Float] = []
        for r in 0..<shown.count {
            for s in 0..<steps {
                let a = Float(scale) * Float(s) / Float(max(steps - 1, 1))
                for j in 0..<d { z.append(muShown.storage[r * d + j] + a * v[j]) }
            }
        }
        let images = VAEExplorer.decodeInBatches(model, Tensor(shape: [shown.count * steps, d], storage: z))
        let labels = (0..<steps).map { String(format: "+%.2fv", scale * Double($0) / Double(max(steps - 1, 1))) }
        try ImageGrid.make(tensor: images, columns: steps, padding: 2, columnLabels: labels,
                           scale: VAEPictures.scale(for: model.config.imageSize)).writePNG(to: out)
        // the measurement
        let judge = AttributeJudge(attribute: attribute, channels: model.config.channels, imageSize: model.config.imageSize,
                                   seed: judgeSeed)
        try judge.train(on: data.train.subset(Array(0..<min(data.train.count, 8000))), test: data.test, seed: judgeSeed)
        let chosen = Array(lacking.prefix(edited))
        let mu = VAEExplorer.encodeMeans(model, data.test, indices: chosen)
        var shifted = mu.storage
        for r in 0..<chosen.count { for j in 0..<d { shifted[r * d + j] += Float(scale) * v[j] } }
        let before = judge.probabilities(VAEExplorer.decodeInBatches(model, mu))
        let after = judge.probabilities(VAEExplorer.decodeInBatches(model, Tensor(shape: mu.shape, storage: shifted)))
        return AttributeVectorResult(
            attribute: attribute, imagesWith: nWith, imagesWithout: nWithout, edited: chosen.count, scale: scale,
            fractionBefore: Double(before.filter { $0 > 0.5 }.count) / Double(chosen.count),
            fractionAfter: Double(after.filter { $0 > 0.5 }.count) / Double(chosen.count),
            judgeTestAccuracy: judge.testAccuracy, judgeSeed: judgeSeed,
            vectorNorm: Double(v.reduce(0) { $0 + $1 * $1 }.squareRoot()))
    }
}
