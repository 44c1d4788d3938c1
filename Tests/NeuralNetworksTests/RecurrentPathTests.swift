import XCTest
@testable import IllusionNeuralNetworks

/// The fused path (one tape op per layer-direction, batched input projection, hand-written BPTT)
/// against the per-step reference built from elementary tape ops; variable lengths; dropout; Dense on sequences.
final class RecurrentPathTests: XCTestCase {
    func run(_ layer: RecurrentLayer, _ x: Tensor, _ state: RecurrentState, lengths: [Int]?, reference: Bool)
        -> (values: [Float], grads: [[Float]]) {
        layer.usesReferencePath = reference
        layer.zeroGradients(); x.grad = nil; state.hidden.grad = nil; state.cell?.grad = nil
        let r = layer.forward(x, state: state, lengths: lengths)
        var rng = RandomGenerator(seed: 99)
        let wOut = Tensor.normal(r.output.shape, rng: &rng), wH = Tensor.normal(r.state.hidden.shape, rng: &rng)
        var loss = (r.output * wOut).sum() + (r.state.hidden * wH).sum()
        if let c = r.state.cell { loss = loss + (c * Tensor.normal(c.shape, rng: &rng)).sum() }
        loss.backward()
        var values = r.output.storage + r.state.hidden.storage + (r.state.cell?.storage ?? [])
        values.append(loss.scalar)
        let grads = [x.grad!, state.hidden.grad!] + (state.cell.map { [$0.grad!] } ?? []) + layer.parameters.map { $0.grad! }
        return (values, grads)
    }

    func testFusedPathMatchesPerStepReference() {
        var rng = RandomGenerator(seed: 21)
        for kind in RecurrentKind.allCases {
            let layer = RecurrentLayer(kind: kind, inputSize: 5, hiddenSize: 7, layers: 2, bidirectional: true, rng: &rng)
            let x = Tensor.normal([3, 9, 5], rng: &rng, requiresGrad: true)
            var state = layer.zeroState(batch: 3)
            state.hidden = Tensor.normal(state.hidden.shape, std: 0.3, rng: &rng, requiresGrad: true)
            state.cell = state.cell.map { Tensor.normal($0.shape, std: 0.3, rng: &rng, requiresGrad: true) }
            for lengths in [nil, [9, 4, 1]] as [[Int]?] {
                let fast = run(layer, x, state, lengths: lengths, reference: false)
                let slow = run(layer, x, state, lengths: lengths, reference: true)
                XCTAssertLessThanOrEqual(maxRelativeDifference(fast.values, slow.values), 1e-5, "\(kind) values")
                for (i, (a, b)) in zip(fast.grads, slow.grads).enumerated() {
                    XCTAssertLessThanOrEqual(maxRelativeDifference(a, b), 1e-4, "\(kind) gradient \(i) lengths \(String(describing: lengths))")
                }
            }
        }
    }

    /// `finalState` (a classifier's path, without the top layer's outputs) is `forward`'s final state,
    /// with the same gradients, for a stacked bidirectional LSTM with padding.
    func testFinalStateMatchesForward() {
        var rng = RandomGenerator(seed: 23)
        let lstm = LSTM(4, 6, layers: 2, bidirectional: true, rng: &rng)
        let x = Tensor.normal([3, 5, 4], rng: &rng, requiresGrad: true)
        let wH = Tensor.normal([4, 3, 6], rng: &rng)
        func gradients(_ hidden: (Tensor) -> Tensor) -> (values: [Float], grads: [[Float]]) {
            lstm.zeroGradients(); x.grad = nil
            let h = hidden(x)
            (h * wH).sum().backward()
            return (h.storage, [x.grad!] + lstm.parameters.map { $0.grad! })
        }
        let full = gradients { lstm.forward($0, state: nil, lengths: [5, 2, 4]).state.hidden }
        let last = gradients { lstm.finalState($0, lengths: [5, 2, 4]).hidden }
        XCTAssertGreaterThan(full.values.map(abs).max()!, 0.01)
        XCTAssertEqual(full.values, last.values)
        for (i, (a, b)) in zip(full.grads, last.grads).enumerated() { XCTAssertEqual(a, b, "gradient \(i)") }
    }

    /// Steps past a sequence's end leave its final state alone: padding with anything gives the same
    /// final state as running the short sequence alone, and the outputs there are 0.
    func testPaddingDoesNotLeakIntoFinalState() {
        var rng = RandomGenerator(seed: 22)
        let lstm = LSTM(2, 3, bidirectional: true, rng: &rng)
        let short = Tensor.normal([1, 3, 2], rng: &rng)
        let padding = Tensor.normal([1, 4, 2], std: 10, rng: &rng)
        let padded = Tensor.concatenate([short, padding], axis: 1)
        let alone = lstm.forward(short, state: nil)
        let masked = lstm.forward(padded, state: nil, lengths: [3])
        XCTAssertLessThanOrEqual(maxRelativeDifference(masked.state.hidden.storage, alone.state.hidden.storage), 1e-6)
        XCTAssertLessThanOrEqual(maxRelativeDifference(masked.state.cell!.storage, alone.state.cell!.storage), 1e-6)
        XCTAssertEqual(Array(masked.output.storage[(3 * 6)...]), [Float](repeating: 0, count: 4 * 6))
        XCTAssertLessThanOrEqual(maxRelativeDifference(Array(masked.output.storage[..<(3 * 6)]), alone.output.storage), 1e-6)
        // Without lengths the padding does change the state (the test can fail).
        XCTAssertGreaterThan(maxRelativeDifference(lstm.forward(padded, state: nil).state.hidden.storage, alone.state.hidden.storage), 1e-3)
    }

    /// Dropout acts between layers only, in training only.
    func testDropoutBetweenLayers() {
        var rng = RandomGenerator(seed: 23)
        let x = Tensor.normal([2, 5, 3], rng: &rng)
        let oneLayer = GRU(3, 4, dropout: 0.5, rng: &rng)
        XCTAssertEqual(oneLayer.forward(x).storage, { oneLayer.setTraining(false); return oneLayer.forward(x).storage }(),
                       "no dropout after the last layer")
        let stack = GRU(3, 4, layers: 2, dropout: 0.5, rng: &rng)
        stack.setTraining(false)
        let evalOut = stack.forward(x).storage
        XCTAssertEqual(stack.forward(x).storage, evalOut)
        stack.setTraining(true)
        XCTAssertNotEqual(stack.forward(x).storage, evalOut)
    }

    /// Dense maps the last axis of [N, S, in] like nn.Linear, equal to applying it row by row.
    func testDenseOnSequences() {
        var rng = RandomGenerator(seed: 24)
        let dense = Dense(4, 3, rng: &rng)
        let x = Tensor.normal([2, 5, 4], rng: &rng)
        let y = dense(x)
        XCTAssertEqual(y.shape, [2, 5, 3])
        let rows = dense(x.reshaped([10, 4]))
        XCTAssertEqual(y.storage, rows.storage)
        XCTAssertEqual(dense(Tensor.normal([2, 1, 2, 2], rng: &rng)).shape, [2, 3], "other ranks still flatten after the batch axis")
    }
}

final class RecurrentFastTanhTests: XCTestCase {
    /// The cells' tanh agrees with the C library's to a few ulp over the whole range, and is odd.
    func testFastTanhMatchesLibm() {
        var worst: Float = 0
        var x: Float = -12
        while x <= 12 {
            let a = fastTanh(x), b = Foundation.tanh(x)
            worst = max(worst, abs(a - b) / max(abs(b), 1e-30))
            XCTAssertEqual(fastTanh(-x), -a)
            x += 0.0007
        }
        XCTAssertLessThan(worst, 1e-6)
        XCTAssertEqual(fastTanh(0), 0)
    }
}
