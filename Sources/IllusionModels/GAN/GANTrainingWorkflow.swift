import Foundation

/// `illusion train dcgan|cgan` end to end: load data, train (or resume), write pictures, loss curves,
/// report.html and (optionally) FD-FMNIST, and return the summary `--json` prints.
public enum GANWorkflow {
    /// Fills the condition fields of a conditional model from the data: `class` → one-hot over the
    /// dataset's classes, `attributes` → its attribute columns.
    public static func configureCondition(_ model: inout GANModelConfig, kind: String, data: ImageDataset) throws {
        switch kind {
        case "class":
            let k = max(data.classNames.count, (data.labels.max() ?? 0) + 1)
            guard k >= 2 else {
                throw ModelError.invalidArgument("--condition-kind class: \(data.name) has no class labels (use attributes for faces)")
            }
            model.conditionDim = k
            model.conditionNames = data.classNames.count == k ? data.classNames : (0..<k).map { "class \($0)" }
        case "attributes":
            guard data.attributeCount >= 1 else {
                throw ModelError.invalidArgument("--condition-kind attributes: \(data.name) has no attribute columns (use class)")
            }
            model.conditionDim = data.attributeCount
            model.conditionNames = data.attributeNames
        default:
            throw ModelError.invalidArgument("--condition-kind must be class or attributes, got '\(kind)'")
        }
        model.conditionKind = kind
    }

    @discardableResult
    public static func trainAndReport(_ trainer: GANTrainer, data: (train: ImageDataset, test: ImageDataset)? = nil,
                                      fdClassifier: String? = nil) throws -> [String: Any] {
        let started = Date()
        let data = try data ?? trainer.config.dataset.load()
        let m = trainer.config.model
        if !trainer.quiet {
            let g = trainer.gan.generator.parameterCounts.trainable, d = trainer.gan.discriminator.parameterCounts.trainable
            logLine("training \(trainer.config.kind) (noise \(m.noiseDim), generator \(g) / discriminator \(d) parameters, \(trainer.config.training.generatorLoss.rawValue) generator loss) on \(data.train.count) \(data.train.name) images; run folder \(trainer.run.path)")
        }
        if let fdClassifier { _ = try FMNISTFeatureExtractor(classifierRun: fdClassifier) }  // fail before training, not after
        try trainer.train(on: data.train)
        var summary: [String: Any] = [
            "run": trainer.run.path, "kind": trainer.config.kind, "dataset": trainer.config.dataset.name,
            "epochs": trainer.epoch, "steps": trainer.step, "warnings": trainer.warnings,
        ]
        if let last = trainer.run.readMetrics().last(where: { ($0["kind"] as? String) == "epoch" }) {
            for key in ["loss_d", "loss_g", "kl", "d_real", "d_fake", "d_accuracy", "diversity_ratio", "images_per_s"] { summary[key] = last[key] }
        }
        var fd: Double?
        if let fdClassifier {
            let run = try GANRun(path: trainer.run.path)
            fd = try GANEvaluation.fdFMNIST(run, classifierRun: fdClassifier)
            summary["fd_fmnist"] = fd
            if !trainer.quiet { logLine(String(format: "FD-FMNIST %.3f (%d generated vs %d test images, features of ", fd!, FDFMNIST.defaultCount, FDFMNIST.defaultCount) + fdClassifier + ")") }
        }
        let allWarnings = trainer.run.readMetrics().compactMap { $0["warnings"] as? [String] }.flatMap { $0 }
        try GANReport.write(run: trainer.run, config: trainer.config, warnings: allWarnings, fdFMNIST: fd)
        summary["wall_seconds"] = Date().timeIntervalSince(started)
        if !trainer.quiet { logLine("wrote \(trainer.run.file("report.html"))") }
        return summary
    }
}
