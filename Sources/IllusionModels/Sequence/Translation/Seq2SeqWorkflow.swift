import Foundation

/// `illusion train seq2seq`: generate the date task, train the encoder–decoder on the shared
/// ``Trainer`` (best epoch by validation exact match), then on the held-out test dates: greedy and
/// beam-search exact match, teacher-forced against free-running accuracy, the attention picture,
/// curves, test_metrics.json, samples.txt and report.html.
public enum Seq2SeqWorkflow {
    /// The three generated sets of a run (disjoint by calendar date).
    public static func data(_ options: Seq2SeqTrainingOptions) throws -> (train: Seq2SeqExamples, validation: Seq2SeqExamples, test: Seq2SeqExamples) {
        (try Seq2SeqExamples(DateNormalizationTask.examples(.train, count: options.trainSize, seed: options.seed)),
         try Seq2SeqExamples(DateNormalizationTask.examples(.validation, count: options.validationSize, seed: options.seed)),
         try Seq2SeqExamples(DateNormalizationTask.examples(.test, count: options.testSize, seed: options.seed)))
    }

    public static func resume(folder: RunFolder, overridingEpochs epochs: Int?, from path: String? = nil,
                              checkpointing: (every: Int, keep: Int)? = nil, quiet: Bool = false) throws -> [String: Any] {
        try folder.requireExisting()
        var config = try folder.readJSON(Seq2SeqRunConfig.self, from: "config.json")
        guard config.kind == "seq2seq" else { throw ModelError.invalidRun("--out \(folder.path): this is a \(config.kind) run, not a seq2seq run") }
        if let epochs { config.training.epochs = epochs }
        config.training.loop = TrainingLoopOptions.resumed(config.training.loop, checkpointing: checkpointing)
        let checkpoint = try CheckpointStore(run: folder).checkpointToResume(from: path)
        return try run(config, folder: folder, quiet: quiet, resumeFrom: checkpoint)
    }

    public static func run(_ config: Seq2SeqRunConfig, folder: RunFolder, quiet: Bool = false,
                           resumeFrom: CommittedCheckpoint? = nil) throws -> [String: Any] {
        try config.model.validate()
        try config.training.validate()
        try config.training.loop?.validate()
        let started = Date()
        let sets = try data(config.training)
        var rng = RandomGenerator(seed: config.training.seed)
        let model = AttentionSeq2Seq(config.model, rng: &rng)
        if !quiet {
            logLine("training \(model.summaryName), \(model.parameterCounts.trainable) parameters, on \(sets.train.count) generated dates (validation \(sets.validation.count), test \(sets.test.count), disjoint by date); run folder \(folder.path)")
        }
        let task = Seq2SeqTask(model: model, options: config.training, train: sets.train, validation: sets.validation)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let trainer = try Trainer(task: task, run: folder, epochs: config.training.epochs, maxStepsPerEpoch: config.training.maxStepsPerEpoch,
                                  loop: config.training.loop ?? .init(), rng: RandomGenerator(seed: config.training.seed, stream: 0x7332_7332),
                                  configJSON: [UInt8](try encoder.encode(config)) + [10], monitorMode: .maximum, modelIsBest: true)
        trainer.quiet = quiet
        if let resumeFrom { try trainer.restore(from: resumeFrom) }
        try trainer.fit()
        let trainingSeconds = Date().timeIntervalSince(started)
        let best = CheckpointStore(run: folder).bestPath
        if FileManager.default.fileExists(atPath: best) {
            try Checkpoint.load(model, from: (best as NSString).appendingPathComponent("model.safetensors"))
        }
        model.setTraining(false)

        // Held-out test dates.
        let test = Seq2SeqEvaluator.evaluate(model, sets.test)
        let beamMatch = config.training.beam > 1 ? Seq2SeqEvaluator.beamExactMatch(model, sets.test, beam: config.training.beam) : test.exactMatch
        let decoded = Seq2SeqDecoding.translate(model, sets.test.sources)
        var samples = ""
        for (e, d) in zip(sets.test.texts, decoded).prefix(40) {
            samples += "\(e.source)\t\(d.text)\t\(d.ids == DateVocabulary.encodeTarget(e.target) ? "ok" : "WRONG (\(e.target))")\n"
        }
        let wrong = zip(sets.test.texts, decoded).filter { $0.1.ids != DateVocabulary.encodeTarget($0.0.target) }
        samples += "\n# \(wrong.count) wrong of \(sets.test.count) (greedy)\n"
        for (e, d) in wrong.prefix(40) { samples += "\(e.source)\t\(d.text)\t(\(e.target))\n" }
        try writeFileAtomically(folder.file("samples.txt"), bytes: Array(samples.utf8))
        if config.model.attention {
            let shown = pictureExamples(sets.test, decoded)
            try Seq2SeqAttentionPicture.render(shown).writePNG(to: folder.file("attention.png"))
        }
        let history = trainer.history
        // Curves over every epoch of the run (a resumed run's earlier epochs come from metrics.jsonl).
        let lines = folder.readMetrics().filter { ($0["kind"] as? String) == "epoch" }
        try LineChart(title: "Seq2seq training", yLabel: "", series: [
            .init(name: "train loss (nats/char)", values: lines.map { ($0["train_loss"] as? Double) ?? .nan }),
            .init(name: "validation exact match", values: lines.map { ($0["val_exact_match"] as? Double) ?? .nan }),
        ]).writePNG(to: folder.file("curves.png"))
        let metrics: [String: Any] = [
            "test_exact_match_greedy": test.exactMatch, "test_exact_match_beam": beamMatch, "beam": config.training.beam,
            "test_char_accuracy_free_running": test.characterAccuracyFreeRunning,
            "test_char_accuracy_teacher_forced": test.characterAccuracyTeacherForced,
            "test_exact_match_teacher_forced": test.exactMatchTeacherForced, "test_loss": test.loss, "test_examples": test.examples,
        ]
        try writeFileAtomically(folder.file("test_metrics.json"), bytes: [UInt8](try JSONSerialization.data(withJSONObject: metrics, options: [.prettyPrinted, .sortedKeys])) + [10])
        var summary = metrics
        summary["run"] = folder.path; summary["kind"] = config.kind; summary["attention"] = config.model.attention
        summary["arch"] = config.model.arch.rawValue; summary["epochs"] = lines.count
        summary["best_epoch"] = trainer.progress.bestEpoch ?? 0; summary["parameters"] = model.parameterCounts.trainable
        summary["wall_seconds"] = Date().timeIntervalSince(started); summary["training_seconds"] = trainingSeconds
        let speeds = history.map(\.training.examplesPerSecond).sorted()
        summary["examples_per_s"] = speeds.isEmpty ? 0 : speeds[speeds.count / 2]
        try writeReport(folder: folder, config: config, summary: summary, wrong: wrong.prefix(20).map { ($0.0.source, $0.1.text, $0.0.target) })
        if !quiet {
            logLine(String(format: "test exact match %.2f%% greedy, %.2f%% beam %d (%d held-out dates); characters right %.2f%% free running, %.2f%% teacher forced",
                           100 * test.exactMatch, 100 * beamMatch, config.training.beam, test.examples,
                           100 * test.characterAccuracyFreeRunning, 100 * test.characterAccuracyTeacherForced))
            logLine("wrote \(folder.file("report.html"))")
        }
        return summary
    }

    /// A few test examples of different formats for the attention picture (wrong ones first, if any).
    static func pictureExamples(_ test: Seq2SeqExamples, _ decoded: [Seq2SeqDecoding.Decoded]) -> [(source: String, decoded: Seq2SeqDecoding.Decoded)] {
        var chosen: [(source: String, decoded: Seq2SeqDecoding.Decoded)] = []
        var shapes = Set<String>()
        for (e, d) in zip(test.texts, decoded) where chosen.count < 5 {
            // One example per "shape" (letters → a, digits → 9) so the panels show different formats.
            let shape = String(e.source.map { $0.isLetter ? "a" : ($0.isNumber ? "9" : $0) }.prefix(6))
            if shapes.insert(shape).inserted { chosen.append((e.source, d)) }
        }
        return chosen
    }

    static func writeReport(folder: RunFolder, config: Seq2SeqRunConfig, summary: [String: Any], wrong: [(String, String, String)]) throws {
        func pct(_ key: String) -> String { String(format: "%.2f %%", 100 * ((summary[key] as? Double) ?? .nan)) }
        var report = HTMLReport(title: "IllusionCraft — date normalisation, encoder–decoder\(config.model.attention ? " with additive attention" : " without attention")",
                                subtitle: "run folder \(folder.path)")
        let m = config.model, t = config.training
        report.addKeyValueTable([
            ("model", "char Embedding(\(DateVocabulary.sourceCount), \(m.embedding)) → bidirectional \(m.arch.displayName) \(m.hidden) → decoder \(m.arch.displayName) \(m.hidden)" + (m.attention ? ", additive attention \(m.attentionSize)" : ", fixed context (no attention)")),
            ("parameters", "\(summary["parameters"] ?? 0)"),
            ("data", "\(t.trainSize) training, \(t.validationSize) validation, \(t.testSize) test dates (disjoint by date), \(DateNormalizationTask.formats.count) formats, seed \(t.seed)"),
            ("training", "Adam \(t.learningRate), batch \(t.batchSize), \(summary["epochs"] ?? 0) epochs, teacher forcing; best epoch \(summary["best_epoch"] ?? 0)"),
            ("test exact match (greedy)", pct("test_exact_match_greedy")),
            ("test exact match (beam \(t.beam))", pct("test_exact_match_beam")),
            ("characters right: free running / teacher forced", pct("test_char_accuracy_free_running") + " / " + pct("test_char_accuracy_teacher_forced")),
        ])
        if let png = try? [UInt8](Data(contentsOf: URL(fileURLWithPath: folder.file("curves.png")))) { report.addPNG(png, caption: "training loss and validation exact match per epoch") }
        if m.attention, let png = try? [UInt8](Data(contentsOf: URL(fileURLWithPath: folder.file("attention.png")))) {
            report.addPNG(png, caption: "attention weights of held-out examples: rows are output characters ($ = end), columns input characters", pixelated: true)
        }
        if !wrong.isEmpty { report.addTable(header: ["input", "output", "expected"], rows: wrong.map { [$0.0, $0.1, $0.2] }, caption: "wrong test outputs (greedy)") }
        try report.write(to: folder.file("report.html"))
    }
}
