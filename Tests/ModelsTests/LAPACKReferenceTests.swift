import XCTest
@testable import IllusionModels

/// LAPACK's eigendecomposition (used by FD and PCA) against the hand-written Jacobi reference.
final class LAPACKReferenceTests: XCTestCase {
    func randomCovariance(_ n: Int, seed: UInt64) -> [Double] {
        var rng = RandomGenerator(seed: seed)
        let x = (0..<(3 * n * n)).map { _ in Double(rng.nextNormal()) }
        return LinearAlgebra.gram(x, rows: 3 * n, columns: n)
    }

    func testEigenvaluesAndSubspacesAgreeWithJacobi() {
        let n = 24
        let c = randomCovariance(n, seed: 5)
        let lapack = symmetricEigen(c, n), jacobi = jacobiSymmetricEigen(c, n)
        for (a, b) in zip(lapack.values, jacobi.values) { XCTAssertEqual(a, b, accuracy: 1e-9 * max(1, abs(b))) }
        for j in 0..<n {   // same eigenvector up to sign
            let dot = (0..<n).reduce(0.0) { $0 + lapack.vectors[$1 * n + j] * jacobi.vectors[$1 * n + j] }
            XCTAssertEqual(abs(dot), 1, accuracy: 1e-8, "eigenvector \(j)")
        }
    }

    /// FD between two Gaussians with commuting (diagonal) covariances has the closed form
    /// ‖μ₁ − μ₂‖² + Σ (√a − √b)².
    func testFrechetDistanceOfDiagonalGaussians() {
        let a = GaussianStatistics(mean: [1, 0, 2], covariance: [4, 0, 0, 0, 1, 0, 0, 0, 9])
        let b = GaussianStatistics(mean: [0, 0, 0], covariance: [1, 0, 0, 0, 1, 0, 0, 0, 4])
        XCTAssertEqual(FrechetDistance.distance(a, b), 5 + 1 + 0 + 1, accuracy: 1e-10)
    }

    func testPrincipalComponentsFindTheDominantAxis() {
        var rng = RandomGenerator(seed: 2)
        var data: [Float] = []
        for _ in 0..<500 { let t = rng.nextNormal() * 3, e = rng.nextNormal() * 0.1; data += [t, t + e, e] }
        let pca = PrincipalComponents(data: data, rows: 500, columns: 3, k: 2)
        let c = pca.components[0]
        XCTAssertEqual(abs(c[0]), 0.5.squareRoot(), accuracy: 0.01)
        XCTAssertEqual(abs(c[1]), 0.5.squareRoot(), accuracy: 0.01)
        XCTAssertGreaterThan(pca.variances[0], 100 * pca.variances[1])
    }
}
