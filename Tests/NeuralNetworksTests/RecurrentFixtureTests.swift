import Foundation
import XCTest
@testable import IllusionNeuralNetworks

/// PyTorch golden values from `scripts/make_recurrent_fixtures.py` (`Fixtures/recurrent_*.safetensors`):
/// outputs, final states and every gradient of torch.nn.RNN / LSTM / GRU (batch_first) and Embedding.
/// The checkpoint names are PyTorch's: loading the fixture's `p.*` tensors uses `strict` state-dict loading.
final class RecurrentFixtureTests: XCTestCase {
    func fixture(_ name: String) throws -> SafeTensors {
        let dir = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        return try SafeTensors(contentsOf: dir.appendingPathComponent("recurrent_\(name).safetensors").path)
    }

    func check(_ name: String, kind: RecurrentKind, layers: Int, bidirectional: Bool, reference: Bool = false,
               file: StaticString = #filePath, line: UInt = #line) throws {
        let f = try fixture(name)
        let x = try f.tensor("x"), h0 = try f.tensor("h0")
        x.requiresGrad = true; h0.requiresGrad = true
        var rng = RandomGenerator(seed: 1)
        let layer = RecurrentLayer(kind: kind, inputSize: x.shape[2], hiddenSize: h0.shape[2], layers: layers,
                                   bidirectional: bidirectional, rng: &rng)
        layer.usesReferencePath = reference
        var state: [String: Tensor] = [:]
        for key in f.names where key.hasPrefix("p.") { state[String(key.dropFirst(2))] = try f.tensor(key) }
        try layer.loadStateDict(state, source: name, strict: true)
        XCTAssertEqual(Set(layer.stateDict().map(\.name)), Set(state.keys), "PyTorch's parameter names", file: file, line: line)
        var c0: Tensor? = nil
        if kind.hasCellState { c0 = try f.tensor("c0"); c0!.requiresGrad = true }
        let lengths = f.entries["lengths"] != nil ? try f.int64s("lengths").map { Int($0) } : nil
        let result = layer.forward(x, state: RecurrentState(hidden: h0, cell: c0), lengths: lengths)
        let what = "\(name)\(reference ? " (reference path)" : "")"
        coreAssertClose(result.output, try f.tensor("out"), tolerance: 2e-5, "\(what) output", file: file, line: line)
        coreAssertClose(result.state.hidden, try f.tensor("h_n"), tolerance: 2e-5, "\(what) h_n", file: file, line: line)
        var loss = (result.output * (try f.tensor("w_out"))).sum() + (result.state.hidden * (try f.tensor("w_h"))).sum()
        if kind.hasCellState {
            coreAssertClose(result.state.cell, try f.tensor("c_n"), tolerance: 2e-5, "\(what) c_n", file: file, line: line)
            loss = loss + (result.state.cell! * (try f.tensor("w_c"))).sum()
        }
        loss.backward()
        coreAssertClose(x.gradient, try f.tensor("grad.x"), tolerance: 5e-5, "\(what) grad x", file: file, line: line)
        coreAssertClose(h0.gradient, try f.tensor("grad.h0"), tolerance: 5e-5, "\(what) grad h0", file: file, line: line)
        if let c0 { coreAssertClose(c0.gradient, try f.tensor("grad.c0"), tolerance: 5e-5, "\(what) grad c0", file: file, line: line) }
        for (pname, p) in layer.namedParameters() {
            coreAssertClose(p.gradient, try f.tensor("grad." + pname), tolerance: 5e-5, "\(what) grad \(pname)", file: file, line: line)
        }
    }

    func testLSTM() throws {
        for reference in [false, true] {
            try check("lstm_single", kind: .lstm, layers: 1, bidirectional: false, reference: reference)
            try check("lstm_stack", kind: .lstm, layers: 2, bidirectional: true, reference: reference)
        }
    }

    func testGRU() throws {
        for reference in [false, true] {
            try check("gru_single", kind: .gru, layers: 1, bidirectional: false, reference: reference)
            try check("gru_stack", kind: .gru, layers: 2, bidirectional: true, reference: reference)
        }
    }

    func testRNN() throws {
        for reference in [false, true] {
            try check("rnn_tanh_stack", kind: .rnnTanh, layers: 2, bidirectional: true, reference: reference)
            try check("rnn_relu_single", kind: .rnnReLU, layers: 1, bidirectional: false, reference: reference)
        }
    }

    /// Packed (variable-length) sequences: PyTorch pads outputs with 0 and takes each sequence's
    /// final state at its own last step (for the reverse direction: after its first step).
    func testVariableLengths() throws {
        for reference in [false, true] {
            try check("lstm_lengths", kind: .lstm, layers: 2, bidirectional: true, reference: reference)
            try check("gru_lengths", kind: .gru, layers: 1, bidirectional: true, reference: reference)
        }
    }

    func testEmbedding() throws {
        let f = try fixture("embedding")
        var rng = RandomGenerator(seed: 3)
        let e = Embedding(7, 3, paddingIndex: 2, rng: &rng)
        XCTAssertEqual(Array(e.weight.storage[6..<9]), [0, 0, 0], "padding row starts at 0")
        try e.loadStateDict(["weight": f.tensor("weight")], strict: true)
        let ids = try f.int64s("ids").map { Int($0) }
        let out = e.forward(ids: ids, shape: [2, 4])
        coreAssertClose(out, try f.tensor("out"), "embedding out")
        out.backward(gradient: try f.floats("gout"))
        coreAssertClose(e.weight.gradient, try f.tensor("grad.weight"), "embedding grad (none into the padding row)")
    }

    /// The checkpoint names and order are PyTorch's `state_dict()` keys.
    func testStateDictNames() {
        var rng = RandomGenerator(seed: 4)
        let lstm = LSTM(3, 5, layers: 2, bidirectional: true, rng: &rng)
        let names = lstm.stateDict().map(\.name)
        XCTAssertEqual(names.prefix(8), ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                                          "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse"])
        XCTAssertEqual(names.count, 16)
        XCTAssertEqual(lstm.weights[1][0].weightIH.shape, [20, 10], "layer 1 reads both directions")
        let bound = 1 / Float(5).squareRoot()
        for p in lstm.parameters { XCTAssertLessThanOrEqual(p.storage.map(abs).max()!, bound) }
        XCTAssertEqual(GRU(3, 5, rng: &rng).weights[0][0].weightHH.shape, [15, 5])
        XCTAssertEqual(RNN(3, 5, nonlinearity: .relu, rng: &rng).weights[0][0].weightHH.shape, [5, 5])
    }
}
