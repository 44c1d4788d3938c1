import Foundation
import XCTest
@testable import IllusionNeuralNetworks

/// The claims of docs/theory/recurrent.md, measured.
final class RecurrentTheoryTests: XCTestCase {
    /// ‖∂L/∂x_{T−1−t}‖ / ‖∂L/∂x_{T−1}‖ for t = 0…T−1, L = w·h_T (fixed random w), averaged over seeds.
    func gradientRatios(_ kind: RecurrentKind, forgetBias: Float = 0, hidden: Int = 32, steps: Int = 40) -> [Double] {
        var sum = [Double](repeating: 0, count: steps)
        let seeds: [UInt64] = [1, 2, 3, 4, 5]
        for seed in seeds {
            var rng = RandomGenerator(seed: seed)
            let layer = RecurrentLayer(kind: kind, inputSize: hidden, hiddenSize: hidden, rng: &rng)
            if forgetBias != 0 { for j in hidden..<(2 * hidden) { layer.weights[0][0].biasIH.storage[j] += forgetBias } }
            let x = Tensor.normal([4, steps, hidden], rng: &rng, requiresGrad: true)
            let h = layer.forward(x, state: nil).state.hidden
            (h * Tensor.normal(h.shape, rng: &rng)).sum().backward()
            let g = x.grad!
            func norm(_ t: Int) -> Double {
                var s: Double = 0
                for b in 0..<4 { for j in 0..<hidden { let v = Double(g[(b * steps + t) * hidden + j]); s += v * v } }
                return s.squareRoot()
            }
            let last = norm(steps - 1)
            for t in 0..<steps { sum[t] += norm(steps - 1 - t) / last }
        }
        return sum.map { $0 / Double(seeds.count) }
    }

    /// A tanh RNN's gradient vanishes geometrically with the distance (the product of Jacobians
    /// diag(1 − h²)·W_hh, each of norm < 1 at this init); the LSTM's additive cell path
    /// (∂c_t/∂c_{t−1} = diag(f_t), no weight matrix) keeps orders of magnitude more, and more still
    /// with the forget gate biased open (+1).
    func testVanishingGradientRNNVersusLSTM() {
        let rnn = gradientRatios(.rnnTanh), lstm = gradientRatios(.lstm), open = gradientRatios(.lstm, forgetBias: 1)
        let gru = gradientRatios(.gru)
        for t in [10, 20, 30] {
            print(String(format: "gradient ratio %d steps back: rnn %.2e  lstm %.2e  lstm(forget bias +1) %.2e  gru %.2e",
                         t, rnn[t], lstm[t], open[t], gru[t]))
        }
        XCTAssertLessThan(rnn[30], 1e-7, "tanh RNN: vanished 30 steps back")
        XCTAssertGreaterThan(lstm[30] / rnn[30], 100, "LSTM keeps > 100× more gradient 30 steps back")
        XCTAssertGreaterThan(open[30], 1e-4, "LSTM with open forget gates: still > 1e-4 of the gradient 30 steps back")
        XCTAssertGreaterThan(open[30] / rnn[30], 1e4)
        // Monotone decay for the RNN (no oscillation at this init).
        for t in 1..<40 { XCTAssertLessThan(rnn[t], rnn[t - 1] * 1.5) }
        if let dir = ProcessInfo.processInfo.environment["ILLUSION_THEORY_FIGURES"] {
            writeSVG(dir + "/recurrent_gradient_ratio.svg", ["tanh RNN": rnn, "LSTM": lstm, "LSTM, forget bias +1": open, "GRU": gru])
        }
    }

    /// Attention is a soft lookup: the weights are a distribution over the encoder steps, the context
    /// is their convex combination, and the gradient of the context reaches every encoder step.
    func testAttentionIsASoftDifferentiableLookup() {
        var rng = RandomGenerator(seed: 7)
        let attention = AdditiveAttention(querySize: 5, keySize: 4, attentionSize: 6, rng: &rng)
        let query = Tensor.normal([3, 5], rng: &rng, requiresGrad: true)
        let keys = Tensor.normal([3, 7, 4], rng: &rng, requiresGrad: true)
        let (context, weights) = attention.attend(query: query, keys: keys)
        XCTAssertEqual(weights.shape, [3, 7])
        for n in 0..<3 {
            let row = weights.storage[(n * 7)..<(n * 7 + 7)]
            XCTAssertEqual(Double(row.reduce(0, +)), 1, accuracy: 1e-6)
            XCTAssertTrue(row.allSatisfy { $0 > 0 })
            for j in 0..<4 {  // context = Σ_s w_s k_s
                var expected: Float = 0
                for s in 0..<7 { expected += weights.storage[n * 7 + s] * keys.storage[(n * 7 + s) * 4 + j] }
                XCTAssertEqual(context.storage[n * 4 + j], expected, accuracy: 1e-5)
            }
        }
        context.sum().backward()
        for n in 0..<3 {
            for s in 0..<7 {
                let g = (0..<4).map { abs(keys.grad![(n * 7 + s) * 4 + $0]) }.reduce(0, +)
                XCTAssertGreaterThan(g, 0, "encoder step \(s) of sequence \(n) gets gradient")
            }
        }
        XCTAssertGreaterThan(query.grad!.map(abs).reduce(0, +), 0, "the query (decoder state) gets gradient through the weights")
        let report = checkGradients(of: [query, keys] + attention.parameters) {
            let r = attention.attend(query: query, keys: keys)
            return Tensor.concatenate([r.context.reshaped([-1]), r.weights.reshaped([-1])], axis: 0)
        }
        XCTAssertLessThanOrEqual(report.maxRelativeError, 2e-3, "\(report)")
    }

    /// A minimal line chart as SVG (log scale), written only when ILLUSION_THEORY_FIGURES is set.
    func writeSVG(_ path: String, _ series: [String: [Double]]) {
        let w = 640.0, h = 400.0, left = 60.0, top = 20.0, pw = 560.0, ph = 330.0
        let colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"]
        var svg = "<svg xmlns='http://www.w3.org/2000/svg' width='\(Int(w))' height='\(Int(h))' font-family='sans-serif' font-size='12'>"
        svg += "<rect width='100%' height='100%' fill='white'/><rect x='\(left)' y='\(top)' width='\(pw)' height='\(ph)' fill='none' stroke='#999'/>"
        let lowExp = -12.0
        for e in stride(from: 0, through: lowExp, by: -2) {
            let y = top + ph * (-e / -lowExp)
            svg += "<text x='8' y='\(y + 4)'>1e\(Int(e))</text><line x1='\(left)' x2='\(left + pw)' y1='\(y)' y2='\(y)' stroke='#eee'/>"
        }
        for (i, (name, values)) in series.sorted(by: { $0.key < $1.key }).enumerated() {
            let points = values.enumerated().map { t, v -> String in
                let x = left + pw * Double(t) / Double(values.count - 1)
                let y = top + ph * min(1, -log10(max(v, 1e-12)) / -lowExp)
                return "\(x),\(y)"
            }.joined(separator: " ")
            svg += "<polyline fill='none' stroke='\(colors[i % 4])' stroke-width='2' points='\(points)'/>"
            svg += "<text x='\(left + pw - 170)' y='\(top + 20 + 16 * Double(i))' fill='\(colors[i % 4])'>\(name)</text>"
        }
        svg += "<text x='\(left + pw / 2 - 120)' y='\(h - 12)'>steps back t (sequence of 40, H = 32)</text></svg>\n"
        try? svg.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
