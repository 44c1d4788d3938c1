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

/// Training, resuming and sampling a transformer char model in a run folder, on the shared
/// ``Trainer`` (the recipe's steps are one epoch): `config.json`, `model.safetensors` (nanoGPT
/// names), `checkpoints/step-N/` every `evalInterval` steps (AdamW moments as
/// `optimizer.exp_avg.i`/`optimizer.exp_avg_sq.i`, the batch stream as `rng`), `metrics.jsonl` (a
/// `step` line per `evalInterval` steps with the window's mean `loss`, one `epoch` line with
/// `val_loss`), `samples.txt`, `attention.png`.
public enum CharTransformerWorkflow {
    public struct Options {
        public var resume = false
        /// Continue from this checkpoint folder instead of the newest (`--resume-from`).
        public var resumeFrom: String?
        /// Steps between checkpoints (`--checkpoint-every`; nil: every `evalInterval`).
        public var checkpointEvery: Int?
        /// Checkpoints kept in `checkpoints/` (`--keep-checkpoints`).
        public var keepCheckpoints = 2
        /// Threads (nil: the process's current context).
        public var compute: ComputeContext?
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
        var rng = RandomGenerator(seed: config.recipe.seed)
        let model = try CharTransformer(config: config.model, rng: &rng)
        let trainer = TransformerTrainer(model: model, recipe: config.recipe)
        let task = TransformerTask(trainer: trainer, train: corpus.train, validation: corpus.validation)
        let resuming = options.resume || options.resumeFrom != nil
        var checkpoint: CommittedCheckpoint?
        if resuming {
            try folder.requireExisting()
            if let arch = try architecture(of: folder), arch != "transformer" {
                throw ModelError.invalidRun("--out \(folder.path): the checkpoint is a \(arch) model, not a transformer (--arch \(arch) resumes it)")
            }
            let saved = try folder.readJSON(CharTransformerRunConfig.self, from: "config.json")
            try saved.requireResumable(as: config, folder: folder)
            checkpoint = try CheckpointStore(run: folder).checkpointToResume(from: options.resumeFrom)
        }
        var loop = TrainingLoopOptions()
        loop.checkpointEvery = options.checkpointEvery ?? config.evalInterval
        loop.keepCheckpoints = options.keepCheckpoints
        loop.logEvery = config.evalInterval
        loop.clipGradNorm = config.recipe.gradientClip > 0 ? config.recipe.gradientClip : nil
        try loop.validate()
        loop.schedule = .constant   // the recipe's per-step warm-up + cosine is set in each step
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let loopTrainer = try Trainer(task: task, run: folder, epochs: 1, loop: loop, rng: TransformerTrainer.batchStream(config.recipe),
                                      configJSON: [UInt8](try encoder.encode(config)) + [10], monitorMode: .minimum)
        loopTrainer.quiet = options.quiet
        loopTrainer.compute = options.compute
        if let checkpoint {
            try loopTrainer.restore(from: checkpoint)
            if !options.quiet { logLine("resuming at step \(checkpoint.progress.globalStep) of \(config.recipe.steps)") }
        }
        let charsPerStep = task.batchSize
        if !options.quiet {
            logLine("\(model.summaryName): \(model.uniqueParameters.reduce(0) { $0 + $1.tensor.count }) parameters, vocabulary \(corpus.vocabulary.count), train \(corpus.train.count) / validation \(corpus.validation.count) chars")
        }
        let firstStep = loopTrainer.progress.globalStep
        var trainSeconds = 0.0
        if config.recipe.steps > 0 {
            trainSeconds = try loopTrainer.fit().last?.training.seconds ?? 0
        } else {
            try folder.create()
            try folder.writeJSON(config, to: "config.json")
        }
        let evaluation = task.evaluation.map { ($0.loss, $0.characters, $0.seconds) } ?? {
            let start = Date()
            let (loss, scored) = TransformerTrainer.fullStreamLoss(model, stream: corpus.validation)
            return (loss, scored, Date().timeIntervalSince(start))
        }()
        let (valLoss, scored, evalSeconds) = evaluation
        if !options.quiet { logLine(String(format: "validation %.4f nats/char over %d chars (%.1f s)", valLoss, scored, evalSeconds)) }
        let stepsDone = loopTrainer.progress.globalStep
        var summary: [String: Any] = ["architecture": "transformer", "steps": stepsDone, "val_loss": valLoss,
                                      "val_bpc": valLoss / log(2), "val_chars_scored": scored,
                                      "train_seconds": trainSeconds, "eval_seconds": evalSeconds,
                                      "chars_per_s": trainSeconds > 0 ? Double((stepsDone - firstStep) * charsPerStep) / trainSeconds : 0,
                                      "parameters": model.uniqueParameters.reduce(0) { $0 + $1.tensor.count }, "run": folder.path]
        if options.sampleLength > 0 {
            let sample = try writeSampleAndAttention(model: model, vocabulary: corpus.vocabulary, folder: folder, options: options)
            summary["sample"] = sample
        }
        return summary
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

extension CharTransformerRunConfig {
    /// `--resume` continues the run as it was configured: a flag that would change the model, the
    /// recipe or the text is refused, naming it (the saved config.json is the run's truth).
    func requireResumable(as requested: CharTransformerRunConfig, folder: RunFolder) throws {
        var changed: [String] = []
        if model != requested.model { changed.append("the model (--layers/--heads/--embed/--block/--bias/--untied-head)") }
        if recipe != requested.recipe { changed.append("the recipe (--steps/--batch-size/--lr/--min-lr/--warmup-steps/--weight-decay/--clip-grad-norm/--seed)") }
        if vocabulary.characters != requested.vocabulary.characters { changed.append("the text (--data gives another vocabulary)") }
        guard changed.isEmpty else {
            throw ModelError.invalidRun("--resume: \(folder.path)/config.json was trained with other settings; these flags would change \(changed.joined(separator: " and ")) — give the run's own (or omit them)")
        }
    }
}
