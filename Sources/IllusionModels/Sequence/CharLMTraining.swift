import Foundation

/// Training a character-level language model (`illusion train char-lm`): truncated BPTT over B
/// contiguous streams with the state carried across batches (detached), Adam, gradient clipping
/// by global norm, a sample each epoch, loss curves and report.html, on the shared ``Trainer``
/// (checkpoints at epoch ends and every `--checkpoint-every` steps, resumable mid-epoch with the
/// carried state). It follows `charlm_lstm.py` step for step so the two compare.
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

    /// Trains into `folder` on the shared ``Trainer`` (a new run, or continues it with `resume`
    /// from its newest verified checkpoint or `resumeFrom`). Returns the summary for `--json`.
    /// `config.loop` sets the checkpoint cadence (`--checkpoint-every`, `--keep-checkpoints`);
    /// clipping is `config.clipNorm`, the schedule constant, as `charlm_lstm.py`.
    public static func run(config requested: CharLMConfig, files: [String], folder: RunFolder, resume: Bool,
                           resumeFrom: String? = nil, quiet: Bool, compute: ComputeContext? = nil) throws -> [String: Any] {
        var config = requested
        let resuming = resume || resumeFrom != nil
        let existing = FileManager.default.fileExists(atPath: folder.modelPath)
        if resuming {
            try folder.requireExisting()
            let saved = try CharLMRun.config(of: folder)
            guard saved.architecture == requested.architecture else {
                throw ModelError.invalidRun("--run \(folder.path): its checkpoint is a \(saved.architecture.rawValue) char-LM, not \(requested.architecture.rawValue)")
            }
            config = saved
            if requested.epochs > 0 { config.epochs = requested.epochs }   // 0: keep the run's own total
            if let loop = requested.loop { config.loop = TrainingLoopOptions.resumed(saved.loop, checkpointing: (loop.checkpointEvery, loop.keepCheckpoints)) }
        } else if existing {
            throw ModelError.invalidRun("--out \(folder.path) already holds a trained run; pass --resume to continue it or choose another folder")
        }
        let files = files.isEmpty && resuming ? config.dataFiles : files
        let corpus = try prepare(config: config, files: files, vocabulary: resuming ? config.vocabulary : nil)
        if resuming && !config.corpusSHA256.isEmpty && corpus.sha256Prefix != config.corpusSHA256 {
            throw ModelError.invalidRun("--data: not the text \(folder.path) was trained on (corpus sha256 \(corpus.sha256Prefix), the run's \(config.corpusSHA256)); omit --data to read the run's own files")
        }
        config.vocabulary = corpus.vocabulary
        config.dataFiles = files
        config.corpusCharacters = corpus.characters
        config.corpusSHA256 = corpus.sha256Prefix

        var rng = RandomGenerator(seed: config.seed)
        let model = CharLanguageModel(config: config, rng: &rng)
        let task = CharLMTask(model: model, corpus: corpus, config: config, folder: folder, quiet: quiet)
        var loop = config.loop ?? TrainingLoopOptions()
        loop.clipGradNorm = config.clipNorm > 0 ? config.clipNorm : nil
        loop.schedule = .constant
        loop.logEvery = max(1, min(config.maxSteps > 0 ? config.maxSteps : task.stepsPerEpoch, task.stepsPerEpoch) / 200)
        let checkpoint = resuming ? try CheckpointStore(run: folder).checkpointToResume(from: resumeFrom) : nil
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let trainer = try Trainer(task: task, run: folder, epochs: config.epochs, maxStepsPerEpoch: config.maxSteps, loop: loop,
                                  rng: rng, configJSON: [UInt8](try encoder.encode(config)) + [10], monitorMode: .minimum)
        trainer.quiet = quiet
        trainer.compute = compute
        if let checkpoint { try trainer.restore(from: checkpoint) }
        try? FileManager.default.createDirectory(atPath: folder.file("samples"), withIntermediateDirectories: true)
        if !quiet {
            logLine("char-lm: \(config.architecture.rawValue) \(config.layers)×\(config.hidden), vocabulary \(corpus.vocabulary.count), " +
                    "\(corpus.train.count) train / \(corpus.validation.count) validation characters, \(trainer.stepsPerEpoch) steps/epoch of \(task.batchSize) characters, " +
                    "\(model.parameterCounts.trainable) parameters")
        }
        let trained = try trainer.fit()
        var summary: [String: Any] = [:]
        let figures: Figures
        if let last = trained.last {
            summary = ["epoch": last.epoch, "steps": trainer.stepsPerEpoch, "epoch_s": last.training.seconds,
                       "train_loss": last.training["loss"], "train_bpc": last.training["loss"] / log(2),
                       "chars_per_s_median": last.training.examplesPerSecond,
                       "chars_per_s_mean": Double(last.training.examples) / max(last.training.seconds, 1e-9)]
            figures = task.lastFigures!
            summary["sample"] = task.lastSample
        } else {
            figures = evaluate(model, corpus.validation, batch: config.evalBatch, seqLen: config.seqLen)
        }
        for (k, v) in figures.json { summary[k] = v }
        summary["run"] = folder.path
        summary["corpus_characters"] = corpus.characters
        summary["corpus_sha256_12"] = corpus.sha256Prefix
        summary["vocab_size"] = corpus.vocabulary.count
        summary["parameters"] = model.parameterCounts.trainable
        return summary
    }
}

/// The char-LM's part of the shared loop: truncated BPTT over B contiguous streams, step i reading
/// window [i·T, i·T + T) of every stream with the state of step i − 1 carried in (detached; zero
/// at each epoch's start), Adam on the mean next-character cross-entropy. The carried state and the
/// recurrent layer's dropout generator are checkpointed (``saveState(into:)``), so a run resumed in
/// the middle of an epoch continues with the same state and masks as the uninterrupted one.
final class CharLMTask: TrainingTask {
    let lm: CharLanguageModel
    let corpus: CharLMCorpus
    let config: CharLMConfig
    let folder: RunFolder
    let quiet: Bool
    let optimizer: Adam
    let rows: [[Int32]]
    let windows: Int
    /// The state the next step starts from (nil: zero).
    var carried: RecurrentState?
    /// Restored from a checkpoint (all B streams); becomes `pending` when the epoch (re)starts.
    var restored: RecurrentState?
    /// The state of all B streams the next step starts from: this rank takes its streams out of it.
    var pending: RecurrentState?
    /// The last step's part of the streams (data-parallel: rank r owns streams r, r + W, …).
    var shard: BatchShard?
    var lastFigures: CharLMTraining.Figures?
    var lastSample = ""

    init(model: CharLanguageModel, corpus: CharLMCorpus, config: CharLMConfig, folder: RunFolder, quiet: Bool) {
        lm = model; self.corpus = corpus; self.config = config; self.folder = folder; self.quiet = quiet
        optimizer = Adam(parameters: model.parameters, learningRate: config.learningRate)
        let streams = CharLMCorpus.streams(corpus.train, batch: config.batchSize)
        rows = streams.rows
        windows = (streams.length - 1) / config.seqLen
    }

    var model: Layer { lm }
    var checkpointFormat: String { "illusioncraft-char-lm" }
    var optimizers: [(prefix: String, optimizer: Optimizer)] { [("optimizer.", optimizer)] }
    var stepsPerEpoch: Int { windows }
    /// Characters per step (B streams × T).
    var batchSize: Int { config.batchSize * config.seqLen }
    var exampleUnit: String { "chars" }

    func beginEpoch(_ epoch: Int, rng: inout RandomGenerator) throws {
        carried = nil
        pending = restored
        restored = nil
    }

    func step(_ index: Int, epoch: Int, rng: inout RandomGenerator, context: StepContext) throws -> StepOutcome {
        // Data-parallel: this rank's streams (b = B/W of them); one process: all B.
        let shard = try context.shard(rows: config.batchSize)
        try shard.requireEqualParts(config.batchSize, of: "contiguous streams")
        self.shard = shard
        if let pending { carried = pending.streams(of: shard); self.pending = nil }
        // x, y: [b·T] ids of window `index` of this rank's streams and the characters after them.
        let (x, y) = CharLMCorpus.window(shard.pick(rows), start: index * config.seqLen, length: config.seqLen)
        let out = lm.forward(ids: x, batch: shard.localCount, steps: config.seqLen, state: carried?.detached())
        let loss = crossEntropy(logits: out.logits, labels: y)
        carried = out.state.detached()
        let value = try context.minimize(loss, with: optimizer)
        return StepOutcome(figures: [("loss", Double(value))], examples: shard.localCount * config.seqLen)
    }

    func endEpoch(_ epoch: Int, training: EpochTrainingFigures) throws -> EpochOutcome {
        carried = nil   // the next epoch starts from the zero state; epoch-end checkpoints hold none
        let figures = CharLMTraining.evaluate(lm, corpus.validation, batch: config.evalBatch, seqLen: config.seqLen)
        lastFigures = figures
        let logged: [(name: String, value: Double)] = [
            ("train_bpc", training["loss"] / log(2)), ("val_nats_per_char", figures.validationNats),
            ("val_bits_per_char", figures.bitsPerCharacter), ("val_perplexity", figures.perplexity),
            ("val_chars_scored", Double(figures.validationCharacters)),
        ]
        return EpochOutcome(figures: logged, monitored: figures.validationNats)
    }

    func epochCommitted(_ record: EpochRecord) throws {
        var sampleRNG = RandomGenerator(seed: config.seed &+ UInt64(record.epoch))
        let sample = CharLMSampling.sample(lm, prompt: CharLMSampling.defaultPrompt(config.vocabulary), length: config.sampleLength,
                                           temperature: 1, topK: nil, rng: &sampleRNG)
        lastSample = config.vocabulary.decode(sample)
        try writeFileAtomically(folder.file("samples/epoch_\(record.epoch).txt"), text: lastSample + "\n")
        if !quiet, let f = lastFigures {
            logLine(String(format: "epoch %d: validation %.4f nats = %.4f bits/char (perplexity %.2f)", record.epoch,
                           f.validationNats, f.bitsPerCharacter, f.perplexity))
            logLine("sample (epoch \(record.epoch)):\n\(lastSample)\n")
        }
        try CharLMReport.write(folder: folder, config: config, stepsPerEpoch: config.maxSteps > 0 ? min(config.maxSteps, windows) : windows)
    }

    func saveState(into file: inout SafeTensors) throws {
        let g = lm.recurrent.generator
        file.set("task.recurrent_rng", shape: [2], int64s: [Int64(bitPattern: g.state), Int64(bitPattern: g.increment)])
        // All B streams: gathered from the ranks under mpirun (every rank commits at the same step).
        guard let state = carried.map({ state in
            guard let shard, shard.worldSize > 1, let sum = BatchShard.crossReplicaSum else { return state }
            return state.gatheredStreams(shard, sum: sum)
        }) ?? pending else { return }
        file.set("task.carried_hidden", state.hidden)
        if let cell = state.cell { file.set("task.carried_cell", cell) }
    }

    func restoreState(from file: SafeTensors) throws {
        let names = Set(file.names)
        if names.contains("task.recurrent_rng") {
            let r = try file.int64s("task.recurrent_rng")
            guard r.count == 2 else { throw ModelError.invalidRun("training_state.safetensors: task.recurrent_rng must hold 2 values") }
            lm.recurrent.generator = RandomGenerator(state: UInt64(bitPattern: r[0]), increment: UInt64(bitPattern: r[1]))
        }
        guard names.contains("task.carried_hidden") else { restored = nil; return }
        let hidden = try file.tensor("task.carried_hidden")
        let expected = [config.layers, config.batchSize, config.hidden]
        guard hidden.shape == expected else {
            throw ModelError.invalidRun("training_state.safetensors: task.carried_hidden has shape \(hidden.shape), expected \(expected)")
        }
        restored = RecurrentState(hidden: hidden, cell: names.contains("task.carried_cell") ? try file.tensor("task.carried_cell") : nil)
    }
}
