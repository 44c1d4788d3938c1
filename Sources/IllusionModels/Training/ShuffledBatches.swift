import IllusionTensors

/// The batches of one epoch of an in-memory training set, for a ``TrainingTask``: at
/// ``TrainingTask/beginEpoch(_:rng:)`` a permutation of `0..<count` is drawn from the trainer's
/// stream (so a resumed run redraws the same one), and step `i` takes its `i`-th run of
/// `batchSize` indices (the last run may be shorter).
struct ShuffledBatches {
    let count: Int
    let batchSize: Int
    private(set) var order: [Int] = []

    init(count: Int, batchSize: Int) {
        self.count = count
        self.batchSize = batchSize
    }

    /// Steps in an epoch: ⌈count / batchSize⌉.
    var steps: Int { (count + batchSize - 1) / batchSize }

    /// Draws the epoch's permutation.
    mutating func shuffle(_ rng: inout RandomGenerator) { order = rng.permutation(count) }

    /// The sample indices of step `index` of the current epoch.
    func indices(step index: Int) -> [Int] {
        Array(order[(index * batchSize)..<min((index + 1) * batchSize, count)])
    }
}
