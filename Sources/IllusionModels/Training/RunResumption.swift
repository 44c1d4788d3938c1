import Foundation

/// A run config that `--resume` reads back: its epoch total and loop options may be overridden
/// (`--epochs`, `--checkpoint-every`, `--keep-checkpoints`), nothing else.
protocol ResumableRunConfig: Decodable {
    var resumableEpochs: Int { get set }
    var resumableLoop: TrainingLoopOptions? { get set }
}

/// A trainer of the shared loop that `--resume` reopens: it builds its ``Trainer`` and keeps the
/// checkpoint, progress and stream the loop restored.
protocol ResumableTrainer: AnyObject {
    func makeLoop() throws -> Trainer
    var restored: CommittedCheckpoint? { get set }
    var progress: TrainingProgress { get set }
    var rng: RandomGenerator { get set }
}

/// The `--resume` steps every trainer shares (VAE, GAN, StackGAN).
enum RunResumption {
    /// The run's config.json with the overrides `--resume` allows applied; an error naming the
    /// folder when there is no run there (`modelRequired` false: a config.json suffices — a run
    /// whose first stage has not yet written a model).
    static func config<C: ResumableRunConfig>(_ type: C.Type, run: RunFolder, overridingEpochs epochs: Int?,
                                              checkpointing: (every: Int, keep: Int)?, modelRequired: Bool = true) throws -> C {
        if modelRequired || !FileManager.default.fileExists(atPath: run.configPath) { try run.requireExisting() }
        var config = try run.readJSON(C.self, from: "config.json")
        if let epochs { config.resumableEpochs = epochs }
        config.resumableLoop = TrainingLoopOptions.resumed(config.resumableLoop, checkpointing: checkpointing)
        return config
    }

    /// Restores `trainer` from the run's newest verified checkpoint (or `path`, `--resume-from`):
    /// weights, optimizer state, random streams and the position inside the epoch.
    static func restore(_ trainer: ResumableTrainer, run: RunFolder, from path: String?) throws {
        let checkpoint = try CheckpointStore(run: run).checkpointToResume(from: path)
        let loop = try trainer.makeLoop()
        try loop.restore(from: checkpoint)
        trainer.restored = checkpoint
        trainer.progress = loop.progress
        trainer.rng = loop.rng
    }
}
