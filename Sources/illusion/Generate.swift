import ArgumentParser
import Foundation
import IllusionModels

/// `illusion generate --run DIR --prompt TEXT`: continues a prompt with a trained char model.
struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Continue a prompt with a trained character model (transformer: key/value cache, one step per new character).")

    @Option(name: .customLong("run"), help: "Run folder of `illusion train char-lm`.") var runPath: String
    @Option(help: "Text to continue; longer than the block size it is cropped to its last --block characters.") var prompt: String = "\n"
    @Option(help: "Characters to generate.") var length: Int = 500
    @Option var temperature: Float = 1.0
    @Option(name: .customLong("top-k"), help: "Sample from the k most likely characters only (0 = all).") var topK: Int = 0
    @Option var seed: UInt64 = 0
    @Flag(name: .customLong("no-cache"), help: "Re-run the whole window for every character (nanoGPT's sampling loop).") var noCache = false
    @Option(help: "Also draw every head's attention weights over the prompt + generated text's first block to this PNG.") var attention: String?
    @Flag(help: "Print the text and timing as one JSON object.") var json = false

    func run() throws {
        try runReportingErrors {
            guard length >= 0 && length <= 1_000_000 else { throw ModelError.invalidArgument("--length must be in 0…1000000, got \(length)") }
            guard temperature > 0 else { throw ModelError.invalidArgument("--temperature must be positive, got \(temperature)") }
            guard topK >= 0 else { throw ModelError.invalidArgument("--top-k must be ≥ 0, got \(topK)") }
            let (config, model) = try CharTransformerWorkflow.load(RunFolder(path: runPath))
            guard !prompt.isEmpty else { throw ModelError.invalidArgument("--prompt must have at least one character") }
            let ids: [Int]
            do { ids = try config.vocabulary.encode(prompt) } catch { throw ModelError.invalidArgument("--prompt: \(error)") }
            var rng = RandomGenerator(seed: seed)
            let start = Date()
            let tokens = model.generate(prompt: ids, count: length, sampling: TokenSampling(temperature: temperature, topK: topK),
                                        useCache: !noCache, rng: &rng)
            let seconds = Date().timeIntervalSince(start)
            let text = config.vocabulary.decode(tokens)
            if let attention {
                let line = Array((ids + tokens).suffix(config.model.blockSize))
                try AttentionPicture.render(maps: model.attentionMaps(tokens: line), text: line.map { config.vocabulary.characters[$0] })
                    .writePNG(to: attention)
            }
            if json {
                printJSON(["text": text, "prompt_chars_used": min(ids.count, config.model.blockSize), "seconds": seconds,
                           "chars_per_s": seconds > 0 ? Double(length) / seconds : 0, "cache": !noCache])
            } else {
                print(prompt + text)
            }
        }
    }
}
