import Foundation

/// Penultimate-layer features of our own Fashion-MNIST CNN classifier (`illusion train cnn`): the
/// activations after the ReLU of its hidden Dense layer (`denseUnits` values, before dropout and the
/// class logits). Input: `[N, 1, 28, 28]` in [0, 1]; 32×32 images (the padded VAE) are centre-cropped.
public struct FMNISTFeatureExtractor {
    public let config: CNNConfig
    public let network: Sequential
    /// The layers up to and including the penultimate ReLU.
    public let features: Sequential
    public let source: String

    /// Opens a CNN run folder (config.json kind `cnn` and model.safetensors).
    public init(classifierRun path: String) throws {
        let folder = RunFolder(path: path)
        try folder.requireExisting()
        let kind = try folder.readJSON(RunKind.self, from: "config.json").kind
        guard kind == "cnn" else {
            throw ModelError.invalidRun("--fd-classifier \(path): this is a \(kind) run, not a CNN classifier run (train one with `illusion train cnn`)")
        }
        let run = try folder.readJSON(CNNRunConfig.self, from: "config.json")
        guard run.model.channels == 1, run.model.imageSize == 28 else {
            throw ModelError.invalidRun("--fd-classifier \(path): FD-FMNIST needs a 1×28×28 classifier, this one takes \(run.model.channels)×\(run.model.imageSize)×\(run.model.imageSize)")
        }
        var rng = RandomGenerator(seed: 0)
        network = CNNClassifier.make(run.model, rng: &rng)
        try Checkpoint.load(network, from: folder.modelPath)
        network.setTraining(false)
        config = run.model
        // Drop Dropout and the final Dense: what remains ends in the hidden Dense's ReLU.
        features = Sequential(Array(network.layers.dropLast(2)))
        features.setTraining(false)
        source = path
    }

    /// Feature rows `[N, d]` (row-major) for images `[N, 1, 28|32, 28|32]` in [0, 1].
    public func extract(_ images: Tensor, batchSize: Int = 500) -> (values: [Float], columns: Int) {
        let x = FDFMNIST.classifierInput(images)
        var out: [Float] = []
        var columns = 0
        noGrad {
            var start = 0
            while start < x.shape[0] {
                let end = min(x.shape[0], start + batchSize)
                let f = features(x.batch(start..<end))
                columns = f.count / (end - start)
                out += f.storage
                start = end
            }
        }
        return (out, columns)
    }

    /// The classifier's predicted class index for each image `[N, 1, 28|32, 28|32]` in [0, 1].
    public func predictedClasses(_ images: Tensor, batchSize: Int = 500) -> [Int] {
        let x = FDFMNIST.classifierInput(images)
        var out: [Int] = []
        noGrad {
            var start = 0
            while start < x.shape[0] {
                let end = min(x.shape[0], start + batchSize)
                let logits = network(x.batch(start..<end))
                let k = logits.shape[1]
                for row in 0..<(end - start) {
                    let r = logits.storage[(row * k)..<((row + 1) * k)]
                    out.append(r.indices.max { r[$0] < r[$1] }! - row * k)
                }
                start = end
            }
        }
        return out
    }
}

/// "FD-FMNIST": the Fréchet distance between Gaussians fitted to our Fashion-MNIST CNN's penultimate
/// features of generated and of real test images. Same formula as FID, but *not* FID — the features
/// come from our small classifier, not Inception-v3, so values are comparable only with each other.
public enum FDFMNIST {
    /// Default number of generated and real images (the whole Fashion-MNIST test split).
    public static let defaultCount = 10_000

    /// `[N, 1, S, S]` in [0, 1] → `[N, 1, 28, 28]` (centre crop for S > 28).
    public static func classifierInput(_ images: Tensor) -> Tensor {
        require(images.rank == 4 && images.shape[1] == 1 && images.shape[2] >= 28 && images.shape[3] >= 28,
                     "FD-FMNIST: expected grey images [N, 1, ≥28, ≥28], got \(images.shape)")
        let h = images.shape[2], w = images.shape[3]
        if h == 28 && w == 28 { return images }
        return noGrad {
            images.narrowed(axis: 2, start: (h - 28) / 2, length: 28).narrowed(axis: 3, start: (w - 28) / 2, length: 28)
        }
    }

    /// The first `count` Fashion-MNIST test images `[count, 1, 28, 28]` in [0, 1].
    public static func referenceImages(count: Int, directory: String = FashionMNIST.defaultDirectory) throws -> Tensor {
        let test = try FashionMNIST.load(.test, directory: directory, options: IDXImageOptions(padding: 0, limit: count))
        return test.floatImages(at: Array(0..<min(count, test.count)), encoding: .unitRange)
    }

    /// FD-FMNIST of `generated` (`[N, 1, 28|32, 28|32]` in [0, 1]) against `reference` images.
    public static func score(generated: Tensor, reference: Tensor, extractor: FMNISTFeatureExtractor) -> Double {
        let g = extractor.extract(generated), r = extractor.extract(reference)
        return FrechetDistance.distance(features: g.values, rows: generated.shape[0], r.values, rows: reference.shape[0], columns: g.columns)
    }

    /// The floor a generator is judged against: FD-FMNIST of the first `count` *training* images
    /// against the first `count` test images (two samples of the real distribution).
    public static func realBaseline(classifierRun: String, count: Int = defaultCount,
                                    directory: String = FashionMNIST.defaultDirectory,
                                    extractor opened: FMNISTFeatureExtractor? = nil) throws -> Double {
        let extractor = try opened ?? FMNISTFeatureExtractor(classifierRun: classifierRun)
        let train = try FashionMNIST.load(.train, directory: directory, options: IDXImageOptions(padding: 0, limit: count))
        let real = train.floatImages(at: Array(0..<min(count, train.count)), encoding: .unitRange)
        return score(generated: real, reference: try referenceImages(count: count, directory: directory), extractor: extractor)
    }

    /// FD-FMNIST of a VAE run (samples of z ~ N(0, I) decoded to the likelihood's mean), for `illusion eval`.
    public static func scoreVAE(run path: String, classifierRun: String, count: Int = defaultCount, seed: UInt64 = 1234,
                                extractor opened: FMNISTFeatureExtractor? = nil) throws -> Double {
        let vae = try VAERun(path: path)
        guard vae.config.model.channels == 1 else { throw ModelError.invalidArgument("FD-FMNIST needs a greyscale (Fashion-MNIST) run") }
        let extractor = try opened ?? FMNISTFeatureExtractor(classifierRun: classifierRun)
        let images = VAEExplorer.sample(vae.model, count: count, seed: seed).images
        return score(generated: images, reference: try referenceImages(count: count), extractor: extractor)
    }
}

/// `illusion eval` for GAN runs: sample diversity against the data's and, for Fashion-MNIST runs with a
/// CNN run folder, FD-FMNIST (`fd_fmnist`).
public enum GANEvaluation {
    /// FD-FMNIST of a greyscale GAN run's generator (`count` samples; class runs draw classes uniformly).
    public static func fdFMNIST(_ run: GANRun, classifierRun: String, count: Int = FDFMNIST.defaultCount, seed: UInt64 = 1234,
                                extractor opened: FMNISTFeatureExtractor? = nil) throws -> Double {
        let m = run.config.model
        guard m.channels == 1 else { throw ModelError.invalidArgument("FD-FMNIST needs a greyscale (Fashion-MNIST) run; this one has \(m.channels) channels") }
        let extractor = try opened ?? FMNISTFeatureExtractor(classifierRun: classifierRun)
        let images = judgedSamples(run, count: count, seed: seed)
        return FDFMNIST.score(generated: images, reference: try FDFMNIST.referenceImages(count: count), extractor: extractor)
    }

    /// For a class-conditional greyscale run: the fraction of `count` samples (class i mod K for
    /// sample i) that the CNN classifier assigns to the class they were drawn for — does the
    /// generator obey its condition? (The classifier's own test accuracy bounds what to expect.)
    public static func conditionAccuracy(_ run: GANRun, classifierRun: String, count: Int, seed: UInt64 = 1234,
                                         extractor opened: FMNISTFeatureExtractor? = nil) throws -> Double {
        let m = run.config.model
        guard m.isConditional, m.conditionKind == "class", m.channels == 1 else {
            throw ModelError.invalidArgument("condition accuracy needs a class-conditional greyscale GAN run")
        }
        let extractor = try opened ?? FMNISTFeatureExtractor(classifierRun: classifierRun)
        guard extractor.config.classCount == m.conditionDim else {
            throw ModelError.invalidArgument("--fd-classifier \(classifierRun) has \(extractor.config.classCount) classes, the run \(m.conditionDim)")
        }
        let predicted = extractor.predictedClasses(judgedSamples(run, count: count, seed: seed))
        let hits = predicted.enumerated().filter { $0.element == $0.offset % m.conditionDim }.count
        return Double(hits) / Double(max(1, count))
    }

    /// Does an attribute-conditioned generator obey one attribute? Trains an ``AttributeJudge`` on
    /// the run's data set, then draws `count` samples twice with the same noise and the attribute
    /// rows of test images — once with `attribute` on, once off, nothing else changed — and returns
    /// the fraction the judge calls positive in each. Only rows valid both ways are used (see
    /// ``flippableRows(_:column:seen:)``), so "off" never asks for e.g. an open smile without a smile.
    public static func attributeControl(_ run: GANRun, attribute: String, count: Int, seed: UInt64 = 1234,
                                        data loaded: (train: ImageDataset, test: ImageDataset)? = nil)
        throws -> (withAttribute: Double, withoutAttribute: Double, judgeTestAccuracy: Double) {
        let m = run.config.model
        let names = try judgedAttributes(attribute, config: m)
        guard names.count == 1, let column = m.conditionNames.firstIndex(of: names[0]) else {
            throw ModelError.invalidArgument("--judge-attribute \(attribute): name one attribute")
        }
        let data = try loaded ?? run.config.dataset.load()
        let judge = AttributeJudge(attribute: attribute, channels: m.channels, imageSize: m.imageSize, seed: seed)
        try judge.train(on: data.train, test: data.test)
        var g = RandomGenerator(seed: seed)
        let noise = Tensor.normal([count, m.noiseDim], rng: &g)
        let trainRows = data.train.attributeMatrix(at: Array(0..<data.train.count)).storage, d = m.conditionDim
        let seen = Set((0..<data.train.count).map { Array(trainRows[($0 * d)..<(($0 + 1) * d)]) })
        let valid = flippableRows(data.test.attributeMatrix(at: Array(0..<data.test.count)), column: column, seen: seen)
        guard !valid.isEmpty else {
            throw ModelError.invalidArgument("--judge-attribute \(attribute): no test image's attributes occur in the training set both with and without it")
        }
        let rows = Tensor(shape: [count, m.conditionDim], storage: (0..<count).flatMap { valid[$0 % valid.count] })
        func fractionJudgedPositive(_ value: Float) -> Double {
            var c = rows.storage
            for r in 0..<count { c[r * m.conditionDim + column] = value }
            let images = GANSampling.generate(run.gan.generator, noise: noise,
                                              conditions: Tensor(shape: rows.shape, storage: c), seed: seed)
            let p = judge.probabilities(noGrad { (images + 1) * 0.5 })
            return Double(p.filter { $0 > 0.5 }.count) / Double(max(1, count))
        }
        return (fractionJudgedPositive(1), fractionJudgedPositive(0), judge.testAccuracy)
    }

    /// The attributes `--judge-attribute` names: one name, a comma list, or `all` (every attribute of the run).
    public static func judgedAttributes(_ text: String, config m: GANModelConfig) throws -> [String] {
        guard m.isConditional, m.conditionKind == "attributes" else {
            throw ModelError.invalidArgument("--judge-attribute needs an attribute-conditioned GAN run (illusion train cgan on faces)")
        }
        if text.lowercased() == "all" { return m.conditionNames }
        let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !names.isEmpty else { throw ModelError.invalidArgument("--judge-attribute: no attribute named") }
        for name in names where !m.conditionNames.contains(name) {
            throw ModelError.invalidArgument("--judge-attribute \(name): the run's attributes are \(m.conditionNames.joined(separator: ", ")) (or all)")
        }
        return names
    }

    /// The rows of `matrix` `[N, d]` (0/1 attribute vectors) that stay real combinations — members of
    /// `seen`, the training set's rows — both with `column` set to 1 and set to 0, in their order.
    /// Flipping one attribute of a real row can make an impossible one (Smiling off while
    /// Mouth_Slightly_Open, which the synthetic faces only draw on a smile, stays on).
    static func flippableRows(_ matrix: Tensor, column: Int, seen: Set<[Float]>) -> [[Float]] {
        let d = matrix.shape[1]
        return (0..<matrix.shape[0]).compactMap { r in
            var on = Array(matrix.storage[(r * d)..<((r + 1) * d)]), off = on
            on[column] = 1; off[column] = 0
            return seen.contains(on) && seen.contains(off) ? on : nil
        }
    }

    /// `count` samples mapped from [−1, 1] to [0, 1]; conditions (if any): class i mod K, or attribute rows of
    /// the run's training images.
    public static func sampleUnitRange(_ run: GANRun, count: Int, seed: UInt64) -> Tensor {
        let m = run.config.model
        var g = RandomGenerator(seed: seed)
        let noise = Tensor.normal([count, m.noiseDim], rng: &g)
        var conditions: Tensor?
        if m.isConditional {
            if m.conditionKind == "class" {
                conditions = GANConditions.oneHot((0..<count).map { $0 % m.conditionDim }, classes: m.conditionDim)
            } else if let data = try? run.config.dataset.load().test {
                conditions = data.attributeMatrix(at: (0..<count).map { $0 % data.count })
            } else {
                conditions = Tensor.zeros([count, m.conditionDim])
            }
        }
        let images = GANSampling.generate(run.gan.generator, noise: noise, conditions: conditions, seed: seed)
        return noGrad { (images + 1) * 0.5 }
    }

    /// ``sampleUnitRange(_:count:seed:)`` at the 28×28 the Fashion-MNIST judge takes: a greyscale run
    /// of side k·28 (a one-stage cGAN trained on the ×k enlarged images, ``DatasetSpec/idxEnlargement``)
    /// is brought back by the bilinear ×1/k of StackGAN Stage-II's evaluation (the mean of each k×k
    /// block), so one-stage and two-stage generators at 56 are judged alike; 28×28 runs as drawn.
    public static func judgedSamples(_ run: GANRun, count: Int, seed: UInt64) -> Tensor {
        let images = sampleUnitRange(run, count: count, seed: seed)
        guard let k = run.config.dataset.idxEnlargement else { return images }
        return noGrad { resizeBilinear(images, downscaleFactor: k) }
    }

    /// The figures `illusion eval --run DIR --json` prints for a GAN run.
    public static func evaluate(run path: String, classifierRun: String?, judgeAttribute: String? = nil,
                                count: Int = FDFMNIST.defaultCount, seed: UInt64 = 1234) throws -> [String: Any] {
        let run = try GANRun(path: path)
        var out: [String: Any] = ["run": path, "kind": run.config.kind, "dataset": run.config.dataset.name]
        let probe = sampleUnitRange(run, count: min(count, 256), seed: seed)
        let real = try run.config.dataset.load().test
        let n = min(256, real.count)
        let check = ModeCollapse.DiversityCheck(generated: ModeCollapse.meanPairwiseDistance(noGrad { probe * 2 - 1 }),
                                                real: ModeCollapse.meanPairwiseDistance(real.floatImages(at: Array(0..<n), encoding: .symmetricRange)))
        out["diversity_ratio"] = check.ratio
        if let last = run.folder.readMetrics().last(where: { ($0["kind"] as? String) == "epoch" }) {
            for key in ["loss_d", "loss_g", "d_real", "d_fake", "epoch", "step"] { out[key] = last[key] }
        }
        if let judgeAttribute {
            // One judge per attribute; every attribute's figures under attribute_control, and for a
            // single attribute also the flat keys.
            let names = try judgedAttributes(judgeAttribute, config: run.config.model)
            let data = try run.config.dataset.load()
            var table: [String: Any] = [:]
            for name in names {
                let control = try attributeControl(run, attribute: name, count: min(count, 1000), seed: seed, data: data)
                table[name] = ["judged_positive_with_attribute": control.withAttribute,
                               "judged_positive_without_attribute": control.withoutAttribute,
                               "judge_test_accuracy": control.judgeTestAccuracy]
                if names.count == 1 {
                    out["judged_attribute"] = name
                    out["judged_positive_with_attribute"] = control.withAttribute
                    out["judged_positive_without_attribute"] = control.withoutAttribute
                    out["judge_test_accuracy"] = control.judgeTestAccuracy
                }
            }
            out["attribute_control"] = table
        }
        if let classifierRun {
            let extractor = try FMNISTFeatureExtractor(classifierRun: classifierRun)   // opened once for all three
            out["fd_fmnist"] = try fdFMNIST(run, classifierRun: classifierRun, count: count, seed: seed, extractor: extractor)
            out["fd_fmnist_real_baseline"] = try FDFMNIST.realBaseline(classifierRun: classifierRun, count: count, extractor: extractor)
            if run.config.model.isConditional && run.config.model.conditionKind == "class" && run.config.model.channels == 1 {
                out["condition_accuracy"] = try conditionAccuracy(run, classifierRun: classifierRun, count: count, seed: seed,
                                                                  extractor: extractor)
            }
            out["fd_fmnist_images"] = count
            out["fd_classifier"] = classifierRun
        }
        return out
    }
}
