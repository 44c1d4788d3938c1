import XCTest
@testable import IllusionNeuralNetworks

/// Every loss, with `.sum`, `.mean` and `.none`, against PyTorch values and gradients (core_losses.safetensors);
/// `.none` is fed PyTorch's upstream gradient `loss.NAME.none.gout`.
final class LossFixtureTests: XCTestCase {
    /// Loss name in the fixture → its input names (in order) and how to compute it.
    static func cases(_ fixture: CoreFixture) throws -> [(String, [String], ([Tensor], Reduction) -> Tensor)] {
        let labels = try fixture.file.int64s("loss.cross_entropy.labels").map { Int($0) }
        let pt = ["prediction", "target"]
        return [
            ("mae", pt, { meanAbsoluteError($0[0], $0[1], reduction: $1) }),
            ("mse", pt, { meanSquaredError($0[0], $0[1], reduction: $1) }),
            ("bce", pt, { binaryCrossEntropy($0[0], $0[1], reduction: $1) }),
            ("bce_logits", pt, { binaryCrossEntropyWithLogits($0[0], $0[1], reduction: $1) }),
            ("cross_entropy", ["logits"], { crossEntropy(logits: $0[0], labels: labels, reduction: $1) }),
            ("kl", ["log_probabilities", "target"], { klDivergence(logProbabilities: $0[0], target: $0[1], reduction: $1) }),
            ("kl_normal", ["mean", "log_variance"], { klDivergenceToStandardNormal(mean: $0[0], logVariance: $0[1], reduction: $1) }),
            ("gaussian_nll", ["mean", "log_variance", "target"],
             { gaussianNegativeLogLikelihood(mean: $0[0], logVariance: $0[1], target: $0[2], reduction: $1) }),
            ("gaussian_nll_shared", ["mean", "log_variance", "target"],
             { gaussianNegativeLogLikelihood(mean: $0[0], logVariance: $0[1], target: $0[2], reduction: $1) }),
            ("js_probabilities", ["p", "q"], { jensenShannonDivergence($0[0], $0[1], reduction: $1) }),
            ("js_logits", ["a", "b"], { jensenShannonDivergence(logits: $0, reduction: $1) }),
            ("js_logits3", ["a", "b", "c"], { jensenShannonDivergence(logits: $0, reduction: $1) }),
        ]
    }

    func testEveryLossMatchesPyTorch() throws {
        let fixture = try CoreFixture("losses")
        var covered = Set<String>()
        for (name, inputNames, loss) in try Self.cases(fixture) {
            for reduction in Reduction.allCases {
                let inputs = try inputNames.map { try fixture.leaf("loss.\(name).\($0)") }
                let value = loss(inputs, reduction)
                if reduction != .none { XCTAssertEqual(value.shape, []) }
                coreAssertClose(value, try fixture.tensor("loss.\(name).\(reduction).value"), tolerance: 1e-5,
                                "\(name) \(reduction) value")
                if reduction == .none {
                    value.backward(gradient: try fixture.tensor("loss.\(name).none.gout").storage)
                } else {
                    value.backward()
                }
                for (inputName, input) in zip(inputNames, inputs) {
                    coreAssertClose(input.gradient, try fixture.tensor("loss.\(name).\(reduction).grad_\(inputName)"),
                                    tolerance: 1e-5, "\(name) \(reduction) gradient of \(inputName)")
                }
            }
            covered.insert(name)
        }
        covered.insert("augmix")
        let inFile = Set(fixture.file.names.filter { $0.hasSuffix(".sum.value") }.map { String($0.dropFirst(5).dropLast(10)) })
        XCTAssertEqual(inFile, covered)
    }

    func testAugMixConsistencyMatchesReferenceCode() throws {
        let fixture = try CoreFixture("losses")
        let names = ["clean", "augmented1", "augmented2"]
        let inputs = try names.map { try fixture.leaf("loss.augmix.\($0)") }
        // The fixture's logits share a class at −25, so the 1e-7 floor on the mixture is active there.
        let value = augMixConsistencyLoss(clean: inputs[0], augmented1: inputs[1], augmented2: inputs[2])
        coreAssertClose(value, try fixture.tensor("loss.augmix.mean.value"), tolerance: 1e-5, "augmix value")
        value.backward()
        for (name, input) in zip(names, inputs) {
            coreAssertClose(input.gradient, try fixture.tensor("loss.augmix.mean.grad_\(name)"), tolerance: 1e-5,
                            "augmix gradient of \(name)")
        }
    }
}
