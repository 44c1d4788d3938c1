import Foundation
import IllusionNeuralNetworks
import IllusionDatasets
import IllusionImaging

/// `config.json` of a transformer char-LM run: the architecture tag, the model's shape, the
/// recipe, the vocabulary (ordered characters, so PyTorch can rebuild and decode) and the data.
public struct CharTransformerRunConfig: Codable, Sendable {
    /// The run kind shared with the recurrent char-LMs; `architecture` tells them apart.
    public var kind = "char-lm"
    public var architecture = "transformer"
    public var model: CharTransformerConfig
    public var recipe: TransformerRecipe
    public var vocabulary: CharVocabulary
    public var data: [String]
    /// Steps between metrics lines and checkpoints.
    public var evalInterval: Int

    public init(model: CharTransformerConfig, recipe: TransformerRecipe, vocabulary: CharVocabulary, data: [String], evalInterval: Int) {
        self.model = model
        self.recipe = recipe
        self.vocabulary = vocabulary
        self.data = data
        self.evalInterval = evalInterval
    }
}

/// Training, resuming and sampling a transformer char model in a run folder: `config.json`,
/// `model.safetensors` (nanoGPT names), `training_state.safetensors` (AdamW moments as
/// `exp_avg.i`/`exp_avg_sq.i`, `step`, the batch generator), `metrics.jsonl` (one line per
/// `evalInterval` steps, `epoch` = that segment's number), `samples.txt`, `attention.png`.
public enum CharTransformerWorkflow {
    public struct Options {
        public var resume = false
        public var quiet = false
        public var sampleLength = 500
        public var prompt = "\n"
        public var sampling = TokenSampling()
        public var sampleSeed: UInt64 = 0
        public init() {}
    }

    /// The run's architecture tag from `config.json` (nil when the file has none).
    public static func architecture(of folder: RunFolder) throws -> String? {
        struct Tag: Decodable { var architecture: String?; var arch: String? }
        let tag = try folder.readJSON(Tag.self, from: "config.json")
        return tag.architecture ?? tag.arch
    }

    /// Loads a trained transformer run; throws one line when the run holds another architecture
    /// or the checkpoint does not fit its config.
    public static func load(_ folder: RunFolder) throws -> (config: CharTransformerRunConfig, model: CharTransformer) {
        try folder.requireExisting()
        let arch = try architecture(of: folder)
        guard arch == "transformer" else {
            throw ModelError.invalidRun("--run \(folder.path): the checkpoint is a \(arch ?? "non-char-LM") model, not a transformer")
        }
        let config = try folder.readJSON(CharTransformerRunConfig.self, from: "config.json")
        var rng = RandomGenerator(seed: 0)
        let model = try CharTransformer(config: config.model, rng: &rng)
        try Checkpoint.load(model, from: folder.modelPath)
        return (config, model)
    }

    public static func train(_ config: CharTransformerRunConfig, corpus prepared: CharLMCorpus, folder: RunFolder,
                             options: Options = Options()) throws -> [String: Any] {
        let corpus = (vocabulary: prepared.vocabulary, train: prepared.train.map(Int.init),
                      validation: prepared.validation.map(Int.init))
        try config.model.validate()
        try config.recipe.validate(trainingTokens: corpus.train.count, blockSize: config.model.blockSize)
        guard config.evalInterval > 0 else { throw ModelError.invalidArgument("--eval-interval must be positive") }
        try folder.create()
        var rng = RandomGenerator(seed: config.recipe.seed)
        let model = try CharTransformer(config: config.model, rng: &rng)
        let trainer = TransformerTrainer(model: model, recipe: config.recipe)
        if options.resume {
            try folder.requireExisting()
            if let arch = try architecture(of: folder), arch != "transformer" {
                throw ModelError.invalidRun("--out \(folder.path): the checkpoint is a \(arch) model, not a transformer (--arch \(arch) resumes it)")
            }
            try Checkpoint.load(model, from: folder.modelPath)
            let state = try SafeTensors(contentsOf: folder.trainingStatePath)
            var optimizerState: [String: Tensor] = [:]
            for name in state.names where name != "batch_rng" { optimizerState[name] = try state.tensor(name) }
            try trainer.optimizer.loadState(optimizerState)
            let g = try state.int64s("batch_rng")
            guard g.count == 2 else { throw ModelError.invalidRun("\(folder.trainingStatePath): batch_rng must hold 2 values") }
            trainer.batchGenerator = RandomGenerator(state: UInt64(bitPattern: g[0]), increment: UInt64(bitPattern: g[1]))
            trainer.resume(atStep: trainer.optimizer.stepCount)
            try folder.truncateMetrics(afterEpoch: trainer.stepsDone / config.evalInterval)
            if !options.quiet { logLine("resuming at step \(trainer.stepsDone) of \(config.recipe.steps)") }
        } else {
            try? FileManager.default.removeItem(atPath: folder.metricsPath)
        }
        try folder.writeJSON(config, to: "config.json")
        let t = config.model.blockSize, charsPerStep = config.recipe.batch * t
        if !options.quiet {
            logLine("\(model.summaryName): \(model.uniqueParameters.reduce(0) { $0 + $1.tensor.count }) parameters, vocabulary \(corpus.vocabulary.count), train \(corpus.train.count) / validation \(corpus.validation.count) chars")
        }
        let progress = ProgressReporter(label: "transformer", total: config.recipe.steps, quiet: options.quiet)
        var trainSeconds = 0.0, segmentLoss = 0.0, segmentSteps = 0, segmentStart = Date()
        let firstStep = trainer.stepsDone
        while trainer.stepsDone < config.recipe.steps {
            let t0 = Date()
            let loss = trainer.trainStep(on: corpus.train)
            trainSeconds += Date().timeIntervalSince(t0)
            guard loss.isFinite else {
                throw ModelError.trainingDiverged("training diverged at step \(trainer.stepsDone) (loss \(loss)); lower --lr")
            }
            segmentLoss += Double(loss); segmentSteps += 1
            progress.update(done: trainer.stepsDone, images: (trainer.stepsDone) * charsPerStep, figures: [("loss", Double(loss))])
            if trainer.stepsDone % config.evalInterval == 0 || trainer.stepsDone == config.recipe.steps {
                let seconds = Date().timeIntervalSince(segmentStart)
                let rate = Double(segmentSteps * charsPerStep) / max(seconds, 1e-9)
                try folder.appendMetrics(["epoch": (trainer.stepsDone + config.evalInterval - 1) / config.evalInterval,
                                          "step": trainer.stepsDone, "train_loss": segmentLoss / Double(segmentSteps),
                                          "lr": Double(trainer.optimizer.learningRate), "chars_per_s": rate.rounded()])
                try saveCheckpoint(model: model, trainer: trainer, folder: folder)
                segmentLoss = 0; segmentSteps = 0; segmentStart = Date()
            }
        }
        let evalStart = Date()
        let (valLoss, scored) = TransformerTrainer.fullStreamLoss(model, stream: corpus.validation)
        let evalSeconds = Date().timeIntervalSince(evalStart)
        if !options.quiet { logLine(String(format: "validation %.4f nats/char over %d chars (%.1f s)", valLoss, scored, evalSeconds)) }
        try folder.appendMetrics(["epoch": (config.recipe.steps + config.evalInterval - 1) / config.evalInterval,
                                  "step": trainer.stepsDone, "val_loss": valLoss, "val_chars_scored": scored])
        var summary: [String: Any] = ["architecture": "transformer", "steps": trainer.stepsDone, "val_loss": valLoss,
                                      "val_bpc": valLoss / log(2), "val_chars_scored": scored,
                                      "train_seconds": trainSeconds, "eval_seconds": evalSeconds,
                                      "chars_per_s": trainSeconds > 0 ? Double((trainer.stepsDone - firstStep) * charsPerStep) / trainSeconds : 0,
                                      "parameters": model.uniqueParameters.reduce(0) { $0 + $1.tensor.count }, "run": folder.path]
        if options.sampleLength > 0 {
            let sample = try writeSampleAndAttention(model: model, vocabulary: corpus.vocabulary, folder: folder, options: options)
            summary["sample"] = sample
        }
        return summary
    }

    static func saveCheckpoint(model: CharTransformer, trainer: TransformerTrainer, folder: RunFolder) throws {
        try Checkpoint.save(model, to: folder.modelPath, metadata: ["architecture": "transformer", "step": "\(trainer.stepsDone)"])
        var state = SafeTensors()
        for (name, t) in trainer.optimizer.state() { state.set(name, t) }
        let g = trainer.batchGenerator
        state.set("batch_rng", shape: [2], int64s: [Int64(bitPattern: g.state), Int64(bitPattern: g.increment)])
        try state.write(to: folder.trainingStatePath)
    }

    /// Samples `sampleLength` characters after the prompt (KV cache), writes `samples.txt`, and draws
    /// `attention.png` for the first line of the sample (at most blockSize characters).
    static func writeSampleAndAttention(model: CharTransformer, vocabulary: CharVocabulary, folder: RunFolder,
                                        options: Options) throws -> String {
        var rng = RandomGenerator(seed: options.sampleSeed)
        let prompt = try vocabulary.encode(options.prompt.isEmpty ? "\n" : options.prompt)
        let tokens = model.generate(prompt: prompt, count: options.sampleLength, sampling: options.sampling, rng: &rng)
        let text = vocabulary.decode(tokens)
        try writeFileAtomically(folder.file("samples.txt"), text: options.prompt + text + "\n")
        let line = attentionLine(tokens, vocabulary: vocabulary, limit: model.config.blockSize)
        let maps = model.attentionMaps(tokens: line)
        try AttentionPicture.render(maps: maps, text: line.map { vocabulary.characters[$0] }).writePNG(to: folder.file("attention.png"))
        return text
    }

    /// The first non-empty line of `tokens` (without its newline), cropped to `limit` characters.
    static func attentionLine(_ tokens: [Int], vocabulary: CharVocabulary, limit: Int) -> [Int] {
        let lines = tokens.split { vocabulary.characters[$0] == "\n" }
        let line = lines.first { $0.count >= 8 } ?? lines.first ?? ArraySlice(tokens)
        let cropped = Array(line.prefix(limit))
        return cropped.isEmpty ? Array(tokens.prefix(limit)) : cropped
    }
}

extension CharTransformerWorkflow {
    /// `illusion generate` for a transformer run: `prompt` (empty = a newline) then `length` sampled
    /// characters. A prompt longer than the block size is cropped to its last `blockSize` characters
    /// (the text returned still starts with the whole prompt). Unknown characters: one-line error.
    public static func generate(_ folder: RunFolder, prompt: String, length: Int, temperature: Float, topK: Int, seed: UInt64,
                                useCache: Bool, attention: String?) throws -> (text: String, seconds: Double, charsPerSecond: Double) {
        guard length >= 1 else { throw ModelError.invalidArgument("--length must be ≥ 1, got \(length)") }
        guard temperature > 0, temperature.isFinite else { throw ModelError.invalidArgument("--temperature must be positive, got \(temperature)") }
        guard topK >= 0 else { throw ModelError.invalidArgument("--top-k must be ≥ 1, got \(topK)") }
        let (config, model) = try load(folder)
        let vocab = config.vocabulary
        let primer = prompt.isEmpty ? "\n" : prompt
        let ids: [Int]
        do { ids = try vocab.encode(primer) } catch let e as DatasetError {
            throw ModelError.invalidArgument("--prompt: \(e.description.replacingOccurrences(of: "invalid argument: ", with: ""))")
        }
        var rng = RandomGenerator(seed: seed)
        let start = Date()
        let tokens = model.generate(prompt: ids, count: length, sampling: TokenSampling(temperature: temperature, topK: topK),
                                    useCache: useCache, rng: &rng)
        let seconds = Date().timeIntervalSince(start)
        if let attention {
            let line = Array((ids + tokens).suffix(config.model.blockSize))
            try AttentionPicture.render(maps: model.attentionMaps(tokens: line), text: line.map { vocab.characters[$0] })
                .writePNG(to: attention)
        }
        return (prompt + vocab.decode(tokens), seconds, seconds > 0 ? Double(length) / seconds : 0)
    }
}
