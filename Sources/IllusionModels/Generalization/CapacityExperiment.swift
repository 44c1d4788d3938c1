import Foundation

/// Under- and overfitting as capacity grows, measured twice:
///
/// 1. Polynomials of degree 0…`maxDegree` fitted by least squares to `samples` noisy points of
///    y = sin(πx) + ε (``NoisySine``), averaged over `repeats` independent training sets; the test
///    error is on `testSamples` fresh points. Training error can only fall with the degree (the models
///    are nested and each fit is the exact minimiser); the test error falls, bottoms out, then climbs.
/// 2. MLPs of growing width (two ReLU hidden layers of `width` units) trained for `mlpEpochs`
///    full-batch Adam epochs on `mlpSamples` noisy two-moons points, tested on 2 000 more; error
///    rates and cross-entropies are means over `mlpSeeds` training sets and initialisations.
public struct CapacityExperiment: Sendable {
    public var maxDegree = 15
    public var samples = 20
    public var testSamples = 1000
    public var noise = 0.3
    public var repeats = 20
    public var widths = [1, 2, 4, 8, 16, 32, 64, 128, 256]
    public var mlpSamples = 100
    public var mlpNoise = 0.3
    public var mlpEpochs = 1000
    public var mlpSeeds = 5
    public var seed: UInt64 = 0

    public init() {}

    public func validate() throws {
        try PolynomialFit.validate(maxDegree: maxDegree, samples: samples)
        guard testSamples >= 1, repeats >= 1 else { throw ModelError.invalidArgument("--test-samples and --repeats must be ≥ 1") }
        guard noise >= 0, noise.isFinite else { throw ModelError.invalidArgument("--noise must be ≥ 0, got \(noise)") }
        guard !widths.isEmpty, widths.allSatisfy({ $0 >= 1 }) else { throw ModelError.invalidArgument("--widths must be positive whole numbers") }
        guard mlpSamples >= 2, mlpEpochs >= 1, mlpSeeds >= 1 else { throw ModelError.invalidArgument("the MLP part needs ≥ 2 samples, ≥ 1 epoch and ≥ 1 seed") }
    }

    public struct Result: Codable, Sendable {
        public var degrees: [Int]
        /// Mean over the repeats of the training MSE of each degree.
        public var trainMSE: [Double]
        /// Mean over the repeats of the test MSE of each degree.
        public var testMSE: [Double]
        /// The degree with the lowest mean test MSE.
        public var bestDegree: Int
        /// σ², the floor no model can beat on test data.
        public var noiseVariance: Double
        /// Whether the mean training MSE never rises with the degree (relative slack 1e-9).
        public var trainingErrorMonotone: Bool
        public var widths: [Int]
        public var mlpParameters: [Int]
        public var mlpTrainError: [Double]
        public var mlpTestError: [Double]
        public var mlpTrainLoss: [Double]
        public var mlpTestLoss: [Double]
        /// The width with the lowest mean test error rate.
        public var bestWidth: Int
    }

    public func run(progress: (String) -> Void = { _ in }) throws -> Result {
        try validate()
        let problem = NoisySine(noise: noise)
        var g = RandomGenerator(seed: seed, stream: 0xCA9)
        let test = problem.sample(count: testSamples, generator: &g)
        let degrees = Array(0...maxDegree)
        var train = [Double](repeating: 0, count: degrees.count), testMSE = train
        for _ in 0..<repeats {
            let data = problem.sample(count: samples, generator: &g)
            for d in degrees {
                let fit = try PolynomialFit(degree: d, xs: data.xs, ys: data.ys)
                train[d] += fit.meanSquaredError(xs: data.xs, ys: data.ys) / Double(repeats)
                testMSE[d] += fit.meanSquaredError(xs: test.xs, ys: test.ys) / Double(repeats)
            }
        }
        let monotone = zip(train, train.dropFirst()).allSatisfy { $1 <= $0 * (1 + 1e-9) + 1e-12 }
        let bestDegree = degrees.min { testMSE[$0] < testMSE[$1] }!
        progress(String(format: "polynomials: best degree %d (test MSE %.4f, σ² = %.4f)", bestDegree, testMSE[bestDegree], noise * noise))

        // MLPs of growing width on two moons, averaged over `mlpSeeds` training sets and initialisations.
        var trainError = [Double](repeating: 0, count: widths.count), testError = trainError, trainLoss = trainError, testLoss = trainError
        var counts: [Int] = []
        let share = 1 / Double(mlpSeeds)
        for s in 0..<mlpSeeds {
            let runSeed = seed &+ UInt64(s) &* 104_729
            let trainSet = ToyDatasets.moons(count: mlpSamples, noise: mlpNoise, seed: runSeed &+ 1)
            let testSet = ToyDatasets.moons(count: 2000, noise: mlpNoise, seed: runSeed &+ 2)
            counts = []
            for (w, width) in widths.enumerated() {
                var rng = RandomGenerator(seed: runSeed &+ 3)
                let model = MLPClassifier.make(MLPConfig(classCount: 2, hiddenLayers: 2, width: width), rng: &rng)
                let trainer = ExperimentTrainer(epochs: mlpEpochs, batchSize: mlpSamples, learningRate: 0.01, seed: runSeed)
                try trainer.train(model, x: trainSet.points, labels: trainSet.labels)
                counts.append(model.parameterCounts.trainable)
                trainError[w] += share * ExperimentTrainer.errorRate(model, x: trainSet.points, labels: trainSet.labels)
                testError[w] += share * ExperimentTrainer.errorRate(model, x: testSet.points, labels: testSet.labels)
                trainLoss[w] += share * ExperimentTrainer.loss(model, x: trainSet.points, labels: trainSet.labels)
                testLoss[w] += share * ExperimentTrainer.loss(model, x: testSet.points, labels: testSet.labels)
            }
        }
        for (w, width) in widths.enumerated() {
            progress(String(format: "MLP width %d: train error %.3f, test error %.3f, test loss %.3f", width, trainError[w], testError[w], testLoss[w]))
        }
        let bestWidth = widths[testError.indices.min { testError[$0] < testError[$1] }!]
        return Result(degrees: degrees, trainMSE: train, testMSE: testMSE, bestDegree: bestDegree, noiseVariance: noise * noise,
                      trainingErrorMonotone: monotone, widths: widths, mlpParameters: counts, mlpTrainError: trainError,
                      mlpTestError: testError, mlpTrainLoss: trainLoss, mlpTestLoss: testLoss, bestWidth: bestWidth)
    }

    /// capacity_polynomial.png (MSE against degree, log scale) and capacity_mlp.png (cross-entropy against log₂ width).
    public static func writeFigures(_ r: Result, to directory: String) throws -> [String] {
        let xs = r.degrees.map(Double.init)
        let poly = LineChart(title: "Polynomial degree vs error (mean of the training sets)", xLabel: "degree", yLabel: "mean squared error",
                             series: [.init(name: "train", values: r.trainMSE, xs: xs),
                                      .init(name: "test", values: r.testMSE, xs: xs),
                                      .init(name: "noise sigma^2", values: xs.map { _ in r.noiseVariance }, xs: xs)],
                             logarithmicY: true)
        let wx = r.widths.map { log2(Double($0)) }
        let mlp = LineChart(title: "MLP width vs error (two moons)", xLabel: "log2 width", yLabel: "cross-entropy / error rate",
                            series: [.init(name: "train loss", values: r.mlpTrainLoss, xs: wx), .init(name: "test loss", values: r.mlpTestLoss, xs: wx),
                                     .init(name: "train error", values: r.mlpTrainError, xs: wx), .init(name: "test error", values: r.mlpTestError, xs: wx)])
        let a = directory + "/capacity_polynomial.png", b = directory + "/capacity_mlp.png"
        try poly.writePNG(to: a)
        try mlp.writePNG(to: b)
        return [a, b]
    }
}
