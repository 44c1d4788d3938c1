import XCTest
@testable import IllusionDatasets

final class BatchesTests: XCTestCase {
    /// `n` (≤ 256) images 1×2×2 whose bytes are their index.
    func tinyDataset(_ n: Int = 10) -> ImageDataset {
        ImageDataset(name: "tiny", channels: 1, height: 2, width: 2,
                     images: (0..<n).flatMap { Array(repeating: UInt8($0), count: 4) },
                     labels: (0..<n).map { $0 % 3 }, classNames: ["a", "b", "c"],
                     attributeNames: ["Even"], attributes: (0..<n).map { $0 % 2 == 0 })
    }

    func testEpochCoversEveryItemOnceAndIsSeeded() throws {
        let ds = tinyDataset()
        let loader = try DataLoader(dataset: ds, batchSize: 3, seed: 7)
        XCTAssertEqual(loader.batchCount, 4)
        let epoch0 = Array(loader.batches(epoch: 0))
        XCTAssertEqual(epoch0.map(\.images.shape), [[3, 1, 2, 2], [3, 1, 2, 2], [3, 1, 2, 2], [1, 1, 2, 2]])
        XCTAssertEqual(epoch0.flatMap(\.indices).sorted(), Array(0..<10))
        for b in epoch0 {
            XCTAssertEqual(b.labels, b.indices.map { $0 % 3 })
            for (r, i) in b.indices.enumerated() {
                XCTAssertEqual(b.images.storage[r * 4], Float(i) / 255, accuracy: 1e-7)
                XCTAssertEqual(b.attributes!.storage[r], i % 2 == 0 ? 1 : 0)
            }
        }
        let again = Array(loader.batches(epoch: 0)).flatMap(\.indices)
        XCTAssertEqual(again, epoch0.flatMap(\.indices))
        let epoch1 = Array(loader.batches(epoch: 1)).flatMap(\.indices)
        XCTAssertNotEqual(epoch1, again)
        let otherSeed = try DataLoader(dataset: ds, batchSize: 3, seed: 8)
        XCTAssertNotEqual(Array(otherSeed.batches(epoch: 0)).flatMap(\.indices), again)
    }

    func testDropLastAndNoShuffle() throws {
        let loader = try DataLoader(dataset: tinyDataset(), batchSize: 4, shuffle: false, dropLast: true)
        XCTAssertEqual(loader.batchCount, 2)
        XCTAssertEqual(Array(loader.batches(epoch: 3)).map(\.indices), [[0, 1, 2, 3], [4, 5, 6, 7]])
        XCTAssertThrowsError(try DataLoader(dataset: tinyDataset(), batchSize: 0))
    }

    func testPrefetchGivesTheSameBatchesIncludingRandomness() throws {
        let ds = tinyDataset(50)
        let noise: (Tensor, inout RandomGenerator) -> Tensor = { x, g in
            Augmentation.gaussianNoise(x, standardDeviation: 0.1, generator: &g)
        }
        let a = try DataLoader(dataset: ds, batchSize: 8, seed: 3, encoding: .bernoulli, prefetch: true, transform: noise)
        let b = try DataLoader(dataset: ds, batchSize: 8, seed: 3, encoding: .bernoulli, prefetch: false, transform: noise)
        for epoch in 0..<3 {
            let x = Array(a.batches(epoch: epoch)), y = Array(b.batches(epoch: epoch))
            XCTAssertEqual(x.count, y.count)
            for (p, q) in zip(x, y) {
                XCTAssertEqual(p.indices, q.indices)
                XCTAssertEqual(p.images.storage, q.images.storage)
            }
        }
        // Dynamic binarization differs between epochs for the same image.
        let e0 = Array(b.batches(epoch: 0)), e1 = Array(b.batches(epoch: 1))
        XCTAssertNotEqual(e0.flatMap(\.images.storage), e1.flatMap(\.images.storage))
        // Abandoning an iterator mid-epoch is safe.
        var it = a.batches(epoch: 0).makeIterator()
        _ = it.next()
        it = a.batches(epoch: 1).makeIterator()
        XCTAssertNotNil(it.next())
    }

    func testHoldOutSplit() throws {
        let ds = tinyDataset(100)
        let (train, validation) = try ds.split(validationFraction: 0.2, seed: 1)
        XCTAssertEqual(train.count, 80)
        XCTAssertEqual(validation.count, 20)
        let ids = (train.images + validation.images).enumerated().filter { $0.offset % 4 == 0 }.map { Int($0.element) }
        XCTAssertEqual(Set(ids).count, 100, "every image in exactly one part")
        let (train2, _) = try ds.split(validationFraction: 0.2, seed: 1)
        XCTAssertEqual(train.images, train2.images)
        let (train3, _) = try ds.split(validationFraction: 0.2, seed: 2)
        XCTAssertNotEqual(train.images, train3.images)
        XCTAssertEqual(train.attributeNames, ["Even"])
        XCTAssertEqual(train.attributes.count, 80)
        assertDatasetError(try ds.split(validationFraction: 1, seed: 0), contains: ["validation fraction"])
        let (all, none) = try ds.split(validationFraction: 0, seed: 0)
        XCTAssertEqual([all.count, none.count], [100, 0])
    }

    func testEncodingsInLoader() throws {
        let ds = tinyDataset()
        let loader = try DataLoader(dataset: ds, batchSize: 10, shuffle: false, encoding: .symmetricRange)
        let batch = Array(loader.batches(epoch: 0))[0]
        XCTAssertEqual(batch.images.storage[0], -1)
        XCTAssertEqual(batch.images.storage[36], Float(9) * 2 / 255 - 1, accuracy: 1e-6)
    }
}
