import XCTest
@testable import IllusionModels

/// The claims of docs/theory/vae.md, each checked numerically.
final class VAETheoryTests: XCTestCase {
    /// Closed-form KL(N(μ, σ²) ‖ N(0, 1)) equals the Monte-Carlo mean of ln q(z) − ln p(z), z ~ q,
    /// within four standard errors of the estimate.
    func testClosedFormKLMatchesMonteCarlo() {
        var rng = RandomGenerator(seed: 7)
        let mu: [Float] = [0.5, -1.2, 2.0], logVar: [Float] = [-0.7, 0.4, -2.0]
        let closed = VAEEvaluator.perImageKL(mu, logVar, 3)[0]
        let samples = 200_000
        var sum = 0.0, sumSq = 0.0
        for _ in 0..<samples {
            var logRatio = 0.0
            for j in 0..<3 {
                let s = exp(0.5 * Double(logVar[j])), e = Double(rng.nextNormal())
                let z = Double(mu[j]) + s * e
                // ln q(z) − ln p(z) = −½e² − ln σ + ½z²
                logRatio += -0.5 * e * e - log(s) + 0.5 * z * z
            }
            sum += logRatio; sumSq += logRatio * logRatio
        }
        let mean = sum / Double(samples)
        let standardError = ((sumSq / Double(samples) - mean * mean) / Double(samples)).squareRoot()
        XCTAssertEqual(closed, 0.5 * (0.25 + exp(-0.7) + 0.7 - 1) + 0.5 * (1.44 + exp(0.4) - 0.4 - 1) + 0.5 * (4 + exp(-2.0) + 2 - 1), accuracy: 1e-5)
        XCTAssertLessThan(abs(mean - closed), 4 * standardError, "MC \(mean) vs closed form \(closed)")
        // and through the tape op the trainer uses
        let klTape = klDivergenceToStandardNormal(mean: Tensor(shape: [1, 3], storage: mu),
                                                  logVariance: Tensor(shape: [1, 3], storage: logVar), reduction: .sum)
        XCTAssertEqual(Double(klTape.scalar), closed, accuracy: 1e-4)
    }

    /// The reparameterized gradient of E_{z~N(μ,σ²)}[z²] = μ² + σ² matches the analytic one:
    /// ∂/∂μ = 2μ, ∂/∂ln σ² = σ².
    func testReparameterizedGradientMatchesAnalytic() {
        var rng = RandomGenerator(seed: 11)
        let n = 100_000
        let mu = Tensor(shape: [n, 1], storage: [Float](repeating: 0.7, count: n), requiresGrad: true)
        let logVar = Tensor(shape: [n, 1], storage: [Float](repeating: -0.4, count: n), requiresGrad: true)
        let z = VariationalAutoencoder.reparameterize(mean: mu, logVariance: logVar, rng: &rng)
        z.squared().mean().backward()
        let dMu = mu.grad!.reduce(0, +), dLogVar = logVar.grad!.reduce(0, +)
        XCTAssertEqual(Double(dMu), 2 * 0.7, accuracy: 0.02)
        XCTAssertEqual(Double(dLogVar), exp(-0.4), accuracy: 0.02)
    }

    /// Slerp keeps the norm between two equal-norm points; linear interpolation ends at the endpoints.
    func testInterpolationEndpointsAndNorm() {
        let a: [Float] = [3, 0], b: [Float] = [0, 3]
        let lin = VAEExplorer.interpolate(a, b, steps: 5, spherical: false)
        XCTAssertEqual(lin.first!, a); XCTAssertEqual(lin.last!, b)
        XCTAssertEqual(lin[2], [1.5, 1.5])
        for p in VAEExplorer.interpolate(a, b, steps: 7, spherical: true) {
            XCTAssertEqual((p[0] * p[0] + p[1] * p[1]).squareRoot(), 3, accuracy: 1e-5)
        }
    }

    /// Jacobi eigen-decomposition and principal angles on known matrices.
    func testSymmetricEigenAndPrincipalAngles() {
        let m: [Double] = [4, 1, 0, 1, 3, 0, 0, 0, 1]
        let (values, vectors) = symmetricEigen(m, 3)
        XCTAssertEqual(values[0], 3.5 + 0.5 * 5.0.squareRoot(), accuracy: 1e-10)
        XCTAssertEqual(values[1], 3.5 - 0.5 * 5.0.squareRoot(), accuracy: 1e-10)
        XCTAssertEqual(values[2], 1, accuracy: 1e-10)
        for c in 0..<3 {  // M v = λ v
            for r in 0..<3 {
                let mv = (0..<3).reduce(0.0) { $0 + m[r * 3 + $1] * vectors[$1 * 3 + c] }
                XCTAssertEqual(mv, values[c] * vectors[r * 3 + c], accuracy: 1e-9)
            }
        }
        let angles = PrincipalComponents.principalAngles([[1, 0, 0], [0, 1, 0]], [[1, 0, 0], [0, 1, 1]])
        XCTAssertEqual(angles[0], 0, accuracy: 1e-7)
        XCTAssertEqual(angles[1], Double.pi / 4, accuracy: 1e-7)
    }
}
