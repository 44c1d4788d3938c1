/// Inverted dropout, as `torch.nn.Dropout`: in training each element is zeroed with probability
/// `p` and the survivors are scaled by 1/(1−p), so the expected value is unchanged; in evaluation
/// the layer is the identity.
///
/// The layer holds its own seeded ``RandomGenerator`` (``generator``), so a run is reproducible and
/// the generator's state can be checkpointed with the training state.
public final class Dropout: Layer {
    /// Probability of zeroing an element, in [0, 1).
    public let p: Float
    /// Draws the masks; saved in training checkpoints so a resumed run draws the same ones.
    public var generator: RandomGenerator
    public var isTraining = true

    /// `torch.nn.Dropout(p)` with its own generator seeded by `seed`.
    public init(p: Float = 0.5, seed: UInt64) {
        require(p >= 0 && p <= 1, "Dropout: p must be in [0, 1], got \(p)")
        self.p = p
        generator = RandomGenerator(seed: seed, stream: 0xD80F)
    }

    /// Seeds the layer's generator from `rng` (one draw), so a model built from one seed is reproducible.
    public convenience init(p: Float = 0.5, rng: inout RandomGenerator) {
        let seed = (UInt64(rng.nextUInt32()) << 32) | UInt64(rng.nextUInt32())
        self.init(p: p, seed: seed)
    }

    public var summaryName: String { "Dropout(\(p))" }

    public func forward(_ x: Tensor) -> Tensor {
        guard isTraining && p > 0 else { return x }
        return dropout(x, p: p, rng: &generator)
    }
}

/// Inverted dropout as one tape op: y = x·mask, mask ∈ {0, 1/(1−p)}, drawn from `rng`
/// (an element is kept when a uniform draw in [0, 1) is ≥ p). Backward: dx = dy·mask.
///
/// Data-parallel (a ``BatchShard/current`` shard of W > 1 ranks and `x` `[localCount, …]`, batch
/// first): the mask of the whole global batch is drawn, and this rank keeps its rows of it, so an
/// example's mask does not depend on W (the ``Dropout`` layer and the recurrent layers' dropout).
public func dropout(_ x: Tensor, p: Float, rng: inout RandomGenerator) -> Tensor {
    if p <= 0 { return x }
    if let shard = BatchShard.current, shard.worldSize > 1, x.rank >= 1, x.shape[0] == shard.localCount {
        let row = x.count / max(x.shape[0], 1)
        var all = [Bool](repeating: false, count: shard.globalCount * row)
        for i in 0..<all.count { all[i] = rng.nextFloat() >= p }
        var keep = [Bool](repeating: false, count: x.count)
        for i in 0..<shard.localCount {
            let g = shard.globalRow(i)
            for j in 0..<row { keep[i * row + j] = all[g * row + j] }
        }
        return dropout(x, keep: keep, p: p)
    }
    var keep = [Bool](repeating: false, count: x.count)
    for i in 0..<keep.count { keep[i] = rng.nextFloat() >= p }
    return dropout(x, keep: keep, p: p)
}

/// Dropout with a given keep-mask (true = kept): y = keep ? x/(1−p) : 0. Used by ``dropout(_:p:rng:)``
/// and by tests that replay PyTorch's mask.
public func dropout(_ x: Tensor, keep: [Bool], p: Float) -> Tensor {
    require(keep.count == x.count, "dropout: mask of \(keep.count) for \(x.count) values")
    let scale: Float = p >= 1 ? 0 : 1 / (1 - p)
    var mask = uninitializedFloats(x.count)
    for i in 0..<mask.count { mask[i] = keep[i] ? scale : 0 }
    var y = uninitializedFloats(x.count)
    x.storage.withUnsafeBufferPointer { xp in mask.withUnsafeBufferPointer { mp in y.withUnsafeMutableBufferPointer { yp in
        for i in 0..<yp.count { yp[i] = xp[i] * mp[i] }
    } } }
    return Tensor.result("dropout", shape: x.shape, storage: y, inputs: [x]) { _, g in
        var dx = uninitializedFloats(x.count)
        g.withUnsafeBufferPointer { gp in mask.withUnsafeBufferPointer { mp in dx.withUnsafeMutableBufferPointer { d in
            for i in 0..<d.count { d[i] = gp[i] * mp[i] }
        } } }
        x.accumulateGrad(dx)
    }
}
