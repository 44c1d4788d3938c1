import Foundation

/// A trained autoencoder (with its latent classifier) opened from its run folder.
public struct AutoencoderRun {
    public let folder: RunFolder
    public let config: AutoencoderRunConfig
    public let model: ConvolutionalAutoencoder

    public init(path: String) throws {
        folder = RunFolder(path: path)
        try folder.requireExisting()
        let kind = try folder.readJSON(RunKind.self, from: "config.json").kind
        guard kind == "autoencoder" else { throw ModelError.invalidRun("--run \(path): this is a \(kind) run, not an autoencoder run") }
        config = try folder.readJSON(AutoencoderRunConfig.self, from: "config.json")
        try config.model.validate()
        var rng = RandomGenerator(seed: 0)
        model = ConvolutionalAutoencoder(config: config.model, rng: &rng)
        try Checkpoint.load(model, from: folder.modelPath)
        model.setTraining(false)
    }

    public func testSet() throws -> ImageDataset { try config.dataset.load().test }
}

/// Any image classifier run (`cnn`, or `autoencoder` through its latent classifier), for `illusion classify`.
public struct ImageClassifierRun {
    public let kind: String
    public let classNames: [String]
    public let channels: Int
    public let imageSize: Int
    /// Images `[N, C, S, S]` in [0, 1] → class logits `[N, K]`.
    public let logits: (Tensor) -> Tensor

    public init(path: String) throws {
        let folder = RunFolder(path: path)
        try folder.requireExisting()
        kind = try folder.readJSON(RunKind.self, from: "config.json").kind
        switch kind {
        case "cnn":
            let config = try folder.readJSON(CNNRunConfig.self, from: "config.json")
            try config.model.validate()
            var rng = RandomGenerator(seed: 0)
            let model = CNNClassifier.make(config.model, rng: &rng)
            try Checkpoint.load(model, from: folder.modelPath)
            model.setTraining(false)
            classNames = config.model.classNames; channels = config.model.channels; imageSize = config.model.imageSize
            logits = { model($0) }
        case "autoencoder":
            let run = try AutoencoderRun(path: path)
            classNames = run.config.model.classNames; channels = run.config.model.channels; imageSize = run.config.model.imageSize
            let model = run.model
            logits = { model.classify($0) }
        default:
            throw ModelError.invalidRun("--run \(path): classify needs a cnn or autoencoder run, this is a \(kind) run")
        }
    }

    /// Class probabilities of one image file (PNG or JPEG): converted to the model's channels and size.
    /// Images on a light background (mean border brightness above one half) are inverted, since the
    /// training images are light objects on black.
    public func classify(imagePath: String, invert: Bool? = nil) throws -> [Double] {
        var image = try PixelImage(contentsOfFile: imagePath, channels: channels == 1 ? 1 : 3)
        if image.width != imageSize || image.height != imageSize {
            image = try image.resized(width: imageSize, height: imageSize)
        }
        var values = image.chwFloats()
        let shouldInvert = invert ?? (Self.borderMean(values, channels: channels, size: imageSize) > 0.5)
        if shouldInvert { values = values.map { 1 - $0 } }
        let x = Tensor(shape: [1, channels, imageSize, imageSize], storage: values)
        return noGrad { logits(x).softmax() }.storage.map(Double.init)
    }

    static func borderMean(_ values: [Float], channels: Int, size: Int) -> Float {
        var sum: Float = 0, count = 0
        for c in 0..<channels {
            for y in 0..<size {
                for x in 0..<size where x == 0 || y == 0 || x == size - 1 || y == size - 1 {
                    sum += values[(c * size + y) * size + x]; count += 1
                }
            }
        }
        return sum / Float(max(count, 1))
    }

    /// The seed's sentence: `The input image is 99.8% "Trouser"`.
    public static func sentence(probabilities: [Double], classNames: [String]) -> String {
        let best = probabilities.indices.max { probabilities[$0] < probabilities[$1] } ?? 0
        let name = best < classNames.count ? classNames[best] : String(best)
        return String(format: "The input image is %.1f%% \"%@\"", 100 * probabilities[best], name)
    }
}
