import XCTest
@testable import IllusionModels

/// The GAN losses against hand computation, and every claim of docs/theory/gan.md about them.
final class GANLossesTests: XCTestCase {
    func sigmoid(_ a: Double) -> Double { 1 / (1 + exp(-a)) }

    func logits(_ v: [Float], requiresGrad: Bool = false) -> Tensor { Tensor(shape: [v.count, 1], storage: v, requiresGrad: requiresGrad) }

    /// −E[log D(x)] − E[log(1 − D(G(z)))] by hand.
    func testDiscriminatorLossMatchesHandComputation() {
        let real: [Float] = [2, -1, 0.3], fake: [Float] = [0.5, -3, 1.2]
        let expected = -real.map { log(sigmoid(Double($0))) }.reduce(0, +) / 3 - fake.map { log(1 - sigmoid(Double($0))) }.reduce(0, +) / 3
        let value = GANLosses.discriminator(realLogits: logits(real), fakeLogits: logits(fake)).scalar
        XCTAssertEqual(Double(value), expected, accuracy: 1e-5)
    }

    /// Non-saturating −E[log D(G(z))] and minimax E[log(1 − D(G(z)))] by hand.
    func testGeneratorLossesMatchHandComputation() {
        let fake: [Float] = [0.5, -3, 1.2, -0.1]
        let nonSaturating = -fake.map { log(sigmoid(Double($0))) }.reduce(0, +) / 4
        let minimax = fake.map { log(1 - sigmoid(Double($0))) }.reduce(0, +) / 4
        XCTAssertEqual(Double(GANLosses.generator(fakeLogits: logits(fake), kind: .nonSaturating).scalar), nonSaturating, accuracy: 1e-5)
        XCTAssertEqual(Double(GANLosses.generator(fakeLogits: logits(fake), kind: .minimax).scalar), minimax, accuracy: 1e-5)
    }

    /// Matching-aware: −E[log D(x,c)] − ½E[log(1 − D(G(z),c))] − ½E[log(1 − D(x,c̃))].
    func testMatchingAwareLossMatchesHandComputation() {
        let real: [Float] = [1, 2], fake: [Float] = [-1, 0], wrong: [Float] = [0.5, -2]
        func nl(_ v: [Float]) -> Double { -v.map { log(sigmoid(Double($0))) }.reduce(0, +) / Double(v.count) }
        func nl1m(_ v: [Float]) -> Double { -v.map { log(1 - sigmoid(Double($0))) }.reduce(0, +) / Double(v.count) }
        let expected = nl(real) + 0.5 * nl1m(fake) + 0.5 * nl1m(wrong)
        let value = GANLosses.matchingAwareDiscriminator(realLogits: logits(real), fakeLogits: logits(fake), mismatchedLogits: logits(wrong)).scalar
        XCTAssertEqual(Double(value), expected, accuracy: 1e-5)
    }

    /// One-sided label smoothing: the real term is −t·log D − (1 − t)·log(1 − D); its gradient
    /// σ(a) − t vanishes at D = t, so D is no longer pushed towards certainty on real images.
    func testSmoothedRealLabelMatchesHandComputationAndStopsAtT() {
        let real: [Float] = [2, -1, 0.3], fake: [Float] = [0.5, -3, 1.2], t = 0.9
        let realTerm = real.map { -t * log(sigmoid(Double($0))) - (1 - t) * log(1 - sigmoid(Double($0))) }.reduce(0, +) / 3
        let expected = realTerm - fake.map { log(1 - sigmoid(Double($0))) }.reduce(0, +) / 3
        let value = GANLosses.discriminator(realLogits: logits(real), fakeLogits: logits(fake), realLabel: Float(t)).scalar
        XCTAssertEqual(Double(value), expected, accuracy: 1e-5)
        let atT = logits([Float(log(t / (1 - t)))], requiresGrad: true)   // σ(a) = 0.9
        GANLosses.discriminator(realLogits: atT, fakeLogits: logits([-20]), realLabel: Float(t)).backward()
        XCTAssertEqual(atT.grad![0], 0, accuracy: 1e-6)
        XCTAssertEqual(GANLosses.discriminator(realLogits: logits(real), fakeLogits: logits(fake), realLabel: 1).scalar,
                       GANLosses.discriminator(realLogits: logits(real), fakeLogits: logits(fake)).scalar)
    }

    /// Claim: when D cannot tell (D ≡ ½) the discriminator loss is 2 ln 2 ≈ 1.386 — the equilibrium value.
    func testEquilibriumDiscriminatorLossIsTwoLnTwo() {
        let zero = logits([0, 0, 0, 0])
        XCTAssertEqual(Double(GANLosses.discriminator(realLogits: zero, fakeLogits: zero).scalar), 2 * log(2.0), accuracy: 1e-6)
    }

    /// Claims: for fixed p_data and p_g the loss is minimised by D*(x) = p_data/(p_data + p_g), and its
    /// minimum is 2 ln 2 − 2·JSD(p_data ‖ p_g). Checked on a 5-point space by gradient descent on D's logits.
    func testOptimalDiscriminatorAndJensenShannon() {
        let p: [Double] = [0.4, 0.3, 0.2, 0.05, 0.05], q: [Double] = [0.1, 0.1, 0.2, 0.3, 0.3]
        let a = Tensor.zeros([5], requiresGrad: true)
        let pT = Tensor(shape: [5], storage: p.map(Float.init)), qT = Tensor(shape: [5], storage: q.map(Float.init))
        // L(D) = Σ_x p(x)·(−log D(x)) + q(x)·(−log(1 − D(x))), D = σ(a): the population loss.
        func loss() -> Tensor {
            let d = a.sigmoid()
            return -((pT * d.log()).sum() + (qT * (1 - d).log()).sum())
        }
        let adam = Adam(parameters: [a], learningRate: 0.05)
        for _ in 0..<2000 { adam.zeroGrad(); loss().backward(); adam.step() }
        for i in 0..<5 {
            XCTAssertEqual(sigmoid(Double(a.storage[i])), p[i] / (p[i] + q[i]), accuracy: 2e-3, "D*(x\(i))")
        }
        let m = zip(p, q).map { ($0 + $1) / 2 }
        let jsd = 0.5 * zip(p, m).map { $0 * log($0 / $1) }.reduce(0, +) + 0.5 * zip(q, m).map { $0 * log($0 / $1) }.reduce(0, +)
        XCTAssertEqual(Double(noGrad { loss() }.scalar), 2 * log(2.0) - 2 * jsd, accuracy: 1e-4)
        XCTAssertLessThan(Double(noGrad { loss() }.scalar), 2 * log(2.0))
    }

    /// Claims: ∂/∂a of the minimax loss is −D(G(z)) (per sample, before the 1/N), of the non-saturating
    /// loss −(1 − D(G(z))). Early in training D rejects the fakes (D(G(z)) ≈ 0): the minimax gradient
    /// vanishes, the non-saturating one stays ≈ −1; both point the same way (raise D(G(z))).
    func testMinimaxSaturatesWhereNonSaturatingDoesNot() {
        let values: [Float] = [-8, -6, -3, 0, 3]
        var grads: [GeneratorLossKind: [Float]] = [:]
        for kind in GeneratorLossKind.allCases {
            let a = logits(values, requiresGrad: true)
            GANLosses.generator(fakeLogits: a, kind: kind).backward()
            grads[kind] = a.grad!
        }
        let n = Double(values.count)
        for (i, v) in values.enumerated() {
            let d = sigmoid(Double(v))
            XCTAssertEqual(Double(grads[.minimax]![i]), -d / n, accuracy: 1e-6)
            XCTAssertEqual(Double(grads[.nonSaturating]![i]), -(1 - d) / n, accuracy: 1e-6)
            XCTAssertLessThan(grads[.minimax]![i], 0); XCTAssertLessThan(grads[.nonSaturating]![i], 0)
        }
        // D(G(z)) = σ(−6) ≈ 0.0025: the non-saturating gradient is ~400× larger.
        XCTAssertGreaterThan(grads[.nonSaturating]![1] / grads[.minimax]![1], 300)
        // At D(G(z)) = ½ they coincide.
        XCTAssertEqual(grads[.nonSaturating]![3], grads[.minimax]![3], accuracy: 1e-7)
    }

    /// Claim: the minimax generator loss is exactly minus the discriminator's fake term, so G and D play a
    /// zero-sum game; the non-saturating loss breaks that symmetry (different value, same stationary point).
    func testMinimaxIsZeroSum() {
        let real = logits([0.7, -0.2]), fake = logits([0.4, -1.5])
        let lossD = GANLosses.discriminator(realLogits: real, fakeLogits: fake).scalar
        let realTerm = GANLosses.negativeLogD(real).scalar
        XCTAssertEqual(GANLosses.generator(fakeLogits: fake, kind: .minimax).scalar, -(lossD - realTerm), accuracy: 1e-6)
        XCTAssertNotEqual(GANLosses.generator(fakeLogits: fake, kind: .nonSaturating).scalar,
                          GANLosses.generator(fakeLogits: fake, kind: .minimax).scalar)
    }
}
