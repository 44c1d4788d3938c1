import Foundation
import XCTest
@testable import IllusionNeuralNetworks

/// Optimizers against three steps of `torch.optim` fed the same gradients (core_optimizers.safetensors),
/// Adam checked by hand, and the checkpoint state round trip.
final class OptimizerTests: XCTestCase {
    static let configurations: [(String, ([Tensor]) -> Optimizer)] = [
        ("sgd", { SGD(parameters: $0, learningRate: 0.1) }),
        ("sgd_weight_decay", { SGD(parameters: $0, learningRate: 0.1, weightDecay: 0.05) }),
        ("momentum", { SGD(parameters: $0, learningRate: 0.1, momentum: 0.9, weightDecay: 0.01) }),
        ("momentum_dampening", { SGD(parameters: $0, learningRate: 0.1, momentum: 0.8, dampening: 0.3) }),
        ("nesterov", { SGD(parameters: $0, learningRate: 0.1, momentum: 0.9, nesterov: true) }),
        ("adagrad", { AdaGrad(parameters: $0, learningRate: 0.1) }),
        ("adagrad_decay", { AdaGrad(parameters: $0, learningRate: 0.1, learningRateDecay: 0.1, weightDecay: 0.02,
                                    initialAccumulator: 0.1) }),
        ("rmsprop", { RMSProp(parameters: $0, learningRate: 0.01) }),
        ("rmsprop_centered_momentum", { RMSProp(parameters: $0, learningRate: 0.01, momentum: 0.9, centered: true,
                                                weightDecay: 0.01) }),
        ("adam", { Adam(parameters: $0, learningRate: 0.01) }),
        ("adam_weight_decay", { Adam(parameters: $0, learningRate: 0.01, beta1: 0.8, beta2: 0.95, weightDecay: 0.1) }),
        ("adamw", { AdamW(parameters: $0, learningRate: 0.01, weightDecay: 0.1) }),
        ("adam_amsgrad", { Adam(parameters: $0, learningRate: 0.01, beta2: 0.5, amsgrad: true) }),
        ("adamw_amsgrad", { AdamW(parameters: $0, learningRate: 0.01, beta1: 0.8, beta2: 0.3, weightDecay: 0.1, amsgrad: true) }),
        ("sgd_groups", { SGD(groups: [ParameterGroup(parameters: [$0[0]], learningRate: 0.05, weightDecay: 0.1),
                                      ParameterGroup(parameters: [$0[1]])], learningRate: 0.1, momentum: 0.9) }),
        ("adagrad_groups", { AdaGrad(groups: [ParameterGroup(parameters: [$0[0]]),
                                              ParameterGroup(parameters: [$0[1]], learningRate: 0.3, weightDecay: 0.05)],
                                     learningRate: 0.1, learningRateDecay: 0.1) }),
        ("rmsprop_groups", { RMSProp(groups: [ParameterGroup(parameters: [$0[0]], learningRate: 0.03),
                                              ParameterGroup(parameters: [$0[1]], weightDecay: 0.2)], learningRate: 0.01) }),
        ("adam_groups", { Adam(groups: [ParameterGroup(parameters: [$0[0]], learningRate: 0.02, weightDecay: 0.1),
                                        ParameterGroup(parameters: [$0[1]])], learningRate: 0.01) }),
        ("adamw_groups", { AdamW(groups: [ParameterGroup(parameters: [$0[0]]), ParameterGroup(parameters: [$0[1]], weightDecay: 0)],
                                 learningRate: 0.01, weightDecay: 0.1) }),
        ("adagrad_skip", { AdaGrad(parameters: $0, learningRate: 0.1, learningRateDecay: 0.5) }),
    ]

    /// Configurations whose p1 gets no gradient at step 2 (as in the fixture script's SKIP_P1_AT_STEP_2).
    static let skipP1AtStep2: Set<String> = ["adagrad_skip"]

    func initialParameters(_ f: CoreFixture) throws -> [Tensor] {
        try ["p0", "p1"].map { try f.leaf("optim.init.\($0)") }
    }

    func feedGradients(_ f: CoreFixture, step: Int, _ params: [Tensor], configuration: String = "") throws {
        for (i, p) in params.enumerated() { p.grad = try f.tensor("optim.grad.\(step).p\(i)").storage }
        if Self.skipP1AtStep2.contains(configuration) && step == 2 { params[1].grad = nil }
    }

    func testThreeStepsOfEachOptimizerMatchPyTorch() throws {
        let f = try CoreFixture("optimizers")
        for (name, make) in Self.configurations {
            let params = try initialParameters(f)
            let optimizer = make(params)
            for step in 1...3 {
                try feedGradients(f, step: step, params, configuration: name)
                optimizer.step()
                XCTAssertEqual(optimizer.stepCount, step)
                for (i, p) in params.enumerated() {
                    coreAssertClose(p, try f.tensor("optim.\(name).step.\(step).p\(i)"), tolerance: 1e-5, "\(name) step \(step) p\(i)")
                }
            }
            // Exported state uses PyTorch's buffer names and matches its values. PyTorch's per-parameter
            // `step` (fixture `state.step.<i>`) is ours too for AdaGrad; the others keep one global `step`.
            let state = optimizer.state()
            let torchKeys = f.file.names.filter { $0.hasPrefix("optim.\(name).state.") }
            let perParameterSteps = optimizer is AdaGrad
            let expected = torchKeys.map { String($0.dropFirst("optim.\(name).state.".count)) }
                .filter { perParameterSteps || !$0.hasPrefix("step.") }
            XCTAssertEqual(Set(state.keys), Set(expected + ["step"]), name)
            for key in torchKeys {
                let ours = String(key.dropFirst("optim.\(name).state.".count))
                if ours.hasPrefix("step.") && !perParameterSteps {
                    XCTAssertEqual(try f.tensor(key).scalar, 3, "\(name): every parameter took every step")
                    continue
                }
                coreAssertClose(state[ours], try f.tensor(key), tolerance: 1e-5, "\(name) state \(ours)")
            }
            XCTAssertEqual(state["step"]?.scalar, 3)
        }
    }

    func testResumeFromSavedStateContinuesExactly() throws {
        let f = try CoreFixture("optimizers")
        for (name, make) in Self.configurations {
            let params = try initialParameters(f)
            let first = make(params)
            for step in 1...2 { try feedGradients(f, step: step, params, configuration: name); first.step() }
            // Through a safetensors file image, as a resume checkpoint would be.
            var file = SafeTensors()
            for (key, t) in first.state() { file.set(key, t) }
            let reloaded = try SafeTensors(bytes: try file.serialized())
            let state = Dictionary(uniqueKeysWithValues: try reloaded.names.map { ($0, try reloaded.tensor($0)) })

            let resumedParams = params.map { Tensor(shape: $0.shape, storage: $0.storage, requiresGrad: true) }
            let resumed = make(resumedParams)
            try resumed.loadState(state)
            XCTAssertEqual(resumed.stepCount, 2)
            try feedGradients(f, step: 3, resumedParams, configuration: name)
            resumed.step()
            for (i, p) in resumedParams.enumerated() {
                coreAssertClose(p, try f.tensor("optim.\(name).step.3.p\(i)"), tolerance: 1e-5, "\(name) resumed p\(i)")
            }
        }
    }

    /// Adam's first two steps computed by hand from the paper's formulas (in Double).
    func testAdamFirstTwoStepsByHand() {
        let p = Tensor(shape: [2], storage: [1, -2], requiresGrad: true)
        let adam = Adam(parameters: [p], learningRate: 0.1)
        let (lr, b1, b2, eps) = (0.1, 0.9, 0.999, 1e-8)
        let g1: [Double] = [0.5, -1], g2: [Double] = [0.1, 0.2]

        p.grad = g1.map(Float.init)
        adam.step()
        // t = 1: m = (1−β₁)g, v = (1−β₂)g², m̂ = g, v̂ = g², so θ moves by lr·g/(|g|+ε) ≈ lr·sign(g).
        var m = g1.map { (1 - b1) * $0 }, v = g1.map { (1 - b2) * $0 * $0 }
        var theta = [1.0, -2.0]
        for j in 0..<2 { theta[j] -= lr * (m[j] / (1 - b1)) / ((v[j] / (1 - b2)).squareRoot() + eps) }
        XCTAssertEqual(Double(p.storage[0]), theta[0], accuracy: 1e-6)
        XCTAssertEqual(Double(p.storage[1]), theta[1], accuracy: 1e-6)

        p.grad = g2.map(Float.init)
        adam.step()
        // t = 2: m = [0.055, −0.07], v = [0.00025975, 0.001039],
        // m̂ = m/0.19, v̂ = v/0.001999.
        m = (0..<2).map { b1 * m[$0] + (1 - b1) * g2[$0] }
        v = (0..<2).map { b2 * v[$0] + (1 - b2) * g2[$0] * g2[$0] }
        for j in 0..<2 {
            let mHat = m[j] / (1 - b1 * b1), vHat = v[j] / (1 - b2 * b2)
            theta[j] -= lr * mHat / (vHat.squareRoot() + eps)
        }
        XCTAssertEqual(Double(p.storage[0]), theta[0], accuracy: 1e-6)
        XCTAssertEqual(Double(p.storage[1]), theta[1], accuracy: 1e-6)
        XCTAssertEqual(Double(adam.state()["exp_avg.0"]!.storage[1]), -0.07, accuracy: 1e-7)
    }

    func testParametersWithoutGradientsAreSkippedAndZeroGradClears() {
        let a = Tensor(shape: [2], storage: [1, 1], requiresGrad: true), b = Tensor(shape: [1], storage: [5], requiresGrad: true)
        let opt = Adam(parameters: [a, b], learningRate: 0.1)
        a.grad = [1, -1]
        opt.step()
        XCTAssertEqual(b.storage, [5])
        XCTAssertEqual(Set(opt.state().keys), ["step", "exp_avg.0", "exp_avg_sq.0"])
        opt.zeroGrad()
        XCTAssertNil(a.grad)
        opt.learningRate = 0.5
        XCTAssertEqual(opt.learningRate, 0.5)
    }

    func testLoadStateRejectsStateThatDoesNotFit() throws {
        let params = [Tensor.zeros([3, 4], requiresGrad: true), Tensor.zeros([5], requiresGrad: true)]
        let opt = Adam(parameters: params)
        for p in params { p.grad = [Float](repeating: 0.1, count: p.count) }
        opt.step()
        let good = opt.state()

        func expect(_ state: [String: Tensor], _ error: OptimizerError, _ fragment: String, line: UInt = #line) {
            let fresh = Adam(parameters: params)
            XCTAssertThrowsError(try fresh.loadState(state), line: line) { e in
                XCTAssertEqual(e as? OptimizerError, error, line: line)
                XCTAssertTrue("\(e)".contains(fragment), "'\(e)' should mention \(fragment)", line: line)
            }
            XCTAssertEqual(fresh.stepCount, 0, "nothing changes on error", line: line)
            XCTAssertEqual(fresh.state().count, 1, line: line)
        }
        var s = good; s["step"] = nil
        expect(s, .missingState("step"), "'step' is missing")
        s = good; s["step"] = Tensor(-1)
        expect(s, .invalidStep(-1), "non-negative whole number")
        s = good; s["step"] = Tensor(1.5)
        expect(s, .invalidStep(1.5), "1.5")
        s = good; s["momentum_buffer.0"] = Tensor.zeros([3, 4])
        expect(s, .unexpectedState("momentum_buffer.0"), "different optimizer")
        s = good; s["exp_avg.2"] = Tensor.zeros([5])
        expect(s, .unexpectedState("exp_avg.2"), "exp_avg.2")
        s = good; s["exp_avg.1"] = Tensor.zeros([4])
        expect(s, .stateShapeMismatch(name: "exp_avg.1", expected: [5], found: [4]), "shape [4]")
        s = good; s["exp_avg_sq.0"] = nil
        expect(s, .missingState("exp_avg_sq.0"), "exp_avg_sq.0")
        // SGD with momentum has different names than Adam.
        let sgd = SGD(parameters: params, learningRate: 0.1, momentum: 0.9)
        XCTAssertThrowsError(try sgd.loadState(good)) { e in
            XCTAssertTrue("\(e)".contains("unexpected tensor 'exp_avg"), "\(e)")
        }
        // A state with only `step` (no buffers yet) is valid.
        let fresh = Adam(parameters: params)
        XCTAssertNoThrow(try fresh.loadState(["step": Tensor(7)]))
        XCTAssertEqual(fresh.stepCount, 7)
    }
}
