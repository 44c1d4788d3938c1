import XCTest
@testable import IllusionDatasets

final class ToyDatasetsTests: XCTestCase {
    func testShapesLabelsAndDeterminism() {
        let sets = [
            ToyDatasets.moons(count: 101, noise: 0.1, seed: 1),
            ToyDatasets.circles(count: 100, noise: 0.05, seed: 1),
            ToyDatasets.spirals(count: 99, classes: 3, noise: 0.02, seed: 1),
            ToyDatasets.gaussianBlobs(count: 60, classes: 4, seed: 1),
        ]
        for (ds, k) in zip(sets, [2, 2, 3, 4]) {
            XCTAssertEqual(ds.points.shape, [ds.count, 2])
            XCTAssertEqual(ds.classCount, k)
            XCTAssertEqual(Set(ds.labels), Set(0..<k))
            let counts = (0..<k).map { c in ds.labels.filter { $0 == c }.count }
            XCTAssertLessThanOrEqual(counts.max()! - counts.min()!, 1)
        }
        XCTAssertEqual(ToyDatasets.moons(count: 50, seed: 3).points.storage, ToyDatasets.moons(count: 50, seed: 3).points.storage)
        XCTAssertNotEqual(ToyDatasets.moons(count: 50, seed: 3).points.storage, ToyDatasets.moons(count: 50, seed: 4).points.storage)
    }

    func testNoiseFreeGeometry() {
        let circles = ToyDatasets.circles(count: 40, noise: 0, factor: 0.3, seed: 2)
        for i in 0..<40 {
            let r = hypot(circles.points.storage[2 * i], circles.points.storage[2 * i + 1])
            XCTAssertEqual(r, circles.labels[i] == 0 ? 1 : 0.3, accuracy: 1e-5)
        }
        let moons = ToyDatasets.moons(count: 40, noise: 0, seed: 2)
        for i in 0..<40 {
            let x = moons.points.storage[2 * i], y = moons.points.storage[2 * i + 1]
            if moons.labels[i] == 0 { XCTAssertEqual(hypot(x, y), 1, accuracy: 1e-5); XCTAssertGreaterThanOrEqual(y, -1e-6) }
            else { XCTAssertEqual(hypot(x - 1, y - 0.5), 1, accuracy: 1e-5); XCTAssertLessThanOrEqual(y, 0.5 + 1e-6) }
        }
        let blobs = ToyDatasets.gaussianBlobs(count: 3000, centers: [(0, 0), (10, -5)], standardDeviation: 0.5, seed: 4)
        let xs = (0..<3000).filter { blobs.labels[$0] == 1 }.map { Double(blobs.points.storage[2 * $0]) }
        let mean = xs.reduce(0, +) / Double(xs.count)
        let std = (xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(xs.count)).squareRoot()
        XCTAssertEqual(mean, 10, accuracy: 0.05)
        XCTAssertEqual(std, 0.5, accuracy: 0.03)
        let spiral = ToyDatasets.spirals(count: 30, classes: 3, noise: 0, seed: 1)
        XCTAssertTrue(spiral.points.storage.allSatisfy { abs($0) <= 1.0001 })
    }
}
