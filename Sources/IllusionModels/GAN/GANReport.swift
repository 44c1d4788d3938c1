import Foundation

/// Pictures and report.html of a GAN run: the fixed-noise grid per epoch, loss curves of both players,
/// D's outputs, the collapse warnings and the configuration.
public enum GANReport {
    /// samples.png (latest) and progress/samples_epochNNN.png.
    public static func writeEpochPictures(_ samples: Tensor, grid: GANGrid, run: RunFolder, epoch: Int) throws {
        let picture = try GANSampling.grid(samples, columns: grid.columns, rowLabels: grid.rowLabels)
        try picture.writePNG(to: run.file("samples.png"))
        try FileManager.default.createDirectory(atPath: run.file("progress"), withIntermediateDirectories: true)
        try picture.writePNG(to: run.file(String(format: "progress/samples_epoch%03d.png", epoch)))
    }

    static func series(_ entries: [[String: Any]], _ key: String, _ name: String) -> LineChart.Series {
        LineChart.Series(name: name, values: entries.map { ($0[key] as? Double) ?? .nan },
                         xs: entries.map { Double(($0["step"] as? Int) ?? 0) })
    }

    static func stepEntries(_ run: RunFolder) -> [[String: Any]] {
        run.readMetrics().filter { ($0["kind"] as? String) == "step" }
    }

    /// Both players' losses against the optimisation step (means over `logEvery` steps).
    public static func lossChart(_ run: RunFolder) -> LineChart {
        let e = stepEntries(run)
        var s = [series(e, "loss_d", "discriminator  -E[log D(x)] - E[log(1 - D(G(z)))]"),
                 series(e, "loss_g", "generator (adversarial term)")]
        if e.contains(where: { (($0["kl"] as? Double) ?? 0) != 0 }) { s.append(series(e, "kl", "KL of conditioning augmentation")) }
        s.append(LineChart.Series(name: "equilibrium 2 ln 2", values: e.map { _ in 2 * Foundation.log(2.0) },
                                  xs: e.map { Double(($0["step"] as? Int) ?? 0) }))
        return LineChart(title: "GAN losses (nats)", xLabel: "step", yLabel: "nats", series: s)
    }

    /// Mean D(x) and D(G(z)) against the step.
    public static func probabilityChart(_ run: RunFolder) -> LineChart {
        let e = stepEntries(run)
        return LineChart(title: "Discriminator outputs", xLabel: "step", yLabel: "probability of real",
                         series: [series(e, "d_real", "D(x)"), series(e, "d_fake", "D(G(z))"), series(e, "d_accuracy", "D accuracy")])
    }

    /// loss_curves.png/svg, d_outputs.png and report.html (self-contained).
    public static func write(run: RunFolder, config: GANRunConfig, warnings: [String], fdFMNIST: Double? = nil) throws {
        let losses = lossChart(run), outputs = probabilityChart(run)
        try losses.writePNG(to: run.file("loss_curves.png"))
        try losses.writeSVG(to: run.file("loss_curves.svg"))
        try outputs.writePNG(to: run.file("d_outputs.png"))
        let m = config.model, t = config.training
        let title = m.isConditional ? "conditional GAN (conditioning augmentation)" : "DCGAN"
        var report = HTMLReport(title: "IllusionCraft — \(title) on \(config.dataset.name)", subtitle: "run folder \(run.path)")
        let epochs = run.readMetrics().filter { ($0["kind"] as? String) == "epoch" }
        if let last = epochs.last {
            report.addSection("Last epoch")
            var rows: [(String, String)] = [
                ("discriminator loss", String(format: "%.3f nats (equilibrium 2 ln 2 = 1.386)", (last["loss_d"] as? Double) ?? .nan)),
                ("generator loss (\(t.generatorLoss.rawValue))", String(format: "%.3f nats", (last["loss_g"] as? Double) ?? .nan)),
                ("mean D(x) / D(G(z))", String(format: "%.3f / %.3f", (last["d_real"] as? Double) ?? .nan, (last["d_fake"] as? Double) ?? .nan)),
                ("sample diversity / data's", String(format: "%.2f (mean pairwise distance %.3f vs %.3f)", (last["diversity_ratio"] as? Double) ?? .nan,
                                                     (last["diversity_generated"] as? Double) ?? .nan, (last["diversity_real"] as? Double) ?? .nan)),
            ]
            if m.isConditional { rows.append(("KL(N(μ, σ²) ‖ N(0, I))", String(format: "%.3f nats", (last["kl"] as? Double) ?? .nan))) }
            if let fdFMNIST { rows.append(("FD-FMNIST (Fréchet distance on our CNN's features; not Inception FID)", String(format: "%.3f", fdFMNIST))) }
            report.addKeyValueTable(rows)
        }
        if !warnings.isEmpty {
            report.addSection("Warnings")
            for w in warnings { report.addParagraph(w) }
        }
        report.addSection("Samples from the fixed noise batch")
        addPNG(&report, run.file("samples.png"), "last epoch" + (m.isConditional && m.conditionKind == "class" ? "; one row per class, the same noise in every row" : ""))
        report.addSection("Loss curves")
        try report.addChart(losses, caption: "means over \(t.logEvery) steps")
        try report.addChart(outputs, caption: "D's mean probability of \"real\" for real and generated batches")
        report.addSection("Configuration")
        var config: [(String, String)] = [
            ("noise dimension", "\(m.noiseDim)"), ("image", m.imageShape.map(String.init).joined(separator: "×")),
            ("widths (G / D)", "\(m.generatorWidth) / \(m.discriminatorWidth)"), ("generator loss", t.generatorLoss.rawValue),
            ("Adam", "lr \(t.learningRate), β₁ \(t.beta1), β₂ \(t.beta2)"), ("batch size", "\(t.batchSize)"),
            ("epochs", "\(t.epochs)"), ("seed", "\(t.seed)"),
        ]
        if m.isConditional {
            config += [("condition", "\(m.conditionKind ?? "") (\(m.conditionDim)): \(m.conditionNames.joined(separator: ", "))"),
                       ("ĉ dimension", "\(m.augmentedDim)"), ("λ (KL weight)", "\(t.klWeight)")]
        }
        report.addKeyValueTable(config)
        let progress = (1...max(1, t.epochs)).map { run.file(String(format: "progress/samples_epoch%03d.png", $0)) }
            .filter { FileManager.default.fileExists(atPath: $0) }
        if !progress.isEmpty {
            report.addSection("Samples after each epoch (same noise)")
            for p in progress { addPNG(&report, p, (p as NSString).lastPathComponent) }
        }
        try report.write(to: run.file("report.html"))
    }

    static func addPNG(_ report: inout HTMLReport, _ path: String, _ caption: String) {
        guard let data = FileManager.default.contents(atPath: path) else { return }
        report.addPNG([UInt8](data), caption: caption, pixelated: true)
    }
}
