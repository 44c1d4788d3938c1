import Foundation

/// report.html of a VAE run: configuration, test figures, loss curves, samples, reconstructions,
/// latent plots and the per-epoch sample progression — self-contained (images inlined).
public enum VAEReport {
    public static func write(run: RunFolder, config: VAERunConfig, test: VAEEvaluation) throws {
        let m = config.model, t = config.training
        var report = HTMLReport(title: "IllusionCraft — \(m.architecture.rawValue) VAE on \(config.dataset.name)",
                                subtitle: "run folder \(run.path)")
        report.addSection("Test figures (mean nats per image)")
        var rows: [(String, String)] = [
            ("negative ELBO", String(format: "%.3f", test.negElbo)),
            ("reconstruction  −ln p(x|z)", String(format: "%.3f", test.reconstruction)),
            ("KL(q(z|x) ‖ N(0, I))", String(format: "%.3f", test.kl)),
            ("active units (Cov > 0.01)", "\(test.activeUnits) of \(m.latentDim)"),
            ("test images", "\(test.images)"),
        ]
        if let iwae = test.iwaeNLL { rows.append(("IWAE bound, K = \(test.iwaeSamples)", String(format: "%.3f", iwae))) }
        report.addKeyValueTable(rows)
        report.addSection("Configuration")
        report.addKeyValueTable([
            ("architecture", m.architecture.rawValue), ("latent dimension", "\(m.latentDim)"),
            ("input", m.inputShape.map(String.init).joined(separator: "×")), ("likelihood", m.likelihood.rawValue),
            ("epochs", "\(t.epochs)"), ("batch size", "\(t.batchSize)"), ("Adam learning rate", "\(t.learningRate)"),
            ("β", "\(t.beta)"), ("KL warm-up", t.klWarmupEpochs > 0 ? "\(t.klWarmupEpochs) epochs, \(t.klSchedule)" : "off"),
            ("seed", "\(t.seed)"),
        ])
        report.addSection("Loss curves")
        try report.addChart(VAEPictures.lossChart(run), caption: "per-image loss in nats; validation on \(t.validationFraction > 0 ? "held-out training images" : "the test split")")
        report.addSection("Samples and reconstructions")
        try addPNG(&report, run.file("samples.png"), "64 samples from z ~ N(0, I) (fixed noise, seed 42)")
        try addPNG(&report, run.file("reconstructions.png"), "test images and their reconstructions from μ(x)")
        report.addSection("Latent space")
        try addPNG(&report, run.file("latent_scatter.png"), "test-set posterior means coloured by class")
        try addPNG(&report, run.file("manifold.png"), "decoded grid over the latent plane (standard-normal quantiles 0.05…0.95)")
        let progress = (1...max(1, t.epochs)).map { run.file(String(format: "progress/samples_epoch%03d.png", $0)) }
            .filter { FileManager.default.fileExists(atPath: $0) }
        if !progress.isEmpty {
            report.addSection("Samples after each epoch (same noise)")
            for (i, p) in progress.enumerated() { try addPNG(&report, p, "epoch \(i + 1)") }
        }
        try report.write(to: run.file("report.html"))
    }

    static func addPNG(_ report: inout HTMLReport, _ path: String, _ caption: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else { return }
        report.addPNG([UInt8](data), caption: caption, pixelated: true)
    }
}
