import Foundation

/// The training loop as one replica of several: synchronous data-parallel training, one process
/// per rank (`mpirun -np W illusion train …`). The ``Trainer`` calls it at a few fixed points; a
/// single process has none (``Trainer/replication`` is nil) and trains exactly as before.
///
/// The contract every implementation keeps (docs/distributed.md): every rank holds the same bits
/// (model, optimizer state, random streams) before every step; a step's global batch is split by
/// ``BatchShard``; gradients are averaged by all-reduce before the identical optimizer step.
public protocol TrainingReplication: AnyObject {
    var rank: Int { get }
    var worldSize: Int { get }
    /// Sums doubles over every rank in place (figures, flags, BatchNorm statistics).
    func sum(_ values: inout [Double])
    /// Averages the gradients of `parameters` over the ranks, each rank weighted by its share of
    /// the global batch (``BatchShard/weight``), in a few flat buckets.
    func averageGradients(_ parameters: [Tensor], weight: Double)
    /// Rank 0's bytes on every rank (`bytes` is replaced by root's; every rank must pass as many).
    func broadcast(_ bytes: inout [UInt8]) throws
    /// Every rank's value, in rank order.
    func gather(_ value: UInt64) -> [UInt64]
    /// Called before global step `step` (fault injection for tests).
    func willStep(_ step: Int) throws
    /// After how many steps the replicas compare fingerprints (0: at the start and at checkpoints only).
    var checkEvery: Int { get }
}

extension TrainingReplication {
    /// True on some rank → true on every rank (an interrupt seen by one rank stops all at the same step).
    public func agree(_ flag: Bool) -> Bool {
        var v = [flag ? 1.0 : 0.0]
        sum(&v)
        return v[0] > 0
    }

    /// One step's figures as the mean over the global batch (each rank's weighted by its examples).
    func combine(_ outcome: StepOutcome) -> StepOutcome {
        let n = Double(outcome.examples)
        var values = outcome.figures.map { $0.value * n } + [n]
        sum(&values)
        let total = values.last!
        let figures = outcome.figures.enumerated().map { (name: $0.element.name, value: values[$0.offset] / max(total, 1)) }
        return StepOutcome(figures: figures, examples: Int(total.rounded()))
    }
}

/// What goes wrong between replicas.
public struct ReplicationError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension Trainer {
    /// Before the first step: rank 0's model (parameters, buffers, BatchNorm counters), optimizer
    /// state and random streams on every rank, then a fingerprint check. Refuses a global batch that
    /// does not divide into equal per-rank parts.
    func synchronizeReplicas(_ replication: TrainingReplication) throws {
        let w = replication.worldSize
        guard task.batchSize % w == 0 else {
            throw ModelError.invalidArgument("--batch-size \(task.batchSize) is the global batch and must divide by the \(w) ranks (mpirun -np \(w)) into equal parts; use a multiple of \(w)")
        }
        var bytes = replicaState()
        let sizes = replication.gather(UInt64(bytes.count))
        guard Set(sizes).count == 1 else {
            throw ReplicationError("the ranks hold models of different sizes (\(sizes.map(String.init).joined(separator: ", ")) bytes of state): every rank must run the same command")
        }
        try replication.broadcast(&bytes)
        try loadReplicaState(bytes)
        try checkReplicas(replication, when: "after the broadcast from rank 0")
    }

    /// Every rank's fingerprint of its state must equal rank 0's.
    func checkReplicas(_ replication: TrainingReplication, when: String) throws {
        let all = replication.gather(Self.fingerprint(replicaState()))
        if let bad = all.indices.first(where: { all[$0] != all[0] }) {
            throw ReplicationError(String(format: "rank %d holds different parameters than rank 0 %@ (state fingerprints %016llx and %016llx)",
                                          bad, when, all[bad], all[0]))
        }
    }

    /// The replicated state as bytes, in a fixed order: state-dict tensors, BatchNorm counters,
    /// optimizer state (sorted names), random streams.
    func replicaState() -> [UInt8] {
        var out: [UInt8] = []
        func put(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        for (_, t) in task.model.stateDict() { t.storage.withUnsafeBytes { out.append(contentsOf: $0) } }
        for (_, count) in Checkpoint.batchCounters(task.model) { put(UInt64(bitPattern: count)) }
        for (_, optimizer) in task.optimizers {
            let state = optimizer.state()
            for name in state.keys.sorted() { state[name]!.storage.withUnsafeBytes { out.append(contentsOf: $0) } }
        }
        for g in [rng, epochStartRNG] + Self.dropoutLayers(task.model).map(\.1.generator) { put(g.state); put(g.increment) }
        return out
    }

    /// Replaces this rank's state by `bytes` (``replicaState()``'s layout, from rank 0).
    func loadReplicaState(_ bytes: [UInt8]) throws {
        var offset = 0
        func floats(into t: Tensor) {
            let n = t.count * 4
            t.storage.withUnsafeMutableBytes { dst in bytes.withUnsafeBytes { src in
                dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[offset ..< offset + n]))
            } }
            offset += n
        }
        func take() -> UInt64 {
            var v: UInt64 = 0
            withUnsafeMutableBytes(of: &v) { dst in bytes.withUnsafeBytes { dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[offset ..< offset + 8])) } }
            offset += 8
            return UInt64(littleEndian: v)
        }
        for (_, t) in task.model.stateDict() { floats(into: t) }
        for (_, bn) in Checkpoint.batchNormLayers(task.model) { bn.numBatchesTracked = Int64(bitPattern: take()) }
        for (_, optimizer) in task.optimizers {
            let state = optimizer.state()
            for name in state.keys.sorted() { floats(into: state[name]!) }
            if !state.isEmpty { try optimizer.loadState(state) }
        }
        func generator() -> RandomGenerator { let s = take(); return RandomGenerator(state: s, increment: take()) }
        rng = generator()
        epochStartRNG = generator()
        for (_, layer) in Self.dropoutLayers(task.model) { layer.generator = generator() }
        require(offset == bytes.count, "loadReplicaState: \(offset) of \(bytes.count) bytes used")
    }

    /// FNV-1a over the bytes.
    static func fingerprint(_ bytes: [UInt8]) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }
}
