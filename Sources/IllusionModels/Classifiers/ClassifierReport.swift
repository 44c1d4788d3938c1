import Foundation

/// Pictures and report.html of image-classifier runs (CNN; the autoencoder reuses the pieces).
public enum ClassifierReport {
    /// Writes `loss_curves.png`, `accuracy_curves.png`, `confusion_matrix.png` and
    /// `misclassified.png` (up to 32 wrongly classified test images) into the run folder.
    public static func writeClassifierPictures(run: RunFolder, history: [ClassifierEpochMetrics], test: ClassifierEvaluation,
                                               classNames: [String], testSet: ImageDataset, logits: (Tensor) -> Tensor) throws {
        let curves = ImageClassifierTrainer.curves(history)
        try curves.loss.writePNG(to: run.file("loss_curves.png"))
        try curves.accuracy.writePNG(to: run.file("accuracy_curves.png"))
        try ConfusionMatrixChart(title: "Confusion matrix (test set)", counts: test.confusion, classNames: classNames)
            .writePNG(to: run.file("confusion_matrix.png"))
        // The first 32 mistakes in test order.
        var wrong: [Int] = []
        var start = 0
        noGrad {
            while start < testSet.count && wrong.count < 32 {
                let indices = Array(start..<min(start + 500, testSet.count))
                let predicted = logits(testSet.floatImages(at: indices, encoding: .unitRange)).argmaxLastAxis()
                for (i, p) in zip(indices, predicted) where p != testSet.labels[i] && wrong.count < 32 { wrong.append(i) }
                start += 500
            }
        }
        if !wrong.isEmpty {
            let images = try PixelImage.images(fromBatch: testSet.floatImages(at: wrong, encoding: .unitRange)).map { try $0.scaledUp(by: 2) }
            try ImageGrid.make(images: images, columns: 8).writePNG(to: run.file("misclassified.png"))
        }
    }

    public static func writeCNNReport(run: RunFolder, config: CNNRunConfig, summary: [String: Any], test: ClassifierEvaluation) throws {
        let t = config.training
        var report = HTMLReport(title: "IllusionCraft — CNN classifier on \(config.dataset.name)", subtitle: "run folder \(run.path)")
        report.addSection("Test figures")
        report.addKeyValueTable([
            ("test accuracy", String(format: "%.2f%%", 100 * test.accuracy)),
            ("test cross-entropy", String(format: "%.4f nats", test.loss)),
            ("test images", "\(test.images)"),
            ("epochs trained", "\(summary["epochs"] ?? 0)\((summary["stopped_early"] as? Bool) == true ? " (stopped early)" : "")"),
            ("best epoch (validation accuracy)", "\(summary["best_epoch"] ?? 0)"),
            ("training time", String(format: "%.0f s", summary["training_seconds"] as? Double ?? 0)),
            ("throughput (median)", String(format: "%.0f images/s", summary["images_per_s"] as? Double ?? 0)),
        ])
        report.addTable(header: ["class", "recall"], rows: zip(config.model.classNames, test.recall).map { [$0.0, String(format: "%.1f%%", 100 * $0.1)] })
        report.addSection("Configuration")
        report.addKeyValueTable([
            ("architecture", config.model.summary), ("parameters", "\(summary["parameters"] ?? 0)"),
            ("epochs (max)", "\(t.epochs)"), ("batch size", "\(t.batchSize)"),
            ("Adam learning rate", "\(t.learningRate), schedule \(t.schedule)"),
            ("early stopping patience", t.patience > 0 ? "\(t.patience) epochs" : "off"),
            ("validation", t.validationFraction > 0 ? "\(Int(t.validationFraction * 100))% of the training images" : "the test split"),
            ("augmentation", t.augment ? "whole-pixel shifts ±2\(t.flip ? ", horizontal flips" : "")" : "off"),
            ("seed", "\(t.seed)"),
        ])
        report.addSection("Curves")
        for (file, caption) in [("loss_curves.png", "cross-entropy per epoch"), ("accuracy_curves.png", "accuracy per epoch")] {
            addPNG(&report, run.file(file), caption, pixelated: false)
        }
        report.addSection("Confusion matrix")
        addPNG(&report, run.file("confusion_matrix.png"), "rows: true class, columns: predicted class", pixelated: false)
        addPNG(&report, run.file("misclassified.png"), "misclassified test images", pixelated: true)
        try report.write(to: run.file("report.html"))
    }

    static func addPNG(_ report: inout HTMLReport, _ path: String, _ caption: String, pixelated: Bool) {
        guard let data = FileManager.default.contents(atPath: path) else { return }
        report.addPNG([UInt8](data), caption: caption, pixelated: pixelated)
    }
}
