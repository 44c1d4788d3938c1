import Foundation

/// Training a character-level language model (`illusion train char-lm`): truncated BPTT over B
/// contiguous streams with the state carried across batches (detached), Adam, gradient clipping
/// by global norm, a checkpoint (model + optimizer + RNG) after every epoch, a sample each epoch,
/// loss curves and report.html. The loop is self-contained here (the shared `Trainer` had not
/// landed when this was written); it follows `charlm_lstm.py` step for step so the two compare.
public enum CharLMTraining {
    /// Figures of a finished run (also `eval --json`).
    public struct Figures {
        public var validationNats: Double
        public var validationCharacters: Int
        public var bitsPerCharacter: Double { validationNats / log(2) }
        public var perplexity: Double { exp(validationNats) }
        public var json: [String: Any] {
            ["val_nats_per_char": validationNats, "val_bits_per_char": bitsPerCharacter, "val_perplexity": perplexity,
             "val_chars_scored": validationCharacters]
        }
    }

    /// Checks every flag and file before anything is written; returns the prepared corpus.
    public static func prepare(config: CharLMConfig, files: [String], vocabulary: CharVocabulary? = nil) throws -> CharLMCorpus {
        guard config.seqLen >= 1 else { throw ModelError.invalidArgument("--seq-len must be ≥ 1, got \(config.seqLen)") }
        guard config.batchSize >= 1 else { throw ModelError.invalidArgument("--batch-size must be ≥ 1, got \(config.batchSize)") }
        guard config.hidden >= 1, config.layers >= 1, config.embedding >= 1 else {
            throw ModelError.invalidArgument("--hidden, --layers and --embedding must be ≥ 1")
        }
        guard config.epochs >= 1 else { throw ModelError.invalidArgument("--epochs must be ≥ 1, got \(config.epochs)") }
        guard config.learningRate > 0 else { throw ModelError.invalidArgument("--lr must be positive, got \(config.learningRate)") }
        guard config.dropout >= 0 && config.dropout < 1 else { throw ModelError.invalidArgument("--dropout must be in [0, 1), got \(config.dropout)") }
        let corpus: CharLMCorpus
        do { corpus = try CharLMCorpus(corpus: TextCorpus(contentsOf: files), vocabulary: vocabulary) } catch let e as DatasetError {
            throw ModelError.invalidArgument("--data: \(e.description)")
        }
        let perStream = corpus.train.count / config.batchSize
        guard perStream - 1 >= config.seqLen else {
            throw ModelError.invalidArgument("--seq-len \(config.seqLen) is larger than the text: the training part (\(corpus.train.count) characters) " +
                "cut into \(config.batchSize) streams gives \(perStream) characters each, which must exceed the sequence length")
        }
        guard corpus.validation.count >= 2 else {
            throw ModelError.invalidArgument("--data: the text (\(corpus.characters) characters) leaves fewer than 2 characters for validation")
        }
        return corpus
    }

    /// Mean next-character loss (nats) over `data` cut into `batch` contiguous streams, the state
    /// carried across windows of `seqLen` (zero at each stream start), as the peer's `evaluate`.
    public static func evaluate(_ model: CharLanguageModel, _ data: [Int32], batch requested: Int, seqLen: Int) -> Figures {
        let batch = max(1, min(requested, data.count / 2))
        let (rows, s) = CharLMCorpus.streams(data, batch: batch)
        let wasTraining = model.isTraining
        model.setTraining(false)
        defer { model.setTraining(wasTraining) }
        var total: Double = 0, count = 0
        var state: RecurrentState? = nil
        noGrad {
            var i = 0
            while i < s - 1 {
                let n = min(seqLen, s - 1 - i)
                let (x, y) = CharLMCorpus.window(rows, start: i, length: n)
                let out = model.forward(ids: x, batch: batch, steps: n, state: state)
                state = out.state
                total += Double(crossEntropy(logits: out.logits, labels: y, reduction: .sum).scalar)
                count += y.count
                i += seqLen
            }
        }
        return Figures(validationNats: total / Double(max(count, 1)), validationCharacters: count)
    }

    /// Trains into `folder` (a new run, or continues it with `resume`). Returns the summary for `--json`.
    public static func run(config requested: CharLMConfig, files: [String], folder: RunFolder, resume: Bool,
                           quiet: Bool) throws -> [String: Any] {
        var config = requested
        var startEpoch = 1
        let existing = FileManager.default.fileExists(atPath: folder.modelPath)
        if resume {
            try folder.requireExisting()
            let saved = try CharLMRun.config(of: folder)
            guard saved.architecture == requested.architecture else {
                throw ModelError.invalidRun("--run \(folder.path): its checkpoint is a \(saved.architecture.rawValue) char-LM, not \(requested.architecture.rawValue)")
            }
            config = saved
            config.epochs = requested.epochs
        } else if existing {
            throw ModelError.invalidRun("--out \(folder.path) already holds a trained run; pass --resume to continue it or choose another folder")
        }
        let corpus = try prepare(config: config, files: files, vocabulary: resume ? config.vocabulary : nil)
        config.vocabulary = corpus.vocabulary
        config.dataFiles = files
        config.corpusCharacters = corpus.characters
        config.corpusSHA256 = corpus.sha256Prefix

        var rng = RandomGenerator(seed: config.seed)
        let model = CharLanguageModel(config: config, rng: &rng)
        let optimizer = Adam(parameters: model.parameters, learningRate: config.learningRate)
        if resume {
            try Checkpoint.load(model, from: folder.modelPath)
            let state = try TrainingState.load(from: folder, optimizers: [("optimizer.", optimizer)])
            rng = state.rng
            startEpoch = state.epoch + 1
            try folder.truncateMetrics(afterEpoch: state.epoch)
        }
        try folder.create()
        try folder.writeJSON(config, to: "config.json")
        if !resume { try? FileManager.default.removeItem(atPath: folder.metricsPath) }
        try? FileManager.default.createDirectory(atPath: folder.file("samples"), withIntermediateDirectories: true)

        let (rows, s) = CharLMCorpus.streams(corpus.train, batch: config.batchSize)
        let fullSteps = (s - 1) / config.seqLen
        let steps = config.maxSteps > 0 ? min(config.maxSteps, fullSteps) : fullSteps
        let charsPerStep = config.batchSize * config.seqLen
        if !quiet {
            logLine("char-lm: \(config.architecture.rawValue) \(config.layers)×\(config.hidden), vocabulary \(corpus.vocabulary.count), " +
                    "\(corpus.train.count) train / \(corpus.validation.count) validation characters, \(steps) steps/epoch of \(charsPerStep) characters, " +
                    "\(model.parameterCounts.trainable) parameters")
        }
        var summary: [String: Any] = [:]
        var lastFigures: Figures? = nil
        if startEpoch > config.epochs {
            lastFigures = evaluate(model, corpus.validation, batch: config.evalBatch, seqLen: config.seqLen)
        }
        for epoch in startEpoch...max(startEpoch, config.epochs) where epoch <= config.epochs {
            model.setTraining(true)
            var state: RecurrentState? = nil
            var stepTimes: [Double] = [], gradNorms: [Double] = [], losses: [Double] = []
            let progress = ProgressReporter(label: "epoch \(epoch)/\(config.epochs)", total: steps, quiet: quiet)
            let epochStart = Date()
            for i in 0..<steps {
                let t0 = Date()
                let (x, y) = CharLMCorpus.window(rows, start: i * config.seqLen, length: config.seqLen)
                let out = model.forward(ids: x, batch: config.batchSize, steps: config.seqLen, state: state?.detached())
                let loss = crossEntropy(logits: out.logits, labels: y)
                state = out.state
                optimizer.zeroGrad()
                loss.backward()
                if config.clipNorm > 0 { gradNorms.append(Double(clipGradientNorm(parameters: model.parameters, maxNorm: config.clipNorm))) }
                optimizer.step()
                let value = Double(loss.scalar)
                guard value.isFinite else {
                    throw ModelError.trainingDiverged("char-lm: the training loss became \(value) at epoch \(epoch) step \(i + 1); lower --lr")
                }
                losses.append(value)
                stepTimes.append(Date().timeIntervalSince(t0))
                let shown = losses.suffix(50)
                progress.update(done: i + 1, images: (i + 1) * charsPerStep,
                                figures: [("loss", shown.reduce(0, +) / Double(shown.count))])
            }
            let epochSeconds = Date().timeIntervalSince(epochStart)
            let figures = evaluate(model, corpus.validation, batch: config.evalBatch, seqLen: config.seqLen)
            lastFigures = figures
            var sampleRNG = RandomGenerator(seed: config.seed &+ UInt64(epoch))
            let sample = CharLMSampling.sample(model, prompt: CharLMSampling.defaultPrompt(config.vocabulary), length: config.sampleLength,
                                               temperature: 1, topK: nil, rng: &sampleRNG)
            let sampleText = config.vocabulary.decode(sample)
            try writeFileAtomically(folder.file("samples/epoch_\(epoch).txt"), text: sampleText + "\n")
            let steady = stepTimes.count > 1 ? Array(stepTimes.dropFirst()) : stepTimes
            let median = steady.sorted()[steady.count / 2]
            let trainLoss = losses.reduce(0, +) / Double(max(losses.count, 1))
            var line: [String: Any] = [
                "epoch": epoch, "steps": steps, "epoch_s": epochSeconds, "train_loss": trainLoss, "train_bpc": trainLoss / log(2),
                "chars_per_s_median": Double(charsPerStep) / median, "chars_per_s_mean": Double(steps * charsPerStep) / epochSeconds,
                "train_loss_curve": stride(from: 0, to: losses.count, by: max(1, losses.count / 200)).map { losses[$0] },
            ]
            if !gradNorms.isEmpty { line["grad_norm_mean"] = gradNorms.reduce(0, +) / Double(gradNorms.count) }
            for (k, v) in figures.json { line[k] = v }
            try folder.appendMetrics(line)
            try Checkpoint.save(model, to: folder.modelPath)
            try TrainingState(rng: rng, epoch: epoch, step: epoch * steps).save(to: folder, optimizers: [("optimizer.", optimizer)])
            if !quiet {
                logLine(String(format: "epoch %d: train %.4f nats/char, validation %.4f nats = %.4f bits/char (perplexity %.2f), %.0f chars/s (median step)",
                               epoch, trainLoss, figures.validationNats, figures.bitsPerCharacter, figures.perplexity, Double(charsPerStep) / median))
                logLine("sample (epoch \(epoch)):\n\(sampleText)\n")
            }
            summary = line
            summary.removeValue(forKey: "train_loss_curve")
            summary["sample"] = sampleText
            try CharLMReport.write(folder: folder, config: config)
        }
        if let f = lastFigures { for (k, v) in f.json { summary[k] = v } }
        summary["run"] = folder.path
        summary["corpus_characters"] = corpus.characters
        summary["corpus_sha256_12"] = corpus.sha256Prefix
        summary["vocab_size"] = corpus.vocabulary.count
        summary["parameters"] = model.parameterCounts.trainable
        return summary
    }
}
