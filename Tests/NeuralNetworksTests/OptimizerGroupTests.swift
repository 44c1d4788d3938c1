import XCTest
@testable import IllusionNeuralNetworks

/// Parameter groups and AdaGrad's per-parameter step counts beyond the PyTorch fixtures of
/// `OptimizerTests` (which cover `*_groups`, `*_amsgrad` and `adagrad_skip`).
final class OptimizerGroupTests: XCTestCase {
    func testGroupParametersAreConcatenatedInOrderAndKeepTheirStateNames() {
        let a = Tensor.zeros([2, 2], requiresGrad: true), b = Tensor.zeros([3], requiresGrad: true)
        let c = Tensor.zeros([1], requiresGrad: true)
        let opt = AdamW(groups: [ParameterGroup(parameters: [a, b]), ParameterGroup(parameters: [c], weightDecay: 0)])
        XCTAssertTrue(opt.parameters[0] === a && opt.parameters[1] === b && opt.parameters[2] === c)
        for p in opt.parameters { p.grad = [Float](repeating: 1, count: p.count) }
        opt.step()
        XCTAssertEqual(Set(opt.state().keys), ["step", "exp_avg.0", "exp_avg.1", "exp_avg.2",
                                               "exp_avg_sq.0", "exp_avg_sq.1", "exp_avg_sq.2"])
        XCTAssertEqual(opt.groups.count, 2)
        XCTAssertEqual(opt.groups[1].weightDecay, 0)
    }

    /// A schedule sets the optimizer's rate; a group with its own rate follows by the same factor.
    func testAGroupRateScalesWithTheOptimizerRate() {
        let a = Tensor(shape: [1], storage: [0], requiresGrad: true), b = Tensor(shape: [1], storage: [0], requiresGrad: true)
        let sgd = SGD(groups: [ParameterGroup(parameters: [a]), ParameterGroup(parameters: [b], learningRate: 0.4)],
                      learningRate: 0.1)
        a.grad = [1]; b.grad = [1]
        sgd.step()
        XCTAssertEqual(a.storage[0], -0.1, accuracy: 1e-7)
        XCTAssertEqual(b.storage[0], -0.4, accuracy: 1e-7)
        sgd.applySchedule(StepDecay(initial: 0.1, stepSize: 1, gamma: 0.5), epoch: 1)
        XCTAssertEqual(sgd.learningRate, 0.05, accuracy: 1e-7)
        a.grad = [1]; b.grad = [1]
        sgd.step()
        XCTAssertEqual(a.storage[0], -0.15, accuracy: 1e-6)
        XCTAssertEqual(b.storage[0], -0.6, accuracy: 1e-6, "0.4 halved with the schedule")
    }

    /// AdaGrad's decay counts each parameter's own steps: p1, skipped once, lags p0.
    func testAdaGradCountsStepsPerParameter() {
        let p0 = Tensor(shape: [1], storage: [0], requiresGrad: true), p1 = Tensor(shape: [1], storage: [0], requiresGrad: true)
        let opt = AdaGrad(parameters: [p0, p1], learningRate: 1, learningRateDecay: 1)
        p0.grad = [1]; p1.grad = [1]; opt.step()
        p0.grad = [1]; p1.grad = nil; opt.step()
        p0.grad = [1]; p1.grad = [1]; opt.step()
        // p0: steps of 1/(1+0)·1/√1, 1/(1+1)·1/√2, 1/(1+2)·1/√3; p1: 1/√1, then its own t = 2: 1/(1+1)·1/√2.
        let second: Double = 0.5 / 2.0.squareRoot(), third: Double = (1.0 / 3.0) / 3.0.squareRoot()
        XCTAssertEqual(Double(p0.storage[0]), -(1 + second + third), accuracy: 1e-6)
        XCTAssertEqual(Double(p1.storage[0]), -(1 + second), accuracy: 1e-6)
        let state = opt.state()
        XCTAssertEqual(state["step"]?.scalar, 3)
        XCTAssertEqual(state["step.0"]?.scalar, 3)
        XCTAssertEqual(state["step.1"]?.scalar, 2)
    }

    /// A state saved before per-parameter counts existed (only the global `step`) loads, each
    /// parameter with a `sum` at the global count, and continues as PyTorch does.
    func testAdaGradLoadsAStateWithoutPerParameterSteps() throws {
        let f = try CoreFixture("optimizers")
        let params = try ["p0", "p1"].map { try f.leaf("optim.init.\($0)") }
        func feed(_ step: Int, _ ps: [Tensor]) throws {
            for (i, p) in ps.enumerated() { p.grad = try f.tensor("optim.grad.\(step).p\(i)").storage }
        }
        let make = { (ps: [Tensor]) in
            AdaGrad(parameters: ps, learningRate: 0.1, learningRateDecay: 0.1, weightDecay: 0.02, initialAccumulator: 0.1)
        }
        let first = make(params)
        for step in 1...2 { try feed(step, params); first.step() }
        var old = first.state()
        old["step.0"] = nil; old["step.1"] = nil
        XCTAssertEqual(Set(old.keys), ["step", "sum.0", "sum.1"], "the old format")
        let resumedParams = params.map { Tensor(shape: $0.shape, storage: $0.storage, requiresGrad: true) }
        let resumed = make(resumedParams)
        try resumed.loadState(old)
        XCTAssertEqual(resumed.state()["step.1"]?.scalar, 2)
        try feed(3, resumedParams)
        resumed.step()
        for (i, p) in resumedParams.enumerated() {
            coreAssertClose(p, try f.tensor("optim.adagrad_decay.step.3.p\(i)"), tolerance: 1e-5, "resumed p\(i)")
        }
    }

    func testAdaGradRejectsPerParameterStepsThatDoNotFit() {
        let p = Tensor.zeros([2], requiresGrad: true)
        let opt = AdaGrad(parameters: [p])
        p.grad = [1, 1]; opt.step()
        let good = opt.state()
        func expect(_ state: [String: Tensor], _ error: OptimizerError, line: UInt = #line) {
            XCTAssertThrowsError(try AdaGrad(parameters: [p]).loadState(state), line: line) { e in
                XCTAssertEqual(e as? OptimizerError, error, line: line)
            }
        }
        var s = good; s["step.3"] = Tensor(1)
        expect(s, .unexpectedState("step.3"))
        s = good; s["step.0"] = Tensor(0.5)
        expect(s, .invalidStep(0.5))
        s = good; s["sum.0"] = nil
        expect(s, .missingState("sum.0"))
    }
}
