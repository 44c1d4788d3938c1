import ArgumentParser
import Foundation
import IllusionModels

extension CharLMArchitecture: ExpressibleByArgument {}

/// Recurrent and transformer workflows are GEMM-bound with small elementwise passes between the
/// products, so OpenBLAS uses the threads too (`--threads`, else `ILLUSION_THREADS` or every core).
func gemmBoundContext(_ threads: Int? = nil) -> ComputeContext { .gemmBound(threads ?? ComputeThreads.count) }
func useBLASThreadsForRecurrentWork() { gemmBoundContext().apply() }
/// Training an LSTM / GRU / RNN (char-LM, seq-classifier): our threads, OpenBLAS single-threaded.
/// The batch parts run their products on our kernel and the weight gradients and the head's GEMMs
/// split by rows over our threads, so OpenBLAS's idle threads never spin beside ours.
func recurrentTrainingContext(_ threads: Int? = nil) -> ComputeContext { .layers(threads ?? ComputeThreads.count) }

struct TrainCharLM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "char-lm",
        abstract: "Character-level language model: Embedding → L-layer LSTM/GRU/RNN → Linear, truncated BPTT over contiguous streams; or --arch transformer: nanoGPT's decoder and CPU recipe.")

    @Option(help: "lstm, gru, rnn or transformer.") var arch: String = "lstm"
    @Option(parsing: .upToNextOption, help: "UTF-8 text files, concatenated in the order given (make corpus installs Shakespeare).")
    var data: [String] = []
    @Option(name: .customLong("seq-len"), parsing: .unconditional, help: "Truncated-BPTT window T (characters per stream per step).") var seqLen: Int = 128
    @Option(parsing: .unconditional, help: "Hidden size H.") var hidden: Int = 256
    @Option(parsing: .unconditional, help: "Embedding size.") var embedding: Int = 256
    @Option(parsing: .unconditional, help: "Recurrent layers L (default 2) or transformer blocks (default 4).") var layers: Int?
    @Option(parsing: .unconditional, help: "Dropout between recurrent layers.") var dropout: Float = 0
    @Option(name: .customLong("batch-size"), parsing: .unconditional, help: "Contiguous streams B (default 32); transformer: random windows per step (default 12).") var batchSize: Int?
    @Option(parsing: .unconditional, help: "Adam learning rate (default 2e-3); transformer: AdamW peak rate (default 1e-3).") var lr: Float?
    @Option(name: .customLong("clip-grad-norm"), parsing: .unconditional, help: "Max global gradient norm (0 = off).") var clip: Float = 1
    @Option(parsing: .unconditional) var epochs: Int = 1
    @Option(name: .customLong("max-steps"), parsing: .unconditional, help: "At most this many steps per epoch (0 = full passes).") var maxSteps: Int = 0
    @Option(name: .customLong("sample-length"), parsing: .unconditional, help: "Characters sampled after each epoch.") var sampleLength: Int = 400
    @Option(parsing: .unconditional) var seed: UInt64 = 0
    @Option(help: "Run folder.") var out: String
    @Flag(help: "Continue the run in --out from its newest verified checkpoint (up to --epochs in total; give the same --data).") var resume = false
    @Option(name: .customLong("resume-from"), help: "Continue from this checkpoint folder (e.g. RUN/checkpoints/step-000001200) instead of the newest.")
    var resumeFrom: String?
    @Option(name: .customLong("checkpoint-every"), parsing: .unconditional, help: "Also commit a resumable checkpoint every N steps (recurrent: default 0, epoch ends only; transformer: default --eval-interval).")
    var checkpointEvery: Int?
    @Option(name: .customLong("keep-checkpoints"), parsing: .unconditional, help: "How many step checkpoints to keep in RUN/checkpoints (the best is kept besides).")
    var keepCheckpoints: Int = 2
    @Flag(help: "Print the final figures as one JSON object on stdout.") var json = false
    @Flag(help: "No progress output.") var quiet = false
    // --arch transformer (defaults = ../shared/peers/charlm_transformer.py, nanoGPT's CPU recipe)
    @Option(parsing: .unconditional, help: "transformer: attention heads per block (must divide --embed).") var heads: Int = 4
    @Option(parsing: .unconditional, help: "transformer: embedding width E.") var embed: Int = 128
    @Option(parsing: .unconditional, help: "transformer: context length T in characters.") var block: Int = 64
    @Option(parsing: .unconditional, help: "transformer: optimizer steps.") var steps: Int = 2000
    @Option(name: .customLong("min-lr"), parsing: .unconditional, help: "transformer: learning rate at the end of the cosine decay.") var minLR: Float = 1e-4
    @Option(name: .customLong("warmup-steps"), parsing: .unconditional, help: "transformer: linear warm-up steps.") var warmupSteps: Int = 100
    @Option(name: .customLong("weight-decay"), parsing: .unconditional, help: "transformer: AdamW decay on the ≥ 2-D weights.") var weightDecay: Float = 0.1
    @Option(name: .customLong("eval-interval"), parsing: .unconditional, help: "transformer: steps between metrics lines and checkpoints.") var evalInterval: Int = 250
    @Flag(help: "transformer: biases in every Linear and LayerNorm (nanoGPT default: none).") var bias = false
    @Flag(name: .customLong("untied-head"), help: "transformer: an output head of its own instead of the token embedding's weight.") var untiedHead = false
    @Option(parsing: .unconditional, help: "Threads (OpenBLAS and ours; default ILLUSION_THREADS or every core).") var threads: Int?
    @OptionGroup var logging: TensorBoardArguments
    @OptionGroup var configFile: ConfigFileArguments

    func run() throws {
        try runReportingErrors {
            try logging.start()
            let resuming = resume || resumeFrom != nil
            if resuming {
                // The run's config.json decides the model and the recipe; --data is checked against its text.
                try CheckpointArguments.refuseFlagsThatChangeTheRun(alsoAllowed: ["--data", "--arch"])
                let folder = RunFolder(path: out)
                try folder.requireExisting()
                if try CharTransformerWorkflow.architecture(of: folder) == "transformer" {
                    guard arch == "transformer" || !CommandLine.arguments.contains(where: { $0 == "--arch" || $0.hasPrefix("--arch=") }) else {
                        throw ModelError.invalidRun("--out \(out): the checkpoint is a transformer, not \(arch) (--arch transformer resumes it)")
                    }
                    return try resumeTransformer(folder)
                }
            }
            guard !data.isEmpty || resuming else { throw ModelError.invalidArgument("--data: give at least one UTF-8 text file") }
            guard sampleLength >= 0 else { throw ModelError.invalidArgument("--sample-length must be ≥ 0, got \(sampleLength)") }
            guard maxSteps >= 0 else { throw ModelError.invalidArgument("--max-steps must be ≥ 0, got \(maxSteps)") }
            if arch == "transformer" {
                guard !resuming else { throw ModelError.invalidRun("--out \(out): the checkpoint is not a transformer (give the run's --arch, or omit it)") }
                return try trainTransformer()
            }
            let typedArch = CommandLine.arguments.contains { $0 == "--arch" || $0.hasPrefix("--arch=") }
            let archName = resuming && !typedArch ? (try CharTransformerWorkflow.architecture(of: RunFolder(path: out)) ?? arch) : arch
            guard let arch = CharLMArchitecture(rawValue: archName) else {
                throw ModelError.invalidArgument("--arch \(arch): expected lstm, gru, rnn or transformer")
            }
            let layers = self.layers ?? 2, batchSize = self.batchSize ?? 32, lr = self.lr ?? 2e-3
            var config = CharLMConfig(vocabulary: try CharVocabulary(characters: ["\n"]))
            config.architecture = arch; config.seqLen = seqLen; config.hidden = hidden; config.embedding = embedding
            config.layers = layers; config.dropout = dropout; config.batchSize = batchSize; config.learningRate = lr
            config.clipNorm = clip; config.epochs = resuming ? CheckpointArguments.typedEpochs(epochs) ?? 0 : epochs; config.maxSteps = maxSteps; config.seed = seed
            config.sampleLength = sampleLength
            var loop = TrainingLoopOptions()
            loop.checkpointEvery = checkpointEvery ?? 0
            loop.keepCheckpoints = keepCheckpoints
            try loop.validate()
            config.loop = loop
            let summary = try CharLMTraining.run(config: config, files: data, folder: RunFolder(path: out), resume: resume,
                                                 resumeFrom: resumeFrom, quiet: quiet, compute: recurrentTrainingContext(threads))
            if json { printJSON(summary) }
        }
    }
}

extension TrainCharLM {
    /// `--resume` of a transformer run: its config.json's model, recipe and text (or `--data`, when
    /// it gives the same vocabulary).
    func resumeTransformer(_ folder: RunFolder) throws {
        var config = try folder.readJSON(CharTransformerRunConfig.self, from: "config.json")
        if !data.isEmpty { config.data = data }
        let corpus = try CharLMCorpus(corpus: try TextCorpus(contentsOf: config.data))
        guard corpus.vocabulary == config.vocabulary else {
            throw ModelError.invalidRun("--data: not the text \(out) was trained on (its vocabulary differs); omit --data to read the run's own files")
        }
        try train(config, corpus: corpus)
    }

    func trainTransformer() throws {
        let corpus = try CharLMCorpus(corpus: try TextCorpus(contentsOf: data))
        let model = CharTransformerConfig(vocabularySize: corpus.vocabulary.count, blockSize: block, layers: layers ?? 4, heads: heads,
                                          width: embed, bias: bias, tiedHead: !untiedHead)
        var recipe = TransformerRecipe()
        recipe.steps = steps; recipe.batch = batchSize ?? 12; recipe.learningRate = lr ?? 1e-3; recipe.minLearningRate = minLR
        recipe.warmupSteps = warmupSteps; recipe.weightDecay = weightDecay; recipe.gradientClip = clip; recipe.seed = seed
        let config = CharTransformerRunConfig(model: model, recipe: recipe, vocabulary: corpus.vocabulary, data: data,
                                              evalInterval: evalInterval)
        try train(config, corpus: corpus)
    }

    func train(_ config: CharTransformerRunConfig, corpus: CharLMCorpus) throws {
        var options = CharTransformerWorkflow.Options()
        options.resumeFrom = resumeFrom; options.checkpointEvery = checkpointEvery; options.keepCheckpoints = keepCheckpoints
        options.compute = CharTransformerWorkflow.computeContext(threads: threads ?? ComputeThreads.count)
        options.resume = resume; options.quiet = quiet; options.sampleLength = sampleLength; options.sampleSeed = seed
        let summary = try CharTransformerWorkflow.train(config, corpus: corpus, folder: RunFolder(path: out), options: options)
        if json { printJSON(summary) }
    }
}

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate text from a trained text model (a char-lm run): the prompt, then N sampled characters.")

    @Option(name: .customLong("run"), help: "Run folder.") var runPath: String
    @Option(help: "Text that primes the model (every character must be in the run's vocabulary; empty = a newline).") var prompt: String = ""
    @Option(parsing: .unconditional, help: "Characters to generate (≥ 1).") var length: Int = 500
    @Option(parsing: .unconditional, help: "Softmax temperature τ > 0 (lower = more conservative).") var temperature: Float = 1
    @Option(name: .customLong("top-k"), parsing: .unconditional, help: "Sample only among the k most likely characters.") var topK: Int?
    @Option(parsing: .unconditional) var seed: UInt64 = 0
    @Flag(help: "Print {\"text\": …} as one JSON object on stdout.") var json = false
    @Flag(name: .customLong("no-cache"), help: "Transformer: re-run the whole window for every character (nanoGPT's loop) instead of the key/value cache.")
    var noCache = false
    @Option(help: "Transformer: also draw every head's attention weights over the last block of prompt + text to this PNG.") var attention: String?

    func run() throws {
        try runReportingErrors {
            let folder = RunFolder(path: runPath)
            try folder.requireExisting()
            if try CharTransformerWorkflow.architecture(of: folder) == "transformer" {
                gemmBoundContext().apply()
                let r = try CharTransformerWorkflow.generate(folder, prompt: prompt, length: length, temperature: temperature,
                                                             topK: topK ?? 0, seed: seed, useCache: !noCache, attention: attention)
                if json { printJSON(["text": r.text, "seconds": r.seconds, "chars_per_s": r.charsPerSecond, "cache": !noCache]) }
                else { print(r.text) }
                return
            }
            if noCache || attention != nil { throw ModelError.invalidArgument("--no-cache and --attention apply to transformer runs only") }
            gemmBoundContext().apply()
            let text = try TextGeneration.generate(run: runPath, prompt: prompt, length: length, temperature: temperature,
                                                   topK: topK, seed: seed)
            if json { printJSON(["text": text]) } else { print(text) }
        }
    }
}
