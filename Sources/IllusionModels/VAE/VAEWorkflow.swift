import Foundation

/// `illusion train vae` end to end: load data, train (or resume), evaluate on the test split,
/// write pictures, loss curves and report.html, and return the final figures.
public enum VAEWorkflow {
    /// Loads the data the run's config names and splits off validation images when asked.
    public static func loadData(_ config: VAERunConfig) throws -> (train: ImageDataset, validation: ImageDataset, test: ImageDataset) {
        let (train, test) = try config.dataset.load()
        if config.training.validationFraction > 0 {
            let parts = try train.split(validationFraction: config.training.validationFraction, seed: config.training.seed)
            return (parts.train, parts.validation, test)
        }
        return (train, test, test)
    }

    /// Trains the remaining epochs, then evaluates and writes every artefact of the run folder.
    /// Returns the summary that `--json` prints.
    @discardableResult
    public static func trainAndReport(_ trainer: VAETrainer, iwaeSamples: Int = 0) throws -> [String: Any] {
        let started = Date()
        let data = try loadData(trainer.config)
        if !trainer.quiet {
            logLine("training \(trainer.config.model.architecture.rawValue) VAE (latent \(trainer.config.model.latentDim), \(trainer.model.parameterCounts.trainable) parameters) on \(data.train.count) \(data.train.name) images; run folder \(trainer.run.path)")
        }
        trainer.onEpochEnd = { t, _ in
            if t.config.training.writePictures { try VAEPictures.writeEpochPictures(t.model, run: t.run, test: data.test, epoch: t.epoch) }
        }
        try trainer.train(on: data.train, validation: data.validation)
        let test = VAEEvaluator.evaluate(trainer.model, on: data.test, iwaeSamples: iwaeSamples)
        try trainer.run.writeJSON(test, to: "test_metrics.json")
        try VAEPictures.writeFinalPictures(trainer.model, run: trainer.run, test: data.test)
        try VAEReport.write(run: trainer.run, config: trainer.config, test: test)
        var summary: [String: Any] = [
            "run": trainer.run.path, "arch": trainer.config.model.architecture.rawValue,
            "dataset": trainer.config.dataset.name, "latent_dim": trainer.config.model.latentDim,
            "epochs": trainer.epoch, "steps": trainer.step,
            "neg_elbo": test.negElbo, "reconstruction": test.reconstruction, "kl": test.kl,
            "active_units": test.activeUnits, "images": test.images,
            "wall_seconds": Date().timeIntervalSince(started),
        ]
        if let iwae = test.iwaeNLL { summary["iwae_nll"] = iwae; summary["iwae_samples"] = iwaeSamples }
        if let last = trainer.run.readMetrics().last, let ips = last["images_per_s"] { summary["images_per_s"] = ips }
        if !trainer.quiet {
            logLine(String(format: "test: neg-ELBO %.3f nats (reconstruction %.3f + KL %.3f), %d active units, %d images",
                           test.negElbo, test.reconstruction, test.kl, test.activeUnits, test.images))
            logLine("wrote \(trainer.run.file("report.html"))")
        }
        return summary
    }
}
