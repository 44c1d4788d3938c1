import Foundation

/// One model exported to ONNX: the model, its graph inputs with their per-sample shapes, its
/// outputs, and our own forward pass on named inputs (what an ONNX runtime must reproduce).
public struct ONNXExport {
    /// How the values of an input are drawn for reference data (`sampleInputs`).
    public enum InputKind: String, Sendable { case unitInterval, standardNormal, oneHot, binary, tokens }

    public struct Input {
        public let name: String
        /// Per-sample shape (the batch axis is the symbolic `N`).
        public let shape: [Int]
        public let kind: InputKind
        /// For `tokens`: ids are drawn uniformly from 0..<tokenCount (as whole-number floats).
        public var tokenCount: Int = 0
    }

    public let part: String
    public let model: ONNXModel
    public let inputs: [Input]
    public let outputs: [String]
    /// Our forward pass: input name → tensor `[N] + shape`, output name → tensor.
    public let evaluate: ([String: Tensor]) -> [String: Tensor]

    /// The `.onnx` file's bytes.
    public func serialized() -> [UInt8] { model.serialized() }

    /// Seeded inputs for `batch` samples: images uniform in [0, 1], latents and noise N(0, 1),
    /// one-hot class rows, 0/1 attribute rows.
    public func sampleInputs(batch: Int, seed: UInt64) -> [String: Tensor] {
        var rng = RandomGenerator(seed: seed)
        var out: [String: Tensor] = [:]
        for input in inputs {
            let shape = [batch] + input.shape
            switch input.kind {
            case .unitInterval: out[input.name] = Tensor.uniform(shape, rng: &rng)
            case .standardNormal: out[input.name] = Tensor.normal(shape, rng: &rng)
            case .binary: out[input.name] = Tensor(shape: shape, storage: (0..<shape.reduce(1, *)).map { _ in Float(rng.nextInt(below: 2)) })
            case .tokens:
                out[input.name] = Tensor(shape: shape, storage: (0..<shape.reduce(1, *)).map { _ in Float(rng.nextInt(below: input.tokenCount)) })
            case .oneHot:
                let k = input.shape.reduce(1, *)
                out[input.name] = GANConditions.oneHot((0..<batch).map { _ in rng.nextInt(below: k) }, classes: k)
            }
        }
        return out
    }

    /// Inputs and our outputs for `batch` seeded samples in one safetensors file (the reference
    /// an ONNX runtime is compared with; `scripts/onnx_check.py` reads it).
    public func referenceData(batch: Int, seed: UInt64) -> SafeTensors {
        let x = sampleInputs(batch: batch, seed: seed)
        let y = noGrad { evaluate(x) }
        var file = SafeTensors()
        for (name, t) in x { file.set("input." + name, t) }
        for (name, t) in y { file.set("output." + name, t) }
        file.metadata = ["format": "pt", "illusion": "onnx-reference", "part": part, "seed": String(seed)]
        return file
    }
}

/// Exports of the trained models: VAE encoder and decoder, DCGAN/cGAN generators, image classifiers.
/// Every model is traced in inference mode (BatchNorm uses its running statistics, no dropout).
public enum ONNXExporter {
    /// Any layer with one input `[N] + inputShape` and one output.
    public static func layer(_ layer: Layer, inputShape: [Int], inputKind: ONNXExport.InputKind = .unitInterval,
                             part: String = "model", input: String = "input", output: String = "output") throws -> ONNXExport {
        let b = ONNXGraphBuilder(name: part)
        let x = b.input(input, shape: inputShape)
        let y = try b.apply(layer, path: "", to: x.name, shape: x.shape)
        b.output(y.name, as: output, shape: y.shape)
        return ONNXExport(part: part, model: ONNXModel(graph: b.graph),
                          inputs: [.init(name: input, shape: inputShape, kind: inputKind)], outputs: [output]) { inputs in
            [output: layer(inputs[input]!)]
        }
    }

    /// x `[N, C, H, W]` in [0, 1] → `mean`, `log_variance` `[N, D]` (the parameters of q(z|x)).
    public static func vaeEncoder(_ vae: VariationalAutoencoder) throws -> ONNXExport {
        let b = ONNXGraphBuilder(name: "vae_encoder")
        let x = b.input("images", shape: vae.config.inputShape)
        let h = try b.apply(vae.encoder, path: "encoder", to: x.name, shape: x.shape)
        let mu = try b.apply(vae.meanHead, path: "fc_mu", to: h.name, shape: h.shape)
        let logVar = try b.apply(vae.logVarianceHead, path: "fc_logvar", to: h.name, shape: h.shape)
        b.output(mu.name, as: "mean", shape: mu.shape)
        b.output(logVar.name, as: "log_variance", shape: logVar.shape)
        var model = ONNXModel(graph: b.graph)
        model.docString = "VAE encoder (\(vae.summaryName)): images [N, C, H, W] in [0, 1] → mean, log_variance [N, D] of q(z|x)"
        return ONNXExport(part: "encoder", model: model, inputs: [.init(name: "images", shape: vae.config.inputShape, kind: .unitInterval)],
                          outputs: ["mean", "log_variance"]) { inputs in
            let (m, v) = vae.encode(inputs["images"]!)
            return ["mean": m, "log_variance": v]
        }
    }

    /// z `[N, D]` → images `[N, C, H, W]`: the likelihood's mean (sigmoid applied for the Bernoulli
    /// and fixed-σ Gaussian VAEs, exactly ``VariationalAutoencoder/decode(_:)``).
    public static func vaeDecoder(_ vae: VariationalAutoencoder) throws -> ONNXExport {
        let b = ONNXGraphBuilder(name: "vae_decoder")
        let z = b.input("z", shape: [vae.config.latentDim])
        let raw = try b.apply(vae.decoder, path: "decoder", to: z.name, shape: z.shape)
        var y = try b.reshape(raw.name, from: raw.shape, to: vae.config.inputShape, name: "decoder.to_image")
        if vae.config.likelihood != .gaussianLearned {
            y = (b.node("Sigmoid", name: "output_sigmoid", inputs: [y.name], output: "output_sigmoid"), y.shape)
        }
        b.output(y.name, as: "images", shape: y.shape)
        var model = ONNXModel(graph: b.graph)
        model.docString = "VAE decoder (\(vae.summaryName)): z [N, D] → images [N, C, H, W], the mean of p(x|z)"
        return ONNXExport(part: "decoder", model: model, inputs: [.init(name: "z", shape: [vae.config.latentDim], kind: .standardNormal)],
                          outputs: ["images"]) { inputs in ["images": vae.decode(inputs["z"]!)] }
    }

    /// DCGAN: `noise [N, noiseDim]` → `images [N, C, S, S]` in [−1, 1]. Conditional GAN: also
    /// `condition [N, conditionDim]` and `epsilon [N, augmentedDim]`, with ĉ = μ(c) + exp(½ ln σ²(c))·ε
    /// computed in the graph (pass zeros for ε to use the mean condition).
    public static func generator(_ g: DCGANGenerator) throws -> ONNXExport {
        let c = g.config
        let b = ONNXGraphBuilder(name: c.isConditional ? "cgan_generator" : "dcgan_generator")
        let noise = b.input("noise", shape: [c.noiseDim])
        var inputs: [ONNXExport.Input] = [.init(name: "noise", shape: [c.noiseDim], kind: .standardNormal)]
        var x = noise
        if let ca = g.conditioning {
            let cond = b.input("condition", shape: [c.conditionDim])
            let eps = b.input("epsilon", shape: [c.augmentedDim])
            inputs += [.init(name: "condition", shape: [c.conditionDim], kind: c.conditionKind == "class" ? .oneHot : .binary),
                       .init(name: "epsilon", shape: [c.augmentedDim], kind: .standardNormal)]
            let a = Int64(c.augmentedDim)
            let h = try b.apply(ca.fc, path: "ca.fc", to: cond.name, shape: cond.shape)
            let axes = b.initializer("ca.axes", int64s: [1])
            func slice(_ from: Int64, _ to: Int64, _ name: String) -> String {
                b.node("Slice", name: name, inputs: [h.name, b.initializer(name + ".starts", int64s: [from]),
                                                     b.initializer(name + ".ends", int64s: [to]), axes], output: name)
            }
            let mu = slice(0, a, "ca.mean"), logVar = slice(a, 2 * a, "ca.log_variance")
            let half = b.initializer("ca.half", Tensor(shape: [1], storage: [0.5]))
            let sigma = b.node("Exp", name: "ca.sigma", inputs: [b.node("Mul", name: "ca.half_log_variance", inputs: [logVar, half],
                                                                      output: "ca.half_log_variance")], output: "ca.sigma")
            let sample = b.node("Add", name: "ca.sample", inputs: [mu, b.node("Mul", name: "ca.scaled_epsilon", inputs: [sigma, eps.name],
                                                                           output: "ca.scaled_epsilon")], output: "ca.sample")
            x = (b.node("Concat", name: "generator_input", inputs: [noise.name, sample], output: "generator_input",
                        attributes: [ONNXAttribute("axis", .int(1))]), [c.noiseDim + c.augmentedDim])
        }
        let y = try b.apply(g.main, path: "main", to: x.name, shape: x.shape)
        b.output(y.name, as: "images", shape: y.shape)
        var model = ONNXModel(graph: b.graph)
        model.docString = "\(g.summaryName): images [N, C, S, S] in [-1, 1]"
            + (c.isConditional ? "; condition \(c.conditionKind ?? "") [\(c.conditionNames.joined(separator: ", "))], epsilon ~ N(0, I) (zeros: the mean condition)" : "")
        return ONNXExport(part: "generator", model: model, inputs: inputs, outputs: ["images"]) { inputs in
            guard let ca = g.conditioning else { return ["images": g.main(inputs["noise"]!)] }
            let (mu, logVar) = ca.gaussian(inputs["condition"]!)
            let sample = mu + (logVar * 0.5).exp() * inputs["epsilon"]!
            return ["images": g.main(Tensor.concatenate([inputs["noise"]!, sample], axis: 1))]
        }
    }

    /// An image classifier: `images [N, C, S, S]` in [0, 1] → class `logits [N, K]`.
    public static func classifier(_ model: Layer, channels: Int, imageSize: Int, classNames: [String]) throws -> ONNXExport {
        let e = try layer(model, inputShape: [channels, imageSize, imageSize], part: "classifier", input: "images", output: "logits")
        var m = e.model
        m.docString = "classifier: images [N, \(channels), \(imageSize), \(imageSize)] in [0, 1] → logits [N, \(classNames.count)] for "
            + classNames.joined(separator: ", ")
        return ONNXExport(part: e.part, model: m, inputs: e.inputs, outputs: e.outputs, evaluate: e.evaluate)
    }

    /// The parts a run of `kind` exports, the first being the default.
    public static func parts(ofKind kind: String) -> [String] {
        switch kind {
        case "vae": return ["decoder", "encoder"]
        case "dcgan", "cgan": return ["generator"]
        case "cnn": return ["classifier"]
        case "autoencoder": return ["decoder", "encoder", "classifier"]
        case "char-lm": return ["model"]
        default: return []
        }
    }

    /// Opens the run at `path` and exports `part` (nil: the run kind's default part).
    public static func export(run path: String, part: String?) throws -> ONNXExport {
        let folder = RunFolder(path: path)
        try folder.requireExisting()
        let kind = try folder.readJSON(RunKind.self, from: "config.json").kind
        let parts = parts(ofKind: kind)
        guard !parts.isEmpty else {
            throw ModelError.invalidRun("--run \(path): ONNX export covers vae, dcgan, cgan, cnn, autoencoder and char-lm runs, this is a \(kind) run")
        }
        let chosen = part ?? parts[0]
        guard parts.contains(chosen) else {
            throw ModelError.invalidArgument("--part \(chosen): a \(kind) run exports \(parts.joined(separator: " or "))")
        }
        switch (kind, chosen) {
        case ("vae", "encoder"): return try vaeEncoder(VAERun(path: path).model)
        case ("vae", _): return try vaeDecoder(VAERun(path: path).model)
        case ("autoencoder", _): return try autoencoder(AutoencoderRun(path: path).model, part: chosen)
        case ("char-lm", _):
            if try CharTransformerWorkflow.architecture(of: folder) == "transformer" {
                return try charTransformer(CharTransformerWorkflow.load(folder).model)
            }
            let model = try CharLMRun.load(folder)
            return try charLanguageModel(model, steps: model.config.seqLen)
        case ("cnn", _):
            let config = try folder.readJSON(CNNRunConfig.self, from: "config.json")
            try config.model.validate()
            var rng = RandomGenerator(seed: 0)
            let model = CNNClassifier.make(config.model, rng: &rng)
            try Checkpoint.load(model, from: folder.modelPath)
            model.setTraining(false)
            return try classifier(model, channels: config.model.channels, imageSize: config.model.imageSize,
                                  classNames: config.model.classNames)
        default: return try generator(GANRun(path: path).gan.generator)
        }
    }
}
