/// Which items go into which batch for one epoch: the seeded shuffle shared by every loader.
///
/// The order of epoch `e` depends only on `(seed, e)`, so a resumed run (or any consumer
/// iterating epochs out of order) sees the same batches.
public enum BatchOrder {
    /// Index lists of the batches of `epoch`: a permutation of `0..<count` (identity when
    /// `shuffle` is false) cut into runs of `batchSize`; the last, shorter batch is dropped
    /// when `dropLast` is true.
    public static func batches(count: Int, batchSize: Int, shuffle: Bool, dropLast: Bool,
                               seed: UInt64, epoch: Int) -> [[Int]] {
        require(batchSize > 0, "BatchOrder: batch size must be positive")
        var order = Array(0..<count)
        if shuffle {
            var generator = generatorFor(seed: seed, epoch: epoch, batch: -1)
            order = generator.permutation(count)
        }
        var result: [[Int]] = []
        var start = 0
        while start < count {
            let end = min(start + batchSize, count)
            if end - start < batchSize && dropLast { break }
            result.append(Array(order[start..<end]))
            start = end
        }
        return result
    }

    /// An independent generator for (seed, epoch, batch), from a SplitMix64 hash of the three,
    /// so per-batch randomness (dynamic binarization, augmentation) does not depend on which
    /// thread makes the batch or in what order.
    public static func generatorFor(seed: UInt64, epoch: Int, batch: Int) -> RandomGenerator {
        var h = splitMix(seed)
        h = splitMix(h ^ UInt64(bitPattern: Int64(epoch)))
        h = splitMix(h ^ UInt64(bitPattern: Int64(batch)) &* 0x9E37_79B9_7F4A_7C15)
        return RandomGenerator(seed: h)
    }

    static func splitMix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
