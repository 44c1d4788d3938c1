import ArgumentParser
import Foundation
import IllusionModels

extension CharLMArchitecture: ExpressibleByArgument {}

/// Recurrent workflows are GEMM-bound with small elementwise passes between the products, so they
/// let OpenBLAS use the threads (`ILLUSION_THREADS`) instead of our chunked loops.
func useBLASThreadsForRecurrentWork() { BLASThreads.set(ComputeThreads.count) }

struct TrainCharLM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "char-lm",
        abstract: "Character-level language model: Embedding → L-layer LSTM/GRU/RNN → Linear, truncated BPTT over contiguous streams.")

    @Option(help: "Recurrent cell.") var arch: CharLMArchitecture = .lstm
    @Option(parsing: .upToNextOption, help: "UTF-8 text files, concatenated in the order given (make corpus installs Shakespeare).")
    var data: [String] = []
    @Option(name: .customLong("seq-len"), help: "Truncated-BPTT window T (characters per stream per step).") var seqLen: Int = 128
    @Option(help: "Hidden size H.") var hidden: Int = 256
    @Option(help: "Embedding size.") var embedding: Int = 256
    @Option(help: "Recurrent layers L.") var layers: Int = 2
    @Option(help: "Dropout between recurrent layers.") var dropout: Float = 0
    @Option(name: .customLong("batch-size"), help: "Contiguous streams B.") var batchSize: Int = 32
    @Option(help: "Adam learning rate.") var lr: Float = 2e-3
    @Option(name: .customLong("clip-grad-norm"), help: "Max global gradient norm (0 = off).") var clip: Float = 1
    @Option var epochs: Int = 1
    @Option(name: .customLong("max-steps"), help: "At most this many steps per epoch (0 = full passes).") var maxSteps: Int = 0
    @Option(name: .customLong("sample-length"), help: "Characters sampled after each epoch.") var sampleLength: Int = 400
    @Option var seed: UInt64 = 0
    @Option(help: "Run folder.") var out: String
    @Flag(help: "Continue the run in --out from its last checkpoint (up to --epochs in total).") var resume = false
    @Flag(help: "Print the final figures as one JSON object on stdout.") var json = false
    @Flag(help: "No progress output.") var quiet = false

    func run() throws {
        try runReportingErrors {
            guard !data.isEmpty else { throw ModelError.invalidArgument("--data: give at least one UTF-8 text file") }
            guard sampleLength >= 0 else { throw ModelError.invalidArgument("--sample-length must be ≥ 0, got \(sampleLength)") }
            guard maxSteps >= 0 else { throw ModelError.invalidArgument("--max-steps must be ≥ 0, got \(maxSteps)") }
            useBLASThreadsForRecurrentWork()
            var config = CharLMConfig(vocabulary: try CharVocabulary(characters: ["\n"]))
            config.architecture = arch; config.seqLen = seqLen; config.hidden = hidden; config.embedding = embedding
            config.layers = layers; config.dropout = dropout; config.batchSize = batchSize; config.learningRate = lr
            config.clipNorm = clip; config.epochs = epochs; config.maxSteps = maxSteps; config.seed = seed
            config.sampleLength = sampleLength
            let summary = try CharLMTraining.run(config: config, files: data, folder: RunFolder(path: out), resume: resume, quiet: quiet)
            if json { printJSON(summary) }
        }
    }
}

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate text from a trained text model (a char-lm run): the prompt, then N sampled characters.")

    @Option(name: .customLong("run"), help: "Run folder.") var runPath: String
    @Option(help: "Text that primes the model (every character must be in the run's vocabulary; empty = a newline).") var prompt: String = ""
    @Option(help: "Characters to generate (≥ 1).") var length: Int = 500
    @Option(help: "Softmax temperature τ > 0 (lower = more conservative).") var temperature: Float = 1
    @Option(name: .customLong("top-k"), help: "Sample only among the k most likely characters.") var topK: Int?
    @Option var seed: UInt64 = 0
    @Flag(help: "Print {\"text\": …} as one JSON object on stdout.") var json = false

    func run() throws {
        try runReportingErrors {
            useBLASThreadsForRecurrentWork()
            let text = try TextGeneration.generate(run: runPath, prompt: prompt, length: length, temperature: temperature,
                                                   topK: topK, seed: seed)
            if json { printJSON(["text": text]) } else { print(text) }
        }
    }
}
