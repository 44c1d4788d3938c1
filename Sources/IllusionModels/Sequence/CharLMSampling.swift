import Foundation

/// Sampling text from a char-LM: the prompt primes the state, then each character is drawn from
/// softmax(logits / τ), restricted to the k most likely when `topK` is set, with a seeded generator.
public enum CharLMSampling {
    /// The peers' default prime: a newline when the vocabulary has one, else the first character.
    public static func defaultPrompt(_ vocabulary: CharVocabulary) -> [Int] {
        [vocabulary.id(of: "\n") ?? 0]
    }

    /// `length` new ids after `prompt` (ids, non-empty).
    public static func sample(_ model: CharLanguageModel, prompt: [Int], length: Int, temperature: Float, topK: Int?,
                              rng: inout RandomGenerator) -> [Int] {
        require(!prompt.isEmpty, "CharLMSampling.sample: empty prompt")
        let wasTraining = model.isTraining
        model.setTraining(false)
        defer { model.setTraining(wasTraining) }
        var out: [Int] = []
        noGrad {
            var (logits, state) = model.forward(ids: prompt, batch: 1, steps: prompt.count, state: nil)
            let v = model.config.vocabulary.count
            for _ in 0..<length {
                let last = Array(logits.storage[(logits.count - v)...])
                let next = draw(last, temperature: temperature, topK: topK, rng: &rng)
                out.append(next)
                (logits, state) = model.forward(ids: [next], batch: 1, steps: 1, state: state)
            }
        }
        return out
    }

    /// One categorical draw from softmax(logits / τ) over the `topK` largest logits (all when nil).
    public static func draw(_ logits: [Float], temperature: Float, topK: Int?, rng: inout RandomGenerator) -> Int {
        var order = Array(0..<logits.count)
        if let k = topK, k < logits.count {
            order.sort { logits[$0] > logits[$1] }
            order = Array(order.prefix(max(1, k)))
        }
        let m = order.map { logits[$0] }.max()!
        let weights = order.map { Foundation.exp(Double(logits[$0] - m) / Double(temperature)) }
        let total = weights.reduce(0, +)
        var u = rng.nextDouble() * total
        for (i, w) in zip(order, weights) {
            u -= w
            if u < 0 { return i }
        }
        return order.last!
    }
}

/// Opening a trained char-LM run (`generate`, `eval`): the config with its vocabulary and the weights.
public enum CharLMRun {
    public static func config(of folder: RunFolder) throws -> CharLMConfig {
        let kind = try folder.readJSON(RunKind.self, from: "config.json").kind
        guard kind == "char-lm" else {
            throw ModelError.invalidRun("--run \(folder.path): this is a \(kind) run, not a char-lm run")
        }
        return try folder.readJSON(CharLMConfig.self, from: "config.json")
    }

    public static func load(_ folder: RunFolder) throws -> CharLanguageModel {
        try folder.requireExisting()
        let config = try config(of: folder)
        var rng = RandomGenerator(seed: 0)
        let model = CharLanguageModel(config: config, rng: &rng)
        try Checkpoint.load(model, from: folder.modelPath)
        return model
    }
}

/// Text generation for any run whose config names a text model. Dispatches on the run's `kind`
/// (today: "char-lm", the recurrent model; a transformer char-LM plugs in here with its own case).
public enum TextGeneration {
    public static func generate(run path: String, prompt: String, length: Int, temperature: Float, topK: Int?,
                                seed: UInt64) throws -> String {
        guard length >= 1 else { throw ModelError.invalidArgument("--length must be ≥ 1, got \(length)") }
        guard temperature > 0, temperature.isFinite else { throw ModelError.invalidArgument("--temperature must be positive, got \(temperature)") }
        if let topK, topK < 1 { throw ModelError.invalidArgument("--top-k must be ≥ 1, got \(topK)") }
        let folder = RunFolder(path: path)
        try folder.requireExisting()
        let kind = try folder.readJSON(RunKind.self, from: "config.json").kind
        switch kind {
        case "char-lm":
            let model = try CharLMRun.load(folder)
            let vocab = model.config.vocabulary
            let ids: [Int]
            do { ids = prompt.isEmpty ? CharLMSampling.defaultPrompt(vocab) : try vocab.encode(prompt) } catch let e as DatasetError {
                throw ModelError.invalidArgument("--prompt: \(e.description.replacingOccurrences(of: "invalid argument: ", with: ""))")
            }
            var rng = RandomGenerator(seed: seed)
            return prompt + vocab.decode(CharLMSampling.sample(model, prompt: ids, length: length, temperature: temperature,
                                                               topK: topK, rng: &rng))
        default:
            throw ModelError.invalidRun("--run \(path): generate is defined for text models (char-lm), this is a \(kind) run")
        }
    }
}
