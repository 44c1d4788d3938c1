import Foundation

/// One mini-batch.
public struct Batch {
    /// `[B, C, H, W]` floats, encoded by the loader's ``PixelEncoding`` (default [0, 1]).
    public let images: Tensor
    /// `[B]` class labels.
    public let labels: [Int]
    /// `[B]` positions of these images in the dataset.
    public let indices: [Int]
    /// `[B, attributeCount]` 0/1 attributes, nil when the dataset has none.
    public let attributes: Tensor?
    /// Which batch of the epoch this is (0-based).
    public let position: Int
}

/// Cuts an ``ImageDataset`` into mini-batches: seeded shuffling per epoch, a batch size, an
/// optional drop of the last short batch, an optional per-batch transform (augmentation), and
/// a background thread that prepares the next batch while the caller trains on the current one.
///
/// ```swift
/// let loader = try DataLoader(dataset: train, batchSize: 128, seed: 42)
/// for epoch in 0..<10 { for batch in loader.batches(epoch: epoch) { … batch.images … } }
/// ```
/// Batches are a pure function of `(seed, epoch, batch position)`: the same with or without
/// prefetching, and reproducible when a run resumes at some epoch.
public final class DataLoader {
    public let dataset: ImageDataset
    public let batchSize: Int
    public let shuffle: Bool
    public let dropLast: Bool
    public let seed: UInt64
    /// How bytes become floats; defaults to the dataset's ``ImageDataset/defaultEncoding``.
    public let encoding: PixelEncoding
    /// Prepare batch k+1 on a background thread while batch k is in use.
    public let prefetch: Bool
    /// Applied to each batch's images after encoding (e.g. augmentation), with a generator
    /// seeded for that batch. Runs on the prefetch thread, so it must not touch shared mutable state.
    public let transform: ((Tensor, inout RandomGenerator) -> Tensor)?

    public init(dataset: ImageDataset, batchSize: Int, shuffle: Bool = true, dropLast: Bool = false,
                seed: UInt64 = 0, encoding: PixelEncoding? = nil, prefetch: Bool = true,
                transform: ((Tensor, inout RandomGenerator) -> Tensor)? = nil) throws {
        guard batchSize > 0 else { throw DatasetError.invalidArgument("batch size must be positive, got \(batchSize)") }
        self.dataset = dataset
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.seed = seed
        self.encoding = encoding ?? dataset.defaultEncoding
        self.prefetch = prefetch
        self.transform = transform
    }

    /// Number of batches per epoch.
    public var batchCount: Int {
        dropLast ? dataset.count / batchSize : (dataset.count + batchSize - 1) / batchSize
    }

    /// The batches of one epoch, in order.
    public func batches(epoch: Int) -> EpochBatches {
        EpochBatches(loader: self, epoch: epoch,
                     order: BatchOrder.batches(count: dataset.count, batchSize: batchSize, shuffle: shuffle,
                                               dropLast: dropLast, seed: seed, epoch: epoch))
    }

    /// Builds batch `position` of `epoch` from its dataset indices (thread-safe: reads only).
    func makeBatch(indices: [Int], epoch: Int, position: Int) -> Batch {
        var generator = BatchOrder.generatorFor(seed: seed, epoch: epoch, batch: position)
        var images = dataset.floatImages(at: indices, encoding: encoding, generator: &generator)
        if let transform { images = transform(images, &generator) }
        let attributes = dataset.attributeCount > 0 ? dataset.attributeMatrix(at: indices) : nil
        return Batch(images: images, labels: indices.map { dataset.labels[$0] }, indices: indices,
                     attributes: attributes, position: position)
    }
}

/// The batches of one epoch of a ``DataLoader`` (iterate with `for … in`).
public struct EpochBatches: Sequence {
    let loader: DataLoader
    public let epoch: Int
    /// Dataset indices of every batch.
    public let order: [[Int]]

    public var count: Int { order.count }

    public func makeIterator() -> BatchIterator { BatchIterator(batches: self) }

    /// Iterates from batch `position` on (resuming in the middle of an epoch); the batches are the
    /// same as an iteration from the start would give there.
    public func makeIterator(from position: Int) -> BatchIterator { BatchIterator(batches: self, start: position) }
}

/// Iterates an epoch; with prefetching, a one-slot producer builds the next batch on a
/// background queue while the current one is being used.
public final class BatchIterator: IteratorProtocol {
    private let batches: EpochBatches
    private var nextPosition = 0
    private let queue = DispatchQueue(label: "IllusionCraft.DataLoader.prefetch", qos: .userInitiated)
    private var pending: (group: DispatchGroup, slot: BatchSlot)?

    init(batches: EpochBatches, start: Int = 0) { self.batches = batches; self.nextPosition = max(0, start) }

    deinit { pending?.group.wait() }

    public func next() -> Batch? {
        let position = nextPosition
        guard position < batches.order.count else { return nil }
        nextPosition += 1
        let batch: Batch
        if let (group, slot) = pending {
            group.wait()
            batch = slot.batch!
            pending = nil
        } else {
            batch = make(position)
        }
        if batches.loader.prefetch && position + 1 < batches.order.count { schedule(position + 1) }
        return batch
    }

    private func make(_ position: Int) -> Batch {
        batches.loader.makeBatch(indices: batches.order[position], epoch: batches.epoch, position: position)
    }

    private func schedule(_ position: Int) {
        let group = DispatchGroup(), slot = BatchSlot()
        let loader = batches.loader, indices = batches.order[position], epoch = batches.epoch
        queue.async(group: group) {
            slot.batch = loader.makeBatch(indices: indices, epoch: epoch, position: position)
        }
        pending = (group, slot)
    }
}

/// The single slot the prefetch thread fills (written once before the group leaves, read after wait).
private final class BatchSlot: @unchecked Sendable {
    var batch: Batch?
}
