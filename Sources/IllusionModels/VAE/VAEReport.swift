import Foundation

/// report.html of a VAE run: how it was made (command, version, commit, date), configuration,
/// test figures, a per-epoch table and loss curves, samples, reconstructions, the interpolation,
/// latent plots and the per-epoch sample progression — self-contained (images inlined).
public enum VAEReport {
    /// `commandLine` defaults to this process's arguments (the command that trained or resumed the run).
    public static func write(run: RunFolder, config: VAERunConfig, test: VAEEvaluation,
                             commandLine: [String] = CommandLine.arguments, date: Date = Date()) throws {
        let m = config.model, t = config.training
        var report = HTMLReport(title: "IllusionCraft — \(m.architecture.rawValue) VAE on \(config.dataset.name)",
                                subtitle: "run folder \(run.path)")
        report.addKeyValueTable(provenance(commandLine: commandLine, date: date))
        report.addSection("Test figures (mean nats per image)")
        var rows: [(String, String)] = [
            ("negative ELBO", String(format: "%.3f", test.negElbo)),
            ("reconstruction  −ln p(x|z)", String(format: "%.3f", test.reconstruction)),
            ("KL(q(z|x) ‖ N(0, I))", String(format: "%.3f", test.kl)),
        ]
        if let iwae = test.iwaeNLL {
            rows.append(("IWAE bound −ln p(x), K = \(test.iwaeSamples) (\(test.iwaeImages) images)", String(format: "%.3f", iwae)))
        }
        rows += [("active units (Cov > 0.01)", "\(test.activeUnits) of \(m.latentDim)"), ("test images", "\(test.images)")]
        report.addKeyValueTable(rows)
        report.addSection("Configuration")
        report.addKeyValueTable([
            ("architecture", m.architecture.rawValue), ("latent dimension", "\(m.latentDim)"),
            ("input", m.inputShape.map(String.init).joined(separator: "×")), ("likelihood", m.likelihood.rawValue),
            ("epochs", "\(t.epochs)"), ("batch size", "\(t.batchSize)"), ("Adam learning rate", "\(t.learningRate)"),
            ("β", "\(t.beta)"), ("KL warm-up", t.klWarmupEpochs > 0 ? "\(t.klWarmupEpochs) epochs, \(t.klSchedule)" : "off"),
            ("seed", "\(t.seed)"),
        ])
        report.addSection("Training, per epoch")
        let validationName = t.validationFraction > 0 ? "held-out training images" : "the test split"
        let epochs = epochRows(run.readMetrics())
        if !epochs.isEmpty {
            report.addTable(header: ["epoch", "train loss", "train reconstruction", "train KL", "validation −ELBO",
                                     "validation KL", "seconds", "images/s"],
                            rows: epochs, caption: "per image in nats (validation on \(validationName)); from metrics.jsonl")
        }
        let charts = VAEPictures.lossCharts(run)
        report.addChartRow([(charts.loss, "reconstruction-dominated terms"), (charts.kl, "the KL terms on their own axis")])
        report.addSection("Samples and reconstructions")
        try addPNG(&report, run.file("samples.png"), "64 samples from z ~ N(0, I) (fixed noise, seed 42)")
        try addPNG(&report, run.file("reconstructions.png"), "test images and their reconstructions from μ(x)")
        try addPNG(&report, run.file("interpolation.png"),
                   "interpolation between test images \(VAEPictures.interpolationEnds.from) and \(VAEPictures.interpolationEnds.to) in the latent space: linear (top), spherical (bottom)")
        report.addSection("Latent space")
        try addPNG(&report, run.file("latent_scatter.png"), "test-set posterior means coloured by class", pixelated: false)
        try addPNG(&report, run.file("manifold.png"), "decoded grid over the latent plane at the standard-normal quantiles 0.05…0.95 of z1 and z2", pixelated: false)
        let progress = (1...max(1, t.epochs)).map { ($0, run.file(String(format: "progress/samples_epoch%03d.png", $0))) }
            .compactMap { epoch, path in FileManager.default.contents(atPath: path).map { (epoch, [UInt8]($0)) } }
        if !progress.isEmpty {
            report.addSection("Samples after each epoch (the first \(VAEPictures.progressSampleCount) of the same noise)")
            report.addThumbnailRow(progress.map { (png: $0.1, caption: "epoch \($0.0)") }, width: 200)
        }
        try report.write(to: run.file("report.html"))
    }

    /// Command, version, commit (when the source checkout is known) and date of the report.
    static func provenance(commandLine: [String], date: Date) -> [(String, String)] {
        var rows: [(String, String)] = [("command", shellQuoted(commandLine)), ("illusion version", BuildInfo.version)]
        if let commit = BuildInfo.sourceCommit { rows.append(("source commit", commit)) }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        rows.append(("report written", formatter.string(from: date)))
        return rows
    }

    /// One table row per epoch entry of metrics.jsonl (the last entry for an epoch wins, e.g. after a resume).
    static func epochRows(_ metrics: [[String: Any]]) -> [[String]] {
        var byEpoch: [Int: [String: Any]] = [:]
        for entry in metrics { if let e = entry["epoch"] as? Int, entry["train_loss"] != nil { byEpoch[e] = entry } }
        func number(_ entry: [String: Any], _ key: String, _ format: String) -> String {
            guard let v = entry[key] as? Double, v.isFinite else { return "–" }
            return String(format: format, v)
        }
        return byEpoch.keys.sorted().map { e in
            let m = byEpoch[e]!
            return ["\(e)", number(m, "train_loss", "%.2f"), number(m, "train_reconstruction", "%.2f"), number(m, "train_kl", "%.2f"),
                    number(m, "val_neg_elbo", "%.2f"), number(m, "val_kl", "%.2f"), number(m, "epoch_seconds", "%.1f"),
                    number(m, "images_per_s", "%.0f")]
        }
    }

    /// Arguments joined for a shell: plain words as they are, anything else in single quotes.
    static func shellQuoted(_ arguments: [String]) -> String {
        let plain = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%")
        return arguments.map { a in
            !a.isEmpty && a.allSatisfy { plain.contains($0) } ? a : "'" + a.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }.joined(separator: " ")
    }

    static func addPNG(_ report: inout HTMLReport, _ path: String, _ caption: String, pixelated: Bool = true) throws {
        guard let data = FileManager.default.contents(atPath: path) else { return }
        report.addPNG([UInt8](data), caption: caption, pixelated: pixelated)
    }
}
