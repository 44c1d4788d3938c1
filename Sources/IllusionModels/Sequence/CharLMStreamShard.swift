import Foundation
import IllusionNeuralNetworks

/// Data-parallel truncated BPTT (`mpirun -np W illusion train char-lm`): the B contiguous streams
/// are the batch's rows, so rank r of W owns the streams r, r + W, r + 2W, … (``BatchShard``) for
/// the whole epoch and carries their state `[L, B/W, H]` from step to step. A checkpoint holds the
/// state of all B streams (gathered from the ranks, ``gatheredStreams(_:sum:)``), and a run resumed
/// on any number of ranks takes each rank's streams back out of it (``streams(of:)``).
extension RecurrentState {
    /// This rank's streams of a state of all B streams: `[L, B, H]` → `[L, B/W, H]`.
    func streams(of shard: BatchShard) -> RecurrentState {
        guard shard.worldSize > 1 else { return self }
        return RecurrentState(hidden: Self.pickStreams(hidden, shard), cell: cell.map { Self.pickStreams($0, shard) })
    }

    /// The state of all B streams from every rank's own `[L, B/W, H]` (a sum over the ranks of
    /// zero-padded copies: each stream's value comes from one rank, so the floats are exact).
    /// A collective: every rank calls it at the same point.
    func gatheredStreams(_ shard: BatchShard, sum: (inout [Double]) -> Void) -> RecurrentState {
        guard shard.worldSize > 1 else { return self }
        func gather(_ t: Tensor) -> Tensor {
            let (layers, h) = (t.shape[0], t.shape[2])
            require(t.shape[1] == shard.localCount, "gatheredStreams: \(t.shape) for \(shard.localCount) streams")
            var all = [Double](repeating: 0, count: layers * shard.globalCount * h)
            Self.forEachStreamRow(layers: layers, width: h, shard) { local, global in
                for j in 0..<h { all[global + j] = Double(t.storage[local + j]) }
            }
            sum(&all)
            return Tensor(shape: [layers, shard.globalCount, h], storage: all.map { Float($0) })
        }
        return RecurrentState(hidden: gather(hidden), cell: cell.map(gather))
    }

    /// `[L, B, H]` → `[L, B/W, H]`: stream axis 1 through the shard.
    static func pickStreams(_ t: Tensor, _ shard: BatchShard) -> Tensor {
        let (layers, h) = (t.shape[0], t.shape[2])
        require(t.shape[1] == shard.globalCount, "pickStreams: \(t.shape) for \(shard.globalCount) streams")
        var out = [Float](repeating: 0, count: layers * shard.localCount * h)
        forEachStreamRow(layers: layers, width: h, shard) { local, global in
            for j in 0..<h { out[local + j] = t.storage[global + j] }
        }
        return Tensor(shape: [layers, shard.localCount, h], storage: out)
    }

    /// Every (layer, own stream) row of width `width`: its start in a `[L, B/W, H]` tensor (`local`)
    /// and in a `[L, B, H]` one (`global`), the one map both directions above copy through.
    static func forEachStreamRow(layers: Int, width: Int, _ shard: BatchShard, _ body: (_ local: Int, _ global: Int) -> Void) {
        for l in 0..<layers {
            for i in 0..<shard.localCount {
                body((l * shard.localCount + i) * width, (l * shard.globalCount + shard.globalRow(i)) * width)
            }
        }
    }
}

extension BatchShard {
    /// Refuses a batch of `count` rows (streams, windows) that does not split into equal parts.
    func requireEqualParts(_ count: Int, of what: String) throws {
        guard count % worldSize == 0 else {
            throw ModelError.invalidArgument("--batch-size \(count) (\(what)) must divide by the \(worldSize) ranks (mpirun -np \(worldSize)) into equal parts; use a multiple of \(worldSize)")
        }
    }
}
