import Foundation
import XCTest
@testable import IllusionNeuralNetworks

/// Gradient checks of every loss (finite differences, see `checkGradients`) and hand-computed values.
final class LossTests: XCTestCase {
    var rng = RandomGenerator(seed: 31)

    func normal(_ shape: [Int], std: Float = 1) -> Tensor { Tensor.normal(shape, std: std, rng: &rng, requiresGrad: true) }
    func uniform(_ shape: [Int], _ low: Float, _ high: Float) -> Tensor {
        Tensor.uniform(shape, low: low, high: high, rng: &rng, requiresGrad: true)
    }
    func distribution(_ shape: [Int]) -> Tensor {
        let p = noGrad { normal(shape).softmax() }
        p.requiresGrad = true
        return p
    }

    /// Probabilities near 0 need a step well below their size (ln p varies fast there).
    func check(_ name: String, _ inputs: [Tensor], step: Double = 1e-2, file: StaticString = #filePath, line: UInt = #line,
               _ f: () -> Tensor) {
        let report = checkGradients(of: inputs, step: step, f)
        XCTAssertLessThan(report.maxRelativeError, 2e-3, "\(name): \(report)", file: file, line: line)
    }

    func testGradientCheckEveryLoss() {
        for reduction in Reduction.allCases {
            let r = "\(reduction)"
            // Prediction and target differ by ≥ 0.1 per element so |p − t| has no kink within the step.
            let p = normal([4, 3]), t = Tensor(shape: [4, 3], storage: p.storage.enumerated().map { $1 + ($0 % 2 == 0 ? 0.3 : -0.4) },
                                               requiresGrad: true)
            check("MAE \(r)", [p, t]) { meanAbsoluteError(p, t, reduction: reduction) }
            check("MSE \(r)", [p, t]) { meanSquaredError(p, t, reduction: reduction) }
            let probabilities = uniform([4, 3], 0.1, 0.9), soft = uniform([4, 3], 0, 1)
            check("BCE \(r)", [probabilities, soft], step: 2e-3) { binaryCrossEntropy(probabilities, soft, reduction: reduction) }
            let logits = normal([4, 3], std: 3)
            check("BCE logits \(r)", [logits, soft]) { binaryCrossEntropyWithLogits(logits, soft, reduction: reduction) }
            let classLogits = normal([5, 4], std: 2)
            check("cross-entropy \(r)", [classLogits]) { crossEntropy(logits: classLogits, labels: [0, 3, 3, 1, 2], reduction: reduction) }
            check("cross-entropy ε 0.1 \(r)", [classLogits]) {
                crossEntropy(logits: classLogits, labels: [0, 3, 3, 1, 2], reduction: reduction, labelSmoothing: 0.1)
            }
            let logQ = noGrad { normal([3, 5]).logSoftmax() }; logQ.requiresGrad = true
            let target = distribution([3, 5])
            check("KL \(r)", [logQ, target], step: 2e-3) { klDivergence(logProbabilities: logQ, target: target, reduction: reduction) }
            let mu = normal([4, 3]), logVar = normal([4, 3], std: 0.5)
            check("KL to N(0,1) \(r)", [mu, logVar]) { klDivergenceToStandardNormal(mean: mu, logVariance: logVar, reduction: reduction) }
            let x = normal([4, 3])
            check("Gaussian NLL \(r)", [mu, logVar, x]) {
                gaussianNegativeLogLikelihood(mean: mu, logVariance: logVar, target: x, reduction: reduction)
            }
            let perFeature = normal([3], std: 0.5), shared = normal([], std: 0.5)
            check("Gaussian NLL per-feature variance \(r)", [mu, perFeature, x]) {
                gaussianNegativeLogLikelihood(mean: mu, logVariance: perFeature, target: x, reduction: reduction)
            }
            check("Gaussian NLL shared variance \(r)", [mu, shared]) {
                gaussianNegativeLogLikelihood(mean: mu, logVariance: shared, target: x, reduction: reduction, includeConstant: false)
            }
            let (pd, qd) = (distribution([3, 5]), distribution([3, 5]))
            check("JS probabilities \(r)", [pd, qd], step: 2e-3) { jensenShannonDivergence(pd, qd, reduction: reduction) }
            let (a, b, c) = (normal([3, 5], std: 2), normal([3, 5], std: 2), normal([3, 5], std: 2))
            check("JS logits \(r)", [a, b]) { jensenShannonDivergence(logits: [a, b], reduction: reduction) }
            check("JS logits 3-way \(r)", [a, b, c]) { jensenShannonDivergence(logits: [a, b, c], reduction: reduction) }
        }
        let (a, b, c) = (normal([3, 5], std: 2), normal([3, 5], std: 2), normal([3, 5], std: 2))
        check("AugMix consistency", [a, b, c]) { augMixConsistencyLoss(clean: a, augmented1: b, augmented2: c) }
    }

    func testHandComputedValues() {
        // BCE clamps ln at −100 as PyTorch: p = 0 with t = 1 costs exactly 100 nats, not ∞.
        let p = Tensor(shape: [2], storage: [0, 1]), t = Tensor(shape: [2], storage: [1, 0])
        XCTAssertEqual(binaryCrossEntropy(p, t, reduction: .sum).scalar, 200)
        XCTAssertEqual(binaryCrossEntropy(Tensor(shape: [1], storage: [0.5]), Tensor(shape: [1], storage: [1])).scalar,
                       Float(Foundation.log(2.0)), accuracy: 1e-7)
        // Stable BCE with logits at extreme logits.
        let extreme = binaryCrossEntropyWithLogits(Tensor(shape: [2], storage: [100, -100]), Tensor(shape: [2], storage: [0, 1]),
                                                   reduction: .sum)
        XCTAssertEqual(extreme.scalar, 200, accuracy: 1e-4)
        // Label smoothing (PyTorch's label_smoothing=0.1) on logits [1, 2, 3], label 0:
        // (1−ε)·(−log p₀) + ε·mean_k(−log p_k) = 0.9·2.4076059 + 0.1·1.4076059 = 2.3076059,
        // and the gradient is softmax − q with q = (0.9 + 0.1/3, 0.1/3, 0.1/3).
        let smoothLogits = Tensor(shape: [1, 3], storage: [1, 2, 3], requiresGrad: true)
        let smooth = crossEntropy(logits: smoothLogits, labels: [0], labelSmoothing: 0.1)
        XCTAssertEqual(smooth.scalar, 2.3076059, accuracy: 1e-6)
        smooth.backward()
        let softmax: [Float] = [0.09003057, 0.24472847, 0.66524096]
        for (g, e) in zip(smoothLogits.grad!, [softmax[0] - 0.9 - 0.1 / 3, softmax[1] - 0.1 / 3, softmax[2] - 0.1 / 3]) {
            XCTAssertEqual(g, e, accuracy: 1e-6)
        }
        XCTAssertEqual(crossEntropy(logits: smoothLogits, labels: [0], labelSmoothing: 0).scalar, 2.4076059, accuracy: 1e-6)
        // Uniform logits: cross-entropy = ln K for any label.
        let ce = crossEntropy(logits: Tensor.zeros([3, 4]), labels: [0, 1, 3])
        XCTAssertEqual(ce.scalar, Float(Foundation.log(4.0)), accuracy: 1e-6)
        XCTAssertEqual(crossEntropy(logits: Tensor.zeros([3, 4]), labels: [0, 1, 3], reduction: .sum).scalar,
                       3 * Float(Foundation.log(4.0)), accuracy: 1e-5)
        // KL(N(0,1) ‖ N(0,1)) = 0; KL(N(1, e) ‖ N(0,1)) = ½(e + 1 − 1 − 1) per dim.
        XCTAssertEqual(klDivergenceToStandardNormal(mean: Tensor.zeros([2, 3]), logVariance: Tensor.zeros([2, 3])).scalar, 0)
        let kl = klDivergenceToStandardNormal(mean: Tensor.ones([2, 3]), logVariance: Tensor.ones([2, 3]), reduction: .mean)
        XCTAssertEqual(kl.scalar, Float(3 * 0.5 * (M_E - 1)), accuracy: 1e-5)   // per-sample sum over 3 dims, mean over 2
        // JS of disjoint distributions is ln 2; of identical ones, 0.
        let js = jensenShannonDivergence(Tensor(shape: [1, 2], storage: [1, 0]), Tensor(shape: [1, 2], storage: [0, 1]))
        XCTAssertEqual(js.scalar, Float(Foundation.log(2.0)), accuracy: 1e-6)
        let same = Tensor(shape: [2, 3], storage: [0.2, 0.3, 0.5, 0.1, 0.1, 0.8])
        XCTAssertEqual(jensenShannonDivergence(same, same).scalar, 0, accuracy: 1e-7)
        XCTAssertEqual(klDivergence(logProbabilities: same.log(), target: same).scalar, 0, accuracy: 1e-7)
        // KL with a zero target probability contributes 0 (0·ln 0 = 0).
        let withZero = Tensor(shape: [2], storage: [0, 1])
        XCTAssertEqual(klDivergence(logProbabilities: Tensor(shape: [2], storage: [-1, -0.5]), target: withZero).scalar, 0.5)
        // Gaussian NLL at the mean with unit variance is ½ ln 2π per element.
        let nll = gaussianNegativeLogLikelihood(mean: Tensor.zeros([2, 3]), logVariance: Tensor.zeros([]), target: Tensor.zeros([2, 3]))
        XCTAssertEqual(nll.scalar, Float(3 * 0.5 * Foundation.log(2 * Double.pi)), accuracy: 1e-5)
        // MAE/MSE mean over all elements; sum adds them.
        let a = Tensor(shape: [2, 2], storage: [1, 2, 3, 4]), b = Tensor(shape: [2, 2], storage: [2, 2, 1, 4])
        XCTAssertEqual(meanAbsoluteError(a, b).scalar, 0.75)
        XCTAssertEqual(meanSquaredError(a, b, reduction: .sum).scalar, 5)
    }

    func testEachLossIsOneTapeNode() {
        let p = normal([3, 4]), t = normal([3, 4])
        for loss in [meanSquaredError(p, t), meanAbsoluteError(p, t), binaryCrossEntropyWithLogits(p, t),
                     crossEntropy(logits: p, labels: [0, 1, 2]), klDivergenceToStandardNormal(mean: p, logVariance: t),
                     jensenShannonDivergence(logits: [p, t])] {
            XCTAssertEqual(loss.node?.inputs.allSatisfy { $0 === p || $0 === t }, true, "\(loss.node?.name ?? "nil")")
        }
    }

    func testLossesDoNotRecordUnderNoGrad() {
        let p = normal([2, 2]), t = normal([2, 2])
        XCTAssertNil(noGrad { meanSquaredError(p, t) }.node)
    }
}
