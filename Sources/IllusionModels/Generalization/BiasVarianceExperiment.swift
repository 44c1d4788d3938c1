import Foundation

/// The bias–variance decomposition, estimated by Monte Carlo.
///
/// `repeats` training sets of `samples` points are drawn from y = sin(πx) + ε (``NoisySine``); a
/// polynomial of each degree is fitted to each. At `testPoints` fixed x's, with f̂ᵣ the fit on set r
/// and f̄ = (1/R)Σᵣ f̂ᵣ:
///
///     bias²    = mean over x of (f̄(x) − f(x))²
///     variance = mean over x and r of (f̂ᵣ(x) − f̄(x))²
///     noise    = σ²
///
/// and the expected test MSE is measured directly with fresh noise, y = f(x) + ε', independent of
/// every training set. The identity E[(f̂ − y)²] = bias² + variance + σ² then holds up to the
/// Monte-Carlo error of the fresh noise; ``Row/identityGap`` and ``Row/identityStandardError`` report
/// it (the standard error is that of the mean of (f̂ − y)² − (f̂ − f)² − σ² over the R·T draws).
public struct BiasVarianceExperiment: Sendable {
    public var maxDegree = 12
    public var samples = 25
    public var repeats = 200
    public var testPoints = 200
    public var noise = 0.3
    public var seed: UInt64 = 0

    public init() {}

    public func validate() throws {
        try PolynomialFit.validate(maxDegree: maxDegree, samples: samples)
        guard repeats >= 2 else { throw ModelError.invalidArgument("--repeats must be ≥ 2 (a variance needs two training sets), got \(repeats)") }
        guard testPoints >= 1 else { throw ModelError.invalidArgument("--test-samples must be ≥ 1, got \(testPoints)") }
        guard noise >= 0, noise.isFinite else { throw ModelError.invalidArgument("--noise must be ≥ 0, got \(noise)") }
    }

    public struct Row: Codable, Sendable {
        public var degree: Int
        public var expectedTestMSE: Double
        public var biasSquared: Double
        public var variance: Double
        public var noise: Double
        /// expectedTestMSE − (biasSquared + variance + noise).
        public var identityGap: Double
        public var identityStandardError: Double
    }

    public struct Result: Codable, Sendable {
        public var rows: [Row]
        public var bestDegree: Int
        public var samples: Int
        public var repeats: Int
    }

    public func run() throws -> Result {
        try validate()
        let problem = NoisySine(noise: noise)
        var g = RandomGenerator(seed: seed, stream: 0xB1A5)
        let xs = (0..<testPoints).map { _ in 2 * g.nextDouble() - 1 }
        let truth = xs.map(problem.truth)
        let sets = (0..<repeats).map { _ in problem.sample(count: samples, generator: &g) }
        // One fresh noise draw per (training set, test point), shared by every degree.
        let fresh = (0..<(repeats * testPoints)).map { _ in noise * Double(g.nextNormal()) }
        var rows: [Row] = []
        for degree in 0...maxDegree {
            var predictions = [Double](repeating: 0, count: repeats * testPoints)
            for (r, set) in sets.enumerated() {
                let fit = try PolynomialFit(degree: degree, xs: set.xs, ys: set.ys)
                for t in 0..<testPoints { predictions[r * testPoints + t] = fit(xs[t]) }
            }
            var bias2 = 0.0, variance = 0.0, mse = 0.0
            var gapSum = 0.0, gapSquares = 0.0
            for t in 0..<testPoints {
                var mean = 0.0
                for r in 0..<repeats { mean += predictions[r * testPoints + t] }
                mean /= Double(repeats)
                bias2 += (mean - truth[t]) * (mean - truth[t])
                for r in 0..<repeats {
                    let p = predictions[r * testPoints + t], y = truth[t] + fresh[r * testPoints + t]
                    variance += (p - mean) * (p - mean)
                    mse += (p - y) * (p - y)
                    let term = (p - y) * (p - y) - (p - truth[t]) * (p - truth[t]) - noise * noise
                    gapSum += term; gapSquares += term * term
                }
            }
            let draws = Double(repeats * testPoints)
            bias2 /= Double(testPoints); variance /= draws; mse /= draws
            let gapMean = gapSum / draws
            let gapSD = max(0, gapSquares / draws - gapMean * gapMean).squareRoot()
            rows.append(Row(degree: degree, expectedTestMSE: mse, biasSquared: bias2, variance: variance, noise: noise * noise,
                            identityGap: mse - (bias2 + variance + noise * noise), identityStandardError: gapSD / draws.squareRoot()))
        }
        let best = rows.min { $0.expectedTestMSE < $1.expectedTestMSE }!.degree
        return Result(rows: rows, bestDegree: best, samples: samples, repeats: repeats)
    }

    /// bias_variance.png: the four terms and the measured expected test MSE against the degree.
    public static func writeFigures(_ r: Result, to directory: String) throws -> [String] {
        let xs = r.rows.map { Double($0.degree) }
        let chart = LineChart(title: "Bias-variance decomposition (\(r.repeats) training sets of \(r.samples))", xLabel: "degree",
                              yLabel: "squared error", series: [
                                .init(name: "E[test MSE]", values: r.rows.map(\.expectedTestMSE), xs: xs),
                                .init(name: "bias2+var+noise", values: r.rows.map { $0.biasSquared + $0.variance + $0.noise }, xs: xs),
                                .init(name: "bias2", values: r.rows.map(\.biasSquared), xs: xs),
                                .init(name: "variance", values: r.rows.map(\.variance), xs: xs),
                                .init(name: "noise sigma^2", values: r.rows.map(\.noise), xs: xs)],
                              logarithmicY: true)
        let path = directory + "/bias_variance.png"
        try chart.writePNG(to: path)
        return [path]
    }
}
