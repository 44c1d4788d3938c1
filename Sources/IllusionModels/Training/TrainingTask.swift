import Foundation

/// What a model brings to the shared training loop (``Trainer``): its layers, its optimizers and
/// what one step and one epoch's end do. Everything else — epochs, resumable checkpoints, the
/// progress bar, metrics.jsonl, the divergence guard, learning-rate schedules, gradient clipping,
/// early stopping, the best-model copy, interrupts — is the trainer's.
///
/// Determinism contract: a task draws every random number of a step from the `rng` it is handed
/// (or from generators keyed by epoch and batch, as ``DataLoader`` does), so that the trainer can
/// checkpoint the stream and a resumed run repeats the uninterrupted one bit for bit.
public protocol TrainingTask: AnyObject {
    /// The layer tree written to `model.safetensors` (PyTorch `state_dict` names).
    var model: Layer { get }
    /// `format` tag of the checkpoint's metadata, e.g. `illusioncraft-vae`.
    var checkpointFormat: String { get }
    /// The optimizers and the prefix of each one's state in `training_state.safetensors`
    /// (`optimizer.` for a single one). The schedule scales each from its own initial rate.
    var optimizers: [(prefix: String, optimizer: Optimizer)] { get }
    /// Steps in one epoch (before ``TrainingLoopOptions/maxStepsPerEpoch`` caps it).
    var stepsPerEpoch: Int { get }
    /// Examples in one full step (for images/s); the last step of an epoch may hold fewer.
    var batchSize: Int { get }

    /// Called at the start of every epoch, and again when a run resumes inside one: draw the epoch's
    /// order from `rng` here (the trainer hands the same stream state both times).
    func beginEpoch(_ epoch: Int, rng: inout RandomGenerator) throws
    /// Step `index` of the current epoch: forward, ``StepContext/minimize(_:with:parameters:)``, and the
    /// figures to log (batch means, e.g. `["loss": …]`; every figure must be finite).
    func step(_ index: Int, epoch: Int, rng: inout RandomGenerator, context: StepContext) throws -> StepOutcome
    /// After an epoch's last step: validation and what to log (pictures belong in ``epochCommitted(_:)``).
    func endEpoch(_ epoch: Int, training: EpochTrainingFigures) throws -> EpochOutcome
    /// After the epoch's checkpoint is committed: pictures, reports. Default: nothing.
    func epochCommitted(_ record: EpochRecord) throws
    /// The order and short names of the running figures on the progress bar. Default: every figure.
    var progressFigures: [String]? { get }
    /// State of the task itself that a resumed run needs to continue mid-epoch (e.g. the recurrent
    /// state truncated BPTT carries across batches, a layer's own mask generator): written into
    /// each checkpoint's `training_state.safetensors` under names starting with `task.`, after
    /// ``endEpoch(_:training:)`` at epoch ends. Default: nothing.
    func saveState(into file: inout SafeTensors) throws
    /// Reads back what ``saveState(into:)`` wrote, before the run resumes (called before
    /// ``beginEpoch(_:rng:)``). Default: nothing.
    func restoreState(from file: SafeTensors) throws
    /// The pictures ``epochCommitted(_:)`` wrote for epoch `epoch` (1-based), as (log tag, file in the
    /// run folder); the trainer reports them to its ``Trainer/logSinks`` (TensorBoard). Default: none.
    func epochPictureFiles(epoch: Int) -> [(tag: String, file: String)]
    /// What one of ``batchSize``'s examples is, for the progress and epoch lines ("img" → "img/s";
    /// the text models count characters: "chars"). Default "img". metrics.jsonl keeps the key
    /// `images_per_s` whatever the unit (the run folder's contract).
    var exampleUnit: String { get }
}

extension TrainingTask {
    public func epochCommitted(_ record: EpochRecord) throws {}
    public var progressFigures: [String]? { nil }
    public func saveState(into file: inout SafeTensors) throws {}
    public func restoreState(from file: SafeTensors) throws {}
    public func epochPictureFiles(epoch: Int) -> [(tag: String, file: String)] { [] }
    public var exampleUnit: String { "img" }
}

/// What one step reports: its figures (batch means) and how many examples it used.
public struct StepOutcome {
    public var figures: [(name: String, value: Double)]
    public var examples: Int
    public init(figures: [(name: String, value: Double)], examples: Int) { self.figures = figures; self.examples = examples }
}

/// The means of an epoch's step figures, weighted by examples, and its speed.
public struct EpochTrainingFigures {
    public var means: [String: Double]
    /// Figure names in the order the steps reported them.
    public var order: [String]
    public var examples: Int
    public var seconds: Double
    /// Images (examples) per second from the median full step (the first step excluded).
    public var examplesPerSecond: Double
    public subscript(_ name: String) -> Double { means[name] ?? .nan }
}

/// What the end of an epoch reports.
public struct EpochOutcome {
    /// Extra figures for metrics.jsonl and the log line (validation loss, accuracy, …).
    public var figures: [(name: String, value: Double)]
    /// The value early stopping and the best checkpoint watch (nil: neither applies this epoch).
    public var monitored: Double?
    /// Warnings to print and to record in metrics.jsonl.
    public var warnings: [String]
    public init(figures: [(name: String, value: Double)] = [], monitored: Double? = nil, warnings: [String] = []) {
        self.figures = figures; self.monitored = monitored; self.warnings = warnings
    }
}

/// One finished epoch as the trainer saw it.
public struct EpochRecord {
    public var epoch: Int
    public var step: Int
    public var training: EpochTrainingFigures
    public var outcome: EpochOutcome
    public var learningRates: [Float]
    /// True when this epoch is the best so far by the monitored value.
    public var isBest: Bool
}

/// Handed to every step: the one place where a loss becomes a parameter update.
public struct StepContext {
    /// `--clip-grad-norm`: the global L2 norm the gradients are clipped to (nil: no clipping).
    public let clipGradNorm: Float?
    public let epoch: Int
    /// Optimisation steps finished before this one (over the whole run).
    public let globalStep: Int
    /// The run folder (for messages).
    public let runPath: String
    /// Data-parallel training: the replication whose gradients ``minimize(_:with:parameters:)``
    /// averages (nil in a single process).
    public var replication: TrainingReplication? = nil

    /// This rank's part of a step of `globalCount` examples (all of them in a single process). A
    /// task that supports data-parallel training calls it once per step, before its forward pass, and
    /// trains on the shard's rows; it becomes ``BatchShard/current`` for the step.
    public func shard(rows globalCount: Int) throws -> BatchShard {
        guard let replication, replication.worldSize > 1 else { return BatchShard(rank: 0, worldSize: 1, globalCount: globalCount) }
        let shard = BatchShard(rank: replication.rank, worldSize: replication.worldSize, globalCount: globalCount)
        guard shard.localCount >= 1 else {
            throw ModelError.invalidArgument("a step of \(globalCount) examples leaves rank \(replication.rank) of \(replication.worldSize) without any")
        }
        BatchShard.current = shard
        return shard
    }

    /// zeroGrad → backward → clip (when asked) → step, after checking that the loss is finite.
    /// `parameters` defaults to the optimizer's own (clipping acts on those).
    @discardableResult
    public func minimize(_ loss: Tensor, with optimizer: Optimizer, parameters: [Tensor]? = nil) throws -> Float {
        let value = loss.scalar
        guard value.isFinite else { throw divergence("the loss is \(value)") }
        optimizer.zeroGrad()
        try loss.backwardChecked()
        try averageGradients(of: optimizer)
        if let clipGradNorm { clipGradientNorm(parameters: parameters ?? optimizer.parameters, maxNorm: clipGradNorm) }
        optimizer.step()
        return value
    }

    /// Data-parallel: averages the gradients of `optimizer`'s parameters over the ranks (each rank
    /// weighted by its share of the global batch, in flat buckets), after the backward pass and
    /// before clipping and the step; nothing in a single process. ``minimize(_:with:parameters:)``
    /// calls it; a task that updates through its own calls (the GAN's two players) calls it itself.
    public func averageGradients(of optimizer: Optimizer) throws {
        guard let replication, replication.worldSize > 1 else { return }
        guard let shard = BatchShard.current else {
            throw ModelError.invalidArgument("this training command does not support data-parallel training (mpirun) yet; run it as one process")
        }
        replication.averageGradients(optimizer.parameters, weight: shard.weight)
    }

    /// The divergence error every trainer reports: where, what, and that the checkpoint is intact.
    public func divergence(_ what: String) -> ModelError {
        .trainingDiverged("training diverged at epoch \(epoch + 1), step \(globalStep + 1): \(what) (likely cause: a learning rate too high, or inputs out of range); the last good checkpoint in \(runPath) is intact")
    }
}
