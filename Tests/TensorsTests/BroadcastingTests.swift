import XCTest
@testable import IllusionTensors

final class BroadcastingTests: XCTestCase {
    func testShapeRules() {
        XCTAssertEqual(broadcastShape([2, 3], [2, 3]), [2, 3])
        XCTAssertEqual(broadcastShape([2, 3], [3]), [2, 3])
        XCTAssertEqual(broadcastShape([3], [2, 3]), [2, 3])
        XCTAssertEqual(broadcastShape([4, 1], [1, 3]), [4, 3])
        XCTAssertEqual(broadcastShape([2, 1, 4], [3, 1]), [2, 3, 4])
        XCTAssertEqual(broadcastShape([], [2, 3]), [2, 3])
        XCTAssertEqual(broadcastShape([2, 3], []), [2, 3])
        XCTAssertEqual(broadcastShape([1], [5]), [5])
        XCTAssertEqual(broadcastShape([0, 3], [1, 3]), [0, 3])
    }

    func testIncompatibleShapesGiveNil() {
        XCTAssertNil(broadcastShape([2, 3], [4]))
        XCTAssertNil(broadcastShape([2, 3], [3, 2]))
        XCTAssertNil(broadcastShape([2, 1, 4], [3, 5]))
        XCTAssertNil(broadcastShape([0], [2]))
    }

    func testValuesAndAdjoint() {
        // [2,1] → [2,3]: rows repeated.
        XCTAssertEqual(broadcastValues([1, 2], from: [2, 1], to: [2, 3]), [1, 1, 1, 2, 2, 2])
        // [3] → [2,3]: row repeated.
        XCTAssertEqual(broadcastValues([1, 2, 3], from: [3], to: [2, 3]), [1, 2, 3, 1, 2, 3])
        // sumToShape is the adjoint: ⟨broadcast(a), g⟩ = ⟨a, sumToShape(g)⟩.
        var rng = RandomGenerator(seed: 3)
        for (small, big) in [([3, 1], [2, 3, 4]), ([1, 4], [3, 4]), ([], [2, 2]), ([2, 1, 1], [2, 3, 2])] {
            let a = (0..<small.reduce(1, *)).map { _ in rng.nextFloat() }
            let g = (0..<big.reduce(1, *)).map { _ in rng.nextFloat() }
            let lhs = zip(broadcastValues(a, from: small, to: big), g).reduce(0) { $0 + Double($1.0 * $1.1) }
            let rhs = zip(a, sumToShape(g, from: big, to: small)).reduce(0) { $0 + Double($1.0 * $1.1) }
            XCTAssertEqual(lhs, rhs, accuracy: 1e-4, "\(small) → \(big)")
        }
    }

    func testBroadcastArithmeticValues() {
        let a = Tensor(shape: [2, 1], storage: [10, 20])
        let b = Tensor(shape: [3], storage: [1, 2, 3])
        XCTAssertEqual((a + b).storage, [11, 12, 13, 21, 22, 23])
        XCTAssertEqual((a - b).shape, [2, 3])
        XCTAssertEqual((b * a).storage, [10, 20, 30, 20, 40, 60])
        XCTAssertEqual((a / Tensor(2)).storage, [5, 10])
    }
}
