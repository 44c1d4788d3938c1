import ArgumentParser
import Foundation
import IllusionModels

/// `illusion train char-lm --arch transformer …`: a GPT-style character model with nanoGPT's
/// architecture and CPU recipe (defaults = ../shared/peers/charlm_transformer.py).
struct TrainCharLM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "char-lm",
        abstract: "A character language model on UTF-8 text files (transformer: nanoGPT's architecture and CPU recipe).")

    @Option(parsing: .upToNextOption, help: "UTF-8 text files, concatenated in this order (first 90 % train, last 10 % validation).")
    var data: [String] = []
    @Option(help: "Architecture: transformer (the recurrent lstm|gru|rnn come from the recurrent branch).") var arch: String = "transformer"
    @Option(help: "Decoder blocks.") var layers: Int = 4
    @Option(help: "Attention heads per block (must divide --embed).") var heads: Int = 4
    @Option(help: "Embedding width.") var embed: Int = 128
    @Option(help: "Context length in characters.") var block: Int = 64
    @Flag(help: "Biases in every Linear and LayerNorm (nanoGPT default: none).") var bias = false
    @Flag(name: .customLong("untied-head"), help: "Separate output head instead of sharing the token embedding.") var untiedHead = false
    @Option(help: "Optimizer steps.") var steps: Int = 2000
    @Option(name: .customLong("batch-size"), help: "Windows per step.") var batchSize: Int = 12
    @Option(help: "AdamW peak learning rate.") var lr: Float = 1e-3
    @Option(name: .customLong("min-lr")) var minLR: Float = 1e-4
    @Option(name: .customLong("warmup-steps")) var warmupSteps: Int = 100
    @Option(name: .customLong("weight-decay"), help: "AdamW decay on the ≥ 2-D weights.") var weightDecay: Float = 0.1
    @Option(name: .customLong("clip-grad-norm"), help: "0 = off.") var clip: Float = 1.0
    @Option(name: .customLong("eval-interval"), help: "Steps between metrics lines and checkpoints.") var evalInterval: Int = 250
    @Option(name: .customLong("sample-length"), help: "Characters sampled at the end (samples.txt, attention.png).") var sampleLength: Int = 500
    @Option(help: "Prompt of the final sample.") var prompt: String = "\n"
    @Option var temperature: Float = 1.0
    @Option(name: .customLong("top-k")) var topK: Int = 0
    @Option var threads: Int?
    @Option var seed: UInt64 = 0
    @Flag(help: "Continue the run in --out from its last checkpoint.") var resume = false
    @Option(help: "Run folder.") var out: String
    @Flag(help: "Print the final figures as one JSON object on stdout.") var json = false
    @Flag(help: "No progress output.") var quiet = false

    func run() throws {
        try runReportingErrors {
            guard arch == "transformer" else {
                throw ModelError.invalidArgument("--arch \(arch): this build trains only --arch transformer (lstm, gru and rnn come with the recurrent models)")
            }
            guard !data.isEmpty else { throw ModelError.invalidArgument("--data: give one or more UTF-8 text files") }
            if let threads { CharTransformerWorkflow.configureThreads(threads) }
            let corpus = try TextCorpus(paths: data)
            let model = CharTransformerConfig(vocabularySize: corpus.vocabulary.count, blockSize: block, layers: layers, heads: heads,
                                              width: embed, bias: bias, tiedHead: !untiedHead)
            var recipe = TransformerRecipe()
            recipe.steps = steps; recipe.batch = batchSize; recipe.learningRate = lr; recipe.minLearningRate = minLR
            recipe.warmupSteps = warmupSteps; recipe.weightDecay = weightDecay; recipe.gradientClip = clip; recipe.seed = seed
            let config = CharTransformerRunConfig(model: model, recipe: recipe, vocabulary: corpus.vocabulary, data: data,
                                                  evalInterval: evalInterval)
            var options = CharTransformerWorkflow.Options()
            options.resume = resume; options.quiet = quiet; options.sampleLength = sampleLength; options.prompt = prompt
            options.sampling = TokenSampling(temperature: temperature, topK: topK); options.sampleSeed = seed
            let summary = try CharTransformerWorkflow.train(config, corpus: corpus, folder: RunFolder(path: out), options: options)
            if json { printJSON(summary) } else if let s = summary["sample"] as? String { print(s) }
        }
    }
}
