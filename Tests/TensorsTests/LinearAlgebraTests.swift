import XCTest
@testable import IllusionTensors

/// LAPACK through OpenBLAS: hand-checkable cases and the defining identities.
final class LinearAlgebraTests: XCTestCase {
    func testSymmetricEigenOfAKnownMatrix() {
        // [[2, 1], [1, 2]]: eigenvalues 3 and 1, eigenvectors (1, 1)/√2 and (1, −1)/√2.
        let (values, vectors) = LinearAlgebra.symmetricEigen([2, 1, 1, 2], 2)
        XCTAssertEqual(values[0], 3, accuracy: 1e-12)
        XCTAssertEqual(values[1], 1, accuracy: 1e-12)
        XCTAssertEqual(abs(vectors[0 * 2 + 0]), 0.5.squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(vectors[0 * 2 + 0] * vectors[1 * 2 + 0], 0.5, accuracy: 1e-12, "first column ∝ (1, 1)")
        XCTAssertEqual(vectors[0 * 2 + 1] * vectors[1 * 2 + 1], -0.5, accuracy: 1e-12, "second column ∝ (1, −1)")
    }

    func testEigenvectorsSatisfyAVEqualsVLambda() {
        let n = 7
        var rng = RandomGenerator(seed: 1)
        var a = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in i..<n { let v = Double(rng.nextNormal()); a[i * n + j] = v; a[j * n + i] = v } }
        let (values, vectors) = LinearAlgebra.symmetricEigen(a, n)
        XCTAssertEqual(values, values.sorted(by: >))
        let av = LinearAlgebra.multiply(a, vectors, m: n, k: n, n: n)
        for i in 0..<n { for j in 0..<n { XCTAssertEqual(av[i * n + j], vectors[i * n + j] * values[j], accuracy: 1e-10) } }
    }

    func testNaNInputGivesNaNNotATrap() {
        XCTAssertTrue(LinearAlgebra.symmetricEigen([.nan, 0, 0, 1], 2).values.contains { $0.isNaN })
    }

    func testSingularValuesOfAKnownMatrix() {
        // [[3, 0], [0, −2], [0, 0]] (3×2): σ = 3, 2.
        let s = LinearAlgebra.singularValues([3, 0, 0, -2, 0, 0], rows: 3, columns: 2)
        XCTAssertEqual(s.count, 2)
        XCTAssertEqual(s[0], 3, accuracy: 1e-12)
        XCTAssertEqual(s[1], 2, accuracy: 1e-12)
        // A rank-one 2×3 matrix u·vᵀ has σ₁ = ‖u‖‖v‖ and σ₂ = 0.
        let r = LinearAlgebra.singularValues([1, 2, 2, 2, 4, 4], rows: 2, columns: 3)
        XCTAssertEqual(r[0], 5.0.squareRoot() * 3, accuracy: 1e-12)
        XCTAssertEqual(r[1], 0, accuracy: 1e-12)
    }

    func testLeastSquaresFitsALineAndReportsRank() {
        // y = 2x + 1 exactly at x = 0, 1, 2, 3 (columns x and 1).
        let a: [Double] = [0, 1, 1, 1, 2, 1, 3, 1]
        let fit = LinearAlgebra.leastSquares(a, rows: 4, columns: 2, [1, 3, 5, 7])
        XCTAssertEqual(fit.rank, 2)
        XCTAssertEqual(fit.solution[0], 2, accuracy: 1e-12)
        XCTAssertEqual(fit.solution[1], 1, accuracy: 1e-12)
        let collinear = LinearAlgebra.leastSquares([1, 2, 2, 4, 3, 6], rows: 3, columns: 2, [1, 2, 3])
        XCTAssertEqual(collinear.rank, 1)
    }

    func testGramMatchesTheProductWithTheTranspose() {
        let x: [Double] = [1, 2, 3, 4, 5, 6]   // 3×2
        XCTAssertEqual(LinearAlgebra.gram(x, rows: 3, columns: 2), [35, 44, 44, 56])
    }
}
