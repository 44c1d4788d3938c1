import Foundation

/// The one training loop of the library. A model supplies a ``TrainingTask`` (its step and its
/// epoch end); the trainer owns everything around them:
///
/// - epochs and steps (``TrainingLoopOptions`` and the workflow's epochs / max steps), the progress
///   bar, one line per epoch, metrics.jsonl (`kind` `step` and `epoch` lines, each with `epoch` and `step`);
/// - the learning-rate schedule (per epoch, every optimizer from its own initial rate), gradient
///   clipping (through ``StepContext/minimize(_:with:parameters:)``) and the divergence guard (every
///   figure must be finite, else ``ModelError/trainingDiverged(_:)`` and the last checkpoint stays);
/// - crash-consistent checkpoints (``CheckpointStore``) at each epoch end and every
///   ``TrainingLoopOptions/checkpointEvery`` steps, resumable at the exact batch; the best epoch by the
///   monitored value (``EpochOutcome/monitored``) kept in `checkpoints/best/`, early stopping on it;
/// - the run lock (``RunLock``) and SIGINT/SIGTERM (``InterruptSignal``): finish the step, checkpoint,
///   throw ``TrainingInterrupted``.
///
/// Randomness: the trainer holds the training stream `rng` and hands it to the task; the stream's
/// state at the start of the current epoch is checkpointed too, so a run resumed in the middle of an
/// epoch redraws the same order and continues with the same numbers.
public final class Trainer {
    public let task: TrainingTask
    public let run: RunFolder
    public let epochs: Int
    public let maxStepsPerEpoch: Int
    public let loop: TrainingLoopOptions
    /// What a better monitored value is.
    public let monitorMode: MonitorMode
    /// When true the run's top-level model.safetensors is the best epoch's (classifiers); else the newest.
    public let modelIsBest: Bool
    /// The schedule when ``TrainingLoopOptions/schedule`` is nil.
    public let defaultSchedule: ScheduleKind
    /// config.json's bytes, written into every checkpoint and at the top of the run folder.
    public let configJSON: [UInt8]
    public var quiet = false
    /// Prefix of the epoch means of step figures in metrics.jsonl (`train_loss`); GANs use none.
    public var trainingFigurePrefix = "train_"
    /// Called with every metrics.jsonl record as it is written (TensorBoard and other log sinks).
    public var recordSinks: [([String: Any]) -> Void] = []
    /// Threads for the run, applied by ``fit()`` and restored after it (nil: the process's current
    /// ``ComputeContext``).
    public var compute: ComputeContext?
    /// Where scalars (every metrics.jsonl record) and each epoch's pictures (``TrainingTask/epochPictureFiles``)
    /// are reported, flushed at every epoch end; starts as ``TrainingLog/sinks`` (`--tensorboard DIR`).
    public var logSinks: [TrainingLogSink] = TrainingLog.sinks

    public private(set) var progress = TrainingProgress()
    public private(set) var history: [EpochRecord] = []
    /// The training stream (checkpointed).
    public var rng: RandomGenerator
    var epochStartRNG: RandomGenerator
    /// Data-parallel training (one replica of several, under mpirun): nil in a single process.
    /// Defaults to the process's (``Trainer/processReplication``, set when MPI starts).
    public var replication: TrainingReplication? = Trainer.processReplication
    /// The replication every new trainer joins (set once by the data-parallel runtime).
    nonisolated(unsafe) public static var processReplication: TrainingReplication?
    private let initialRates: [Float]
    private var stepWindow: (sums: [String: Double], order: [String], steps: Int) = ([:], [], 0)

    public init(task: TrainingTask, run: RunFolder, epochs: Int, maxStepsPerEpoch: Int = 0, loop: TrainingLoopOptions = .init(),
                rng: RandomGenerator, configJSON: [UInt8], monitorMode: MonitorMode = .minimum, modelIsBest: Bool = false,
                defaultSchedule: ScheduleKind = .constant) throws {
        guard epochs >= 1 else { throw ModelError.invalidArgument("--epochs must be ≥ 1, got \(epochs)") }
        guard maxStepsPerEpoch >= 0 else { throw ModelError.invalidArgument("--max-steps must be ≥ 0, got \(maxStepsPerEpoch)") }
        try loop.validate()
        self.task = task; self.run = run; self.epochs = epochs; self.maxStepsPerEpoch = maxStepsPerEpoch
        self.loop = loop; self.rng = rng; self.epochStartRNG = rng; self.configJSON = configJSON
        self.monitorMode = monitorMode; self.modelIsBest = modelIsBest; self.defaultSchedule = defaultSchedule
        initialRates = task.optimizers.map(\.optimizer.learningRate)
    }

    /// Steps of each epoch after the `--max-steps` cap.
    public var stepsPerEpoch: Int {
        maxStepsPerEpoch > 0 ? min(maxStepsPerEpoch, task.stepsPerEpoch) : task.stepsPerEpoch
    }

    public var store: CheckpointStore { CheckpointStore(run: run) }

    // MARK: resume

    /// Restores model, optimizers, random streams and progress from a verified checkpoint
    /// (``CheckpointStore/latest()`` or `--resume-from`), and drops metrics.jsonl lines written after it.
    public func restore(from checkpoint: CommittedCheckpoint) throws {
        try Checkpoint.load(task.model, from: checkpoint.modelPath)
        let file = try SafeTensors(contentsOf: checkpoint.trainingStatePath)
        for (prefix, optimizer) in task.optimizers {
            var state: [String: Tensor] = [:]
            for name in file.names where name.hasPrefix(prefix) { state[String(name.dropFirst(prefix.count))] = try file.tensor(name) }
            try optimizer.loadState(state)
        }
        func generator(_ name: String) throws -> RandomGenerator {
            let r = try file.int64s(name)
            guard r.count == 2 else { throw ModelError.invalidRun("\(checkpoint.trainingStatePath): \(name) must hold 2 values") }
            return RandomGenerator(state: UInt64(bitPattern: r[0]), increment: UInt64(bitPattern: r[1]))
        }
        rng = try generator("rng")
        epochStartRNG = try generator("epoch_rng")
        for (name, layer) in Self.dropoutLayers(task.model) { layer.generator = try generator("layer_rng." + name) }
        try task.restoreState(from: file)
        progress = checkpoint.progress
        let s = progress.globalStep
        try run.filterMetrics { (($0["step"] as? Int) ?? 0) <= s }
    }

    // MARK: the loop

    /// Trains the remaining epochs. Returns the epochs trained in this call.
    @discardableResult
    public func fit() throws -> [EpochRecord] {
        guard let compute else { return try fitEpochs() }
        return try compute.run { try fitEpochs() }
    }

    private func fitEpochs() throws -> [EpochRecord] {
        try run.create()
        let lock = try RunLock(run: run)
        defer { lock.release() }
        if progress.globalStep == 0 {
            // A fresh start: nothing of an earlier attempt that never committed a checkpoint stays.
            try? FileManager.default.removeItem(atPath: run.metricsPath)
            try? FileManager.default.removeItem(atPath: store.directory)
        } else {
            // A resumed run: the top-level model names a committed checkpoint even if the crash came
            // between that checkpoint's commit and its pointer update.
            try store.recover(pointRootAtBest: modelIsBest)
        }
        try writeFileAtomically(run.configPath, bytes: configJSON)
        if let replication { try synchronizeReplicas(replication) }
        InterruptSignal.install()
        defer { InterruptSignal.uninstall() }
        var trained: [EpochRecord] = []
        let steps = stepsPerEpoch
        guard steps >= 1 else { throw ModelError.invalidArgument("the training set holds less than one batch of \(task.batchSize)") }
        while progress.epoch < epochs && !progress.stoppedEarly {
            let epoch = progress.epoch
            if progress.stepInEpoch == 0 { epochStartRNG = rng }
            var orderRNG = epochStartRNG
            try task.beginEpoch(epoch, rng: &orderRNG)
            if progress.stepInEpoch == 0 { rng = orderRNG }
            applySchedule(epoch: epoch)
            task.model.setTraining(true)
            let bar = ProgressReporter(label: "epoch \(epoch + 1)/\(epochs)", total: steps, quiet: quiet, unit: task.exampleUnit)
            var stepTimes: [Double] = []
            let started = Date()
            var examplesThisCall = 0
            for index in progress.stepInEpoch..<steps {
                let t0 = Date()
                try replication?.willStep(progress.globalStep)
                let context = StepContext(clipGradNorm: loop.clipGradNorm, epoch: epoch, globalStep: progress.globalStep, runPath: run.path,
                                          replication: replication)
                defer { BatchShard.current = nil }
                var outcome = try task.step(index, epoch: epoch, rng: &rng, context: context)
                if let replication { outcome = replication.combine(outcome) }
                if let bad = outcome.figures.first(where: { !$0.value.isFinite }) {
                    throw context.divergence("\(bad.name) is \(bad.value)")
                }
                accumulate(outcome)
                progress.globalStep += 1
                progress.stepInEpoch = index + 1
                examplesThisCall += outcome.examples
                if outcome.examples == task.batchSize { stepTimes.append(Date().timeIntervalSince(t0)) }
                try logStepWindow(outcome, epoch: epoch, last: index + 1 == steps)
                bar.update(done: index + 1, images: examplesThisCall, figures: barFigures())
                if let replication, replication.checkEvery > 0, progress.globalStep % replication.checkEvery == 0 {
                    try checkReplicas(replication, when: "after step \(progress.globalStep)")
                }
                if index + 1 < steps {
                    if stopRequested {
                        try commit(asBest: false)
                        throw TrainingInterrupted(epoch: epoch + 1, step: progress.globalStep, run: run.path)
                    }
                    if loop.checkpointEvery > 0 && progress.globalStep % loop.checkpointEvery == 0 { try commit(asBest: false) }
                }
            }
            let record = try finishEpoch(epoch, seconds: Date().timeIntervalSince(started), stepTimes: stepTimes)
            trained.append(record)
            try task.epochCommitted(record)
            try publishPictures(record)
            if stopRequested && progress.epoch < epochs {
                throw TrainingInterrupted(epoch: progress.epoch, step: progress.globalStep, run: run.path)
            }
        }
        return trained
    }

    /// SIGINT/SIGTERM seen (by any rank, when replicated: all stop at the same step).
    private var stopRequested: Bool {
        replication?.agree(InterruptSignal.requested) ?? InterruptSignal.requested
    }

    private func applySchedule(epoch: Int) {
        let kind = loop.schedule ?? defaultSchedule
        for ((_, optimizer), initial) in zip(task.optimizers, initialRates) {
            optimizer.applySchedule(kind.schedule(initial: initial, epochs: epochs), epoch: epoch)
        }
    }

    private func accumulate(_ outcome: StepOutcome) {
        for (name, value) in outcome.figures {
            if progress.sums[name] == nil { progress.order.append(name) }
            progress.sums[name, default: 0] += value * Double(outcome.examples)
        }
        progress.examples += outcome.examples
    }

    private func barFigures() -> [(String, Double)] {
        let names = task.progressFigures ?? progress.order
        return names.compactMap { n in progress.sums[n].map { (n, $0 / Double(max(progress.examples, 1))) } }
    }

    private func logStepWindow(_ outcome: StepOutcome, epoch: Int, last: Bool) throws {
        guard loop.logEvery > 0 else { return }
        for (name, value) in outcome.figures {
            if stepWindow.sums[name] == nil { stepWindow.order.append(name) }
            stepWindow.sums[name, default: 0] += value
        }
        stepWindow.steps += 1
        guard stepWindow.steps == loop.logEvery || last else { return }
        var record: [String: Any] = ["kind": "step", "epoch": epoch + 1, "step": progress.globalStep]
        for name in stepWindow.order { record[name] = stepWindow.sums[name]! / Double(stepWindow.steps) }
        try append(record)
        stepWindow = ([:], [], 0)
    }

    private func finishEpoch(_ epoch: Int, seconds: Double, stepTimes: [Double]) throws -> EpochRecord {
        let steady = stepTimes.count > 1 ? Array(stepTimes.dropFirst()) : stepTimes
        let median = steady.isEmpty ? 0 : steady.sorted()[steady.count / 2]
        let examples = progress.examples
        var means: [String: Double] = [:]
        for (name, sum) in progress.sums { means[name] = sum / Double(max(examples, 1)) }
        let training = EpochTrainingFigures(means: means, order: progress.order, examples: examples, seconds: seconds,
                                            examplesPerSecond: median > 0 ? Double(task.batchSize) / median : Double(examples) / max(seconds, 1e-9))
        task.model.setTraining(false)
        let outcome = try task.endEpoch(epoch, training: training)
        for w in outcome.warnings { logLine(w) }  // warnings are printed even when quiet
        progress.epoch = epoch + 1
        progress.stepInEpoch = 0
        progress.sums = [:]; progress.order = []; progress.examples = 0
        progress.monitored.append(outcome.monitored)
        var isBest = false
        if let value = outcome.monitored {
            let best = progress.bestEpoch.flatMap { progress.monitored[$0 - 1] }
            isBest = best.map { monitorMode == .minimum ? value < $0 : value > $0 } ?? !value.isNaN
            if isBest { progress.bestEpoch = epoch + 1 }
            if loop.patience > 0, let bestEpoch = progress.bestEpoch, epoch + 1 - bestEpoch >= loop.patience, epoch + 1 < epochs {
                progress.stoppedEarly = true
            }
        }
        let rates = task.optimizers.map(\.optimizer.learningRate)
        var record: [String: Any] = ["kind": "epoch", "epoch": epoch + 1, "step": progress.globalStep,
                                     "images_per_s": training.examplesPerSecond, "epoch_seconds": seconds,
                                     "learning_rate": Double(rates.first ?? 0)]
        for name in training.order { record[trainingFigurePrefix + name] = means[name]! }
        for (name, value) in outcome.figures { record[name] = value }
        if !outcome.warnings.isEmpty { record["warnings"] = outcome.warnings }
        if isBest { record["best"] = true }
        try append(record)
        try commit(asBest: isBest)
        let epochRecord = EpochRecord(epoch: epoch + 1, step: progress.globalStep, training: training, outcome: outcome,
                                      learningRates: rates, isBest: isBest)
        history.append(epochRecord)
        if !quiet { logLine(Self.epochLine(epochRecord, unit: task.exampleUnit)) }
        if progress.stoppedEarly && !quiet {
            logLine("early stopping: no better value for \(loop.patience) epochs (best epoch \(progress.bestEpoch ?? 0))")
        }
        return epochRecord
    }

    static func epochLine(_ r: EpochRecord, unit: String = "img") -> String {
        let train = r.training.order.map { String(format: "%@ %.4g", $0, r.training[$0]) }.joined(separator: ", ")
        let other = r.outcome.figures.map { String(format: "%@ %.4g", $0.name, $0.value) }.joined(separator: ", ")
        return String(format: "epoch %d: train %@%@%@  lr %.3g  %.0f %@/s  %.1f s", r.epoch, train,
                      other.isEmpty ? "" : "  " + other, r.isBest ? " (best)" : "", Double(r.learningRates.first ?? 0),
                      r.training.examplesPerSecond, unit, r.training.seconds)
    }

    private func append(_ record: [String: Any]) throws {
        try run.appendMetrics(record)
        for sink in recordSinks { sink(record) }
        try TrainingLog.record(record, to: logSinks)
    }

    /// The epoch's pictures to the log sinks (at the epoch's last step), then a flush.
    private func publishPictures(_ record: EpochRecord) throws {
        guard !logSinks.isEmpty else { return }
        for (tag, file) in task.epochPictureFiles(epoch: record.epoch) {
            try TrainingLog.picture(tag: tag, file: run.file(file), step: record.step, to: logSinks)
        }
        try TrainingLog.flush(logSinks)
    }

    // MARK: checkpoints

    /// Commits the current state as one checkpoint (and as the best one when `asBest`).
    public func commit(asBest: Bool) throws {
        if let replication { try checkReplicas(replication, when: "at the checkpoint of step \(progress.globalStep)") }
        var model = SafeTensors()
        for (name, t) in task.model.stateDict() { model.set(name, t) }
        for (name, count) in Checkpoint.batchCounters(task.model) { model.set(name, shape: [], int64s: [count]) }
        model.metadata = Checkpoint.conventionalMetadata(["format": task.checkpointFormat, "epoch": String(progress.epoch),
                                                      "step": String(progress.globalStep)])
        var state = SafeTensors()
        for (prefix, optimizer) in task.optimizers { for (name, t) in optimizer.state() { state.set(prefix + name, t) } }
        func put(_ name: String, _ g: RandomGenerator) {
            state.set(name, shape: [2], int64s: [Int64(bitPattern: g.state), Int64(bitPattern: g.increment)])
        }
        put("rng", rng)
        put("epoch_rng", epochStartRNG)
        for (name, layer) in Self.dropoutLayers(task.model) { put("layer_rng." + name, layer.generator) }
        state.set("epoch", shape: [1], int64s: [Int64(progress.epoch)])
        state.set("step", shape: [1], int64s: [Int64(progress.globalStep)])
        try task.saveState(into: &state)
        try store.commit(files: ["model.safetensors": try model.serialized(), "training_state.safetensors": try state.serialized(),
                                 "config.json": configJSON],
                         progress: progress, format: task.checkpointFormat, asBest: asBest, pointRootAtBest: modelIsBest,
                         keep: loop.keepCheckpoints)
    }

    /// Every dropout layer of the tree with its dotted name (their generators are checkpointed).
    static func dropoutLayers(_ layer: Layer, prefix: String = "") -> [(String, Dropout)] {
        var out: [(String, Dropout)] = []
        if let d = layer as? Dropout { out.append((prefix.isEmpty ? "root" : String(prefix.dropLast()), d)) }
        for c in layer.children { out += dropoutLayers(c.layer, prefix: prefix + c.name + ".") }
        return out
    }
}
