import Foundation

/// Reconstruction grid and report.html of autoencoder runs.
public enum AutoencoderPictures {
    /// Two rows per block: 16 test images (one per class where possible) above their reconstructions.
    public static func writeReconstructions(_ model: ConvolutionalAutoencoder, test: ImageDataset, to path: String) throws {
        var picks: [Int] = []
        var seen = Set<Int>()
        for i in 0..<test.count where !seen.contains(test.labels[i]) { picks.append(i); seen.insert(test.labels[i]) }
        for i in 0..<test.count where picks.count < 16 && !picks.contains(i) { picks.append(i) }
        picks = Array(picks.prefix(16))
        let x = test.floatImages(at: picks, encoding: .unitRange)
        let reconstructed = noGrad { model(x).sigmoid() }
        let originals = try PixelImage.images(fromBatch: x), outputs = try PixelImage.images(fromBatch: reconstructed)
        let grid = try ImageGrid.make(images: (originals + outputs).map { try $0.scaledUp(by: 2) }, columns: picks.count,
                                      rowLabels: ["input", "output"])
        try grid.writePNG(to: path)
    }

    public static func writeReport(run: RunFolder, config: AutoencoderRunConfig, summary: [String: Any], evaluation: ClassifierEvaluation) throws {
        let m = config.model, t = config.training
        var report = HTMLReport(title: "IllusionCraft — convolutional autoencoder on \(config.dataset.name)", subtitle: "run folder \(run.path)")
        report.addSection("Test figures")
        report.addKeyValueTable([
            ("latent classifier test accuracy", String(format: "%.2f%%", 100 * evaluation.accuracy)),
            ("latent classifier cross-entropy", String(format: "%.4f nats", evaluation.loss)),
            ("reconstruction loss", String(format: "%.2f nats per image (pixel-wise Bernoulli)", summary["test_reconstruction_loss"] as? Double ?? .nan)),
            ("test images", "\(evaluation.images)"),
            ("wall time", String(format: "%.0f s", summary["wall_seconds"] as? Double ?? 0)),
        ])
        report.addSection("Configuration")
        report.addKeyValueTable([
            ("encoder", "conv3×3/2 \(m.channels)→\(m.conv1Filters), ReLU, conv3×3/2 →\(m.conv2Filters), ReLU, dense → \(m.latentDim)"),
            ("decoder", "dense → \(m.conv2Filters)×\(m.bottleneckSize)×\(m.bottleneckSize), ReLU, convT3×3/2 →\(m.conv1Filters), ReLU, convT3×3/2 →\(m.channels), sigmoid"),
            ("latent classifier", "MLP \(([m.latentDim] + m.classifierHiddenUnits + [m.classNames.count]).map(String.init).joined(separator: "→")) on standardised codes"),
            ("epochs", "\(t.epochs)"), ("batch size", "\(t.batchSize)"), ("Adam learning rate", "\(t.learningRate)"),
            ("classifier", "\(t.classifierEpochs) epochs, batch \(t.classifierBatchSize), Adam \(t.classifierLearningRate)"),
            ("seed", "\(t.seed)"),
        ])
        report.addSection("Reconstructions")
        ClassifierReport.addPNG(&report, run.file("reconstructions.png"), "test images (top) and their reconstructions (bottom)", pixelated: true)
        ClassifierReport.addPNG(&report, run.file("loss_curves.png"), "reconstruction loss per epoch", pixelated: false)
        report.addSection("Latent space")
        ClassifierReport.addPNG(&report, run.file("latent_scatter.png"), "codes of test images coloured by class", pixelated: false)
        ClassifierReport.addPNG(&report, run.file("latent_probability_map.png"),
                                "latent classifier's most likely class (shade = softmax probability) with per-class KDE contours", pixelated: false)
        report.addSection("Latent classifier")
        ClassifierReport.addPNG(&report, run.file("confusion_matrix.png"), "rows: true class, columns: predicted class", pixelated: false)
        try report.write(to: run.file("report.html"))
    }
}
