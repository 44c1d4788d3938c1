import XCTest
@testable import IllusionTensors

/// NaN in `max(axis:)` and `argmaxLastAxis()` behaves as PyTorch's `torch.max(x, dim)` / `argmax`:
/// the maximum is NaN, the index (and the gradient) the first NaN. Expected values from PyTorch 2.13:
/// x = [[1, nan, 3, nan], [2, 5, −1, 0], [nan, 7, 1, 2]] → max(dim=1) = [nan, 5, nan], indices [1, 1, 0];
/// max(dim=0) = [nan, nan, 3, nan], indices [2, 0, 0, 0].
final class ReductionNaNTests: XCTestCase {
    let nan = Float.nan
    var x: Tensor {
        Tensor(shape: [3, 4], storage: [1, nan, 3, nan, 2, 5, -1, 0, nan, 7, 1, 2], requiresGrad: true)
    }

    func assertSame(_ actual: [Float], _ expected: [Float], _ what: String, line: UInt = #line) {
        XCTAssertEqual(actual.count, expected.count, what, line: line)
        for (a, e) in zip(actual, expected) {
            XCTAssertTrue(a == e || (a.isNaN && e.isNaN), "\(what): \(actual) ≠ \(expected)", line: line)
        }
    }

    func testMaxAlongAxisPropagatesNaNAndRoutesTheGradientToTheFirstNaN() {
        let input = x
        let rows = input.max(axis: 1)
        assertSame(rows.storage, [nan, 5, nan], "max(axis: 1)")
        rows.sum().backward()
        assertSame(input.gradient!.storage, [0, 1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0], "gradient of max(axis: 1)")

        let columns = x.max(axis: 0)
        assertSame(columns.storage, [nan, nan, 3, nan], "max(axis: 0)")
    }

    func testMaxOfANaNInTheFirstOrLastPlace() {
        assertSame(Tensor(shape: [3], storage: [nan, 1, 2]).max(axis: 0).storage, [nan], "leading NaN")
        assertSame(Tensor(shape: [3], storage: [1, 2, nan]).max(axis: 0).storage, [nan], "trailing NaN")
        assertSame(Tensor(shape: [3], storage: [1, 4, 2]).max(axis: 0).storage, [4], "no NaN")
    }

    func testArgmaxCountsNaNAsTheMaximum() {
        XCTAssertEqual(x.argmaxLastAxis(), [1, 1, 0])
        XCTAssertEqual(Tensor(shape: [2, 3], storage: [3, 3, 1, 0, 2, 2]).argmaxLastAxis(), [0, 1], "ties: first index")
    }
}
