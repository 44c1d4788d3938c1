import XCTest
@testable import IllusionModels

final class AugmentationPreviewTests: XCTestCase {
    func testPreviewGridHasOneRowPerOpAndIsReproducible() throws {
        var rng = RandomGenerator(seed: 1)
        let images = (0..<(6 * 16 * 16)).map { _ in UInt8(rng.nextInt(below: 256)) }
        let dataset = ImageDataset(name: "random", channels: 1, height: 16, width: 16, images: images,
                                   labels: [0, 1, 2, 0, 1, 2], classNames: ["a", "b", "c"])
        let ops = AugmentationPreview.operationNames
        let a = try AugmentationPreview.grid(dataset: dataset, names: ops, count: 4, seed: 3)
        let b = try AugmentationPreview.grid(dataset: dataset, names: ops, count: 4, seed: 3)
        let c = try AugmentationPreview.grid(dataset: dataset, names: ops, count: 4, seed: 4)
        XCTAssertEqual(a, b, "same seed, same picture")
        XCTAssertNotEqual(a, c)
        // rows: original + one per op, each 16·2 px tall plus 2 px padding, plus the top padding
        XCTAssertEqual(a.height, 2 + (ops.count + 1) * (32 + 2))
        XCTAssertThrowsError(try AugmentationPreview.grid(dataset: dataset, names: ["warp-drive"], count: 4, seed: 0)) {
            XCTAssertTrue("\($0)".contains("warp-drive"))
        }
    }
}
