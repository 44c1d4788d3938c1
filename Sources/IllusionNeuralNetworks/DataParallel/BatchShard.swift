import Foundation

/// This process's part of the current step's global batch in data-parallel training (one process
/// per rank, under `mpirun`): as PyTorch's `DistributedSampler`, rank `r` of `W` takes the rows
/// `r, r + W, r + 2W, …` of the batch one process would take (`globalCount` rows).
///
/// Randomness follows the samples, not the ranks: whatever is drawn per row (pixel encoding, the
/// VAE's ε, dropout masks, noise) is drawn for the whole global batch from the stream every rank
/// holds identically, then the rank keeps its rows (``rows(_:)``, ``draw(_:_:)``). So W ranks compute
/// what one process computes, and a single process (no shard) draws exactly as before.
public struct BatchShard: Equatable, Sendable {
    public let rank: Int
    public let worldSize: Int
    /// Rows of the global batch (one process's batch at this step).
    public let globalCount: Int

    public init(rank: Int, worldSize: Int, globalCount: Int) {
        require(worldSize >= 1 && rank >= 0 && rank < worldSize, "BatchShard: rank \(rank) of \(worldSize)")
        self.rank = rank; self.worldSize = worldSize; self.globalCount = globalCount
    }

    /// Rows this rank holds: ⌈(globalCount − rank) / W⌉.
    public var localCount: Int { max(0, (globalCount - rank + worldSize - 1) / worldSize) }
    /// The rank's share of the global mean: localCount / globalCount (gradients and figures are
    /// weighted by it before they are summed over the ranks).
    public var weight: Double { Double(localCount) / Double(max(globalCount, 1)) }

    /// The global row of local row `i`.
    public func globalRow(_ i: Int) -> Int { i * worldSize + rank }

    /// This rank's elements of a per-row array of the global batch.
    public func pick<T>(_ all: [T]) -> [T] {
        require(all.count == globalCount, "BatchShard.pick: \(all.count) values for a global batch of \(globalCount)")
        return stride(from: rank, to: globalCount, by: worldSize).map { all[$0] }
    }

    /// This rank's rows of a global-batch tensor `[globalCount, …]` → `[localCount, …]` (no tape).
    public func rows(_ t: Tensor) -> Tensor {
        require(t.rank >= 1 && t.shape[0] == globalCount, "BatchShard.rows: expected [\(globalCount), …], got \(t.shape)")
        if worldSize == 1 { return t }
        let row = t.count / max(globalCount, 1)
        var out = [Float](repeating: 0, count: localCount * row)
        t.storage.withUnsafeBufferPointer { src in out.withUnsafeMutableBufferPointer { dst in
            for i in 0..<localCount {
                let g = globalRow(i)
                for j in 0..<row { dst[i * row + j] = src[g * row + j] }
            }
        } }
        return Tensor(shape: [localCount] + Array(t.shape.dropFirst()), storage: out)
    }

    /// Draws a per-row random tensor of `shape` (whose first axis is this rank's rows) as one
    /// process would for the global batch, and keeps this rank's rows.
    public func draw(_ shape: [Int], _ make: ([Int]) -> Tensor) -> Tensor {
        guard let first = shape.first, first == localCount, worldSize > 1 else { return make(shape) }
        return rows(make([globalCount] + shape.dropFirst()))
    }

    // MARK: the current step

    /// The shard of the step being trained (set by the training loop for the step's duration; nil in
    /// a single process and outside steps). Dropout masks and the VAE's ε follow it; synchronised
    /// BatchNorm reduces over the ranks while it is set.
    nonisolated(unsafe) public static var current: BatchShard?

    /// Sums values over every rank in place (an MPI all-reduce), installed by the data-parallel
    /// runtime; nil in a single process. Synchronised BatchNorm calls it.
    nonisolated(unsafe) public static var crossReplicaSum: ((inout [Double]) -> Void)?

    /// Whether BatchNorm layers in training mode normalise with the statistics of the global batch
    /// (all-reduced over the ranks) while a shard is current. On by default; `--no-sync-batch-norm`.
    nonisolated(unsafe) public static var synchronizeBatchNorm = true

    /// The shard and the reduction synchronised BatchNorm uses now, if any.
    static var batchNormSynchronization: (shard: BatchShard, sum: (inout [Double]) -> Void)? {
        guard synchronizeBatchNorm, let shard = current, shard.worldSize > 1, let sum = crossReplicaSum else { return nil }
        return (shard, sum)
    }
}
