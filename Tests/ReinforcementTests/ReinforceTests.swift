import XCTest
@testable import IllusionReinforcement

final class ReinforceTests: XCTestCase {
    /// The policy's plain-Swift forward (used while acting) equals the tape forward (used for gradients).
    func testDirectForwardEqualsTapeForward() {
        var rng = RandomGenerator(seed: 3)
        let net = MLPPolicy(sizes: [4, 16, 2], rng: &rng)
        let x: [Float] = [0.01, -0.2, 0.03, 0.4]
        let tape = net(Tensor(shape: [1, 4], storage: x)).storage
        let direct = net.evaluate(x)
        for j in 0..<2 { XCTAssertEqual(tape[j], direct[j], accuracy: 1e-5) }
        XCTAssertEqual(net.stateDict().map(\.name), ["0.weight", "0.bias", "2.weight", "2.bias"])
    }

    /// The policy-gradient loss's gradient equals a finite difference of the same loss.
    func testPolicyLossGradientMatchesFiniteDifferences() {
        var rng = RandomGenerator(seed: 4)
        let net = MLPPolicy(sizes: [4, 8, 2], rng: &rng)
        let x = Tensor(shape: [3, 4], storage: (0..<12).map { Float($0) * 0.05 - 0.3 })
        let w = Tensor(shape: [3, 2], storage: [0.5, 0, 0, -1.2, 0.7, 0])
        func loss() -> Tensor { (net(x).logSoftmax() * w).sum() }
        net.zeroGradients()
        loss().backward()
        let p = net.layers[0].weight
        let analytic = p.grad!
        for i in [0, 5, 17, 30] {
            let saved = p.storage[i]
            p.storage[i] = saved + 1e-2
            let up = noGrad { loss().scalar }
            p.storage[i] = saved - 1e-2
            let down = noGrad { loss().scalar }
            p.storage[i] = saved
            XCTAssertEqual(analytic[i], (up - down) / 2e-2, accuracy: 2e-3)
        }
    }

    /// A tiny budget: the mean return of the last 20 of 150 episodes clearly exceeds the first 20 (random ≈ 22).
    func testReinforceLearnsToBalanceOnATinyBudget() {
        var settings = ReinforceSettings()
        settings.episodes = 150
        settings.hidden = [32]
        settings.learningRate = 0.01
        settings.episodesPerUpdate = 2
        settings.seed = 1
        let result = Reinforce.train(settings: settings)
        let first = result.episodeReturns.prefix(20).reduce(0, +) / 20
        let last = result.episodeReturns.suffix(20).reduce(0, +) / 20
        XCTAssertLessThan(first, 40)
        XCTAssertGreaterThan(last, 100, "first \(first), last \(last)")
        XCTAssertGreaterThan(last, 3 * first, "first \(first), last \(last)")
        XCTAssertNil(result.solvedAtEpisode)
        // Same seed, same run.
        XCTAssertEqual(Reinforce.train(settings: settings).episodeReturns, result.episodeReturns)
    }
}
