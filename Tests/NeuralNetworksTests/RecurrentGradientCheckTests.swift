import XCTest
@testable import IllusionNeuralNetworks

/// Finite-difference gradient checks (``checkGradients``) of each cell and of a multi-step,
/// multi-layer, bidirectional stack, on the fused BPTT path and the per-step reference.
final class RecurrentGradientCheckTests: XCTestCase {
    func assertGradients(_ inputs: [Tensor], _ what: String, _ f: () -> Tensor,
                         file: StaticString = #filePath, line: UInt = #line) {
        let report = checkGradients(of: inputs, f)
        XCTAssertLessThanOrEqual(report.maxRelativeError, 2e-3, "\(what): \(report)", file: file, line: line)
    }

    /// One cell step (T = 1) and a few steps, every input of the op: x, h0, c0 and the four parameters.
    func testEachCell() {
        var rng = RandomGenerator(seed: 11)
        for kind in RecurrentKind.allCases {
            for steps in [1, 4] {
                let layer = RecurrentLayer(kind: kind, inputSize: 3, hiddenSize: 4, rng: &rng)
                let x = Tensor.normal([2, steps, 3], rng: &rng, requiresGrad: true)
                let h0 = Tensor.normal([1, 2, 4], std: 0.5, rng: &rng, requiresGrad: true)
                let c0 = kind.hasCellState ? Tensor.normal([1, 2, 4], std: 0.5, rng: &rng, requiresGrad: true) : nil
                if kind == .rnnReLU {  // keep pre-activations away from the kink at 0
                    for p in layer.parameters { for i in 0..<p.count { p.storage[i] *= 2 } }
                }
                let inputs = [x, h0] + (c0.map { [$0] } ?? []) + layer.parameters
                for reference in [false, true] {
                    layer.usesReferencePath = reference
                    assertGradients(inputs, "\(kind) T=\(steps)\(reference ? " reference" : "")") {
                        let r = layer.forward(x, state: RecurrentState(hidden: h0, cell: c0))
                        var outs = [r.output.reshaped([-1]), r.state.hidden.reshaped([-1])]
                        if let c = r.state.cell { outs.append(c.reshaped([-1])) }
                        return Tensor.concatenate(outs, axis: 0)
                    }
                }
            }
        }
    }

    /// 3 steps, 2 layers, bidirectional, with dropout off (eval) and variable lengths.
    func testMultiLayerBidirectionalStack() {
        var rng = RandomGenerator(seed: 12)
        for kind in [RecurrentKind.lstm, .gru, .rnnTanh] {
            let layer = RecurrentLayer(kind: kind, inputSize: 2, hiddenSize: 3, layers: 2, bidirectional: true, dropout: 0.3, rng: &rng)
            layer.setTraining(false)
            let x = Tensor.normal([3, 4, 2], rng: &rng, requiresGrad: true)
            let h0 = Tensor.normal([4, 3, 3], std: 0.5, rng: &rng, requiresGrad: true)
            let c0 = kind.hasCellState ? Tensor.normal([4, 3, 3], std: 0.5, rng: &rng, requiresGrad: true) : nil
            let inputs = [x, h0] + (c0.map { [$0] } ?? []) + layer.parameters
            for lengths in [nil, [4, 2, 1]] as [[Int]?] {
                assertGradients(inputs, "\(kind) stack lengths \(String(describing: lengths))") {
                    let r = layer.forward(x, state: RecurrentState(hidden: h0, cell: c0), lengths: lengths)
                    var outs = [r.output.reshaped([-1]), r.state.hidden.reshaped([-1])]
                    if let c = r.state.cell { outs.append(c.reshaped([-1])) }
                    return Tensor.concatenate(outs, axis: 0)
                }
            }
        }
    }

    func testEmbeddingAndDenseOverSequences() {
        var rng = RandomGenerator(seed: 13)
        let e = Embedding(5, 3, rng: &rng)
        let dense = Dense(3, 2, rng: &rng)
        assertGradients([e.weight, dense.weight, dense.bias!], "embedding → dense [N, S, in]") {
            dense(e.forward(ids: [0, 4, 4, 1, 2, 0], shape: [2, 3])).tanh()
        }
    }
}
