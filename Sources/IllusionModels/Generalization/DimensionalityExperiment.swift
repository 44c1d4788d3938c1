import Foundation

/// The curse of dimensionality, three ways:
///
/// 1. Distance concentration: for `points` uniform points in [0, 1]^d and `queries` more, the ratio
///    of each query's nearest to its farthest distance, averaged; it tends to 1 as d grows (all points
///    look equally far). The trend is summarised by Kendall's τ between d and the ratio.
/// 2. The share of the unit cube's volume inside its inscribed ball (radius ½):
///    V_d = π^{d/2} / Γ(d/2 + 1) · (½)^d, exact, beside a Monte-Carlo estimate from `volumeSamples` points.
/// 3. k-nearest-neighbour accuracy on Fashion-MNIST: raw pixels (784-D) against PCA codes of 2…16
///    dimensions and, when a VAE run is given, its encoder means — a low-dimensional representation
///    keeps (or loses) what the neighbours need.
public struct DimensionalityExperiment: Sendable {
    public var dimensions = [1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000]
    public var points = 500
    public var queries = 50
    public var volumeSamples = 100_000
    /// false skips the Fashion-MNIST part.
    public var fashion = true
    public var knnTrain = 10_000
    public var knnTest = 1_000
    public var k = 5
    public var pcaDimensions = [2, 4, 8, 16, 32, 64]
    public var vaeRun: String?
    public var dataDirectory = FashionMNIST.defaultDirectory
    public var seed: UInt64 = 0

    public init() {}

    public func validate() throws {
        guard !dimensions.isEmpty, dimensions.allSatisfy({ $0 >= 1 }) else {
            throw ModelError.invalidArgument("--dimensions must be whole numbers ≥ 1 (got \(dimensions.map(String.init).joined(separator: ",")))")
        }
        guard points >= 2 else { throw ModelError.invalidArgument("--samples must be ≥ 2 (a nearest and a farthest point), got \(points)") }
        guard queries >= 1, volumeSamples >= 1 else { throw ModelError.invalidArgument("--queries and --volume-samples must be ≥ 1") }
        guard knnTrain >= 1, knnTest >= 1, k >= 1 else { throw ModelError.invalidArgument("--knn-train, --knn-test and -k must be ≥ 1") }
        guard knnTrain >= k else { throw ModelError.invalidArgument("--knn-train \(knnTrain) must be at least k = \(k)") }
        guard pcaDimensions.allSatisfy({ $0 >= 1 && $0 <= 784 }) else { throw ModelError.invalidArgument("--pca-dimensions must be in 1…784") }
    }

    public struct DistanceRow: Codable, Sendable {
        public var dimension: Int
        /// Mean over queries of min distance / max distance.
        public var nearestToFarthest: Double
        public var ballVolumeShare: Double
        /// log₁₀ of the share (finite where the share itself underflows to 0).
        public var ballVolumeShareLog10: Double
        /// Monte-Carlo estimate of the same share (nil above 30 dimensions, where it is 0 to any sample size here).
        public var ballVolumeShareMonteCarlo: Double?
    }

    public struct NeighbourRow: Codable, Sendable {
        public var representation: String
        public var dimension: Int
        public var accuracy: Double
    }

    public struct Result: Codable, Sendable {
        public var distances: [DistanceRow]
        public var kendallTau: Double
        public var neighbours: [NeighbourRow]
        public var k: Int
        public var knnTrain: Int
        public var knnTest: Int
    }

    /// Mean nearest/farthest distance ratio of uniform points in [0, 1]^d.
    public static func distanceRatio(dimension d: Int, points n: Int, queries q: Int, generator g: inout RandomGenerator) -> Double {
        let data = (0..<(n * d)).map { _ in g.nextDouble() }
        var total = 0.0
        for _ in 0..<q {
            let query = (0..<d).map { _ in g.nextDouble() }
            var lo = Double.infinity, hi = 0.0
            for i in 0..<n {
                var s = 0.0
                for j in 0..<d { let e = data[i * d + j] - query[j]; s += e * e }
                lo = min(lo, s); hi = max(hi, s)
            }
            total += (lo / hi).squareRoot()
        }
        return total / Double(q)
    }

    /// Volume of the ball of radius ½ in d dimensions (= its share of the unit cube).
    public static func inscribedBallShare(dimension d: Int) -> Double { exp(inscribedBallLogShare(dimension: d)) }

    /// Natural log of ``inscribedBallShare(dimension:)``.
    public static func inscribedBallLogShare(dimension d: Int) -> Double {
        let half = Double(d) / 2
        return half * log(Double.pi) - lgamma(half + 1) - Double(d) * log(2.0)
    }

    /// Kendall's τ-a between two equally long sequences.
    public static func kendallTau(_ a: [Double], _ b: [Double]) -> Double {
        var s = 0.0
        for i in 0..<a.count { for j in (i + 1)..<max(i + 1, a.count) {
            let x = a[i] - a[j], y = b[i] - b[j]
            s += x * y > 0 ? 1 : (x * y < 0 ? -1 : 0)
        } }
        let pairs = Double(a.count * (a.count - 1) / 2)
        return pairs > 0 ? s / pairs : 0
    }

    /// k-NN accuracy (majority of the k nearest, ties to the nearer) of `test` rows against `train` rows,
    /// both `[n, d]`, by squared Euclidean distance (‖a‖² − 2a·b + ‖b‖², the products by GEMM).
    public static func nearestNeighbourAccuracy(train: Tensor, trainLabels: [Int], test: Tensor, testLabels: [Int], k: Int) -> Double {
        let d = train.shape[1], n = train.shape[0], m = test.shape[0]
        let trainNorms = (0..<n).map { i in (0..<d).reduce(Float(0)) { $0 + train.storage[i * d + $1] * train.storage[i * d + $1] } }
        let products = noGrad { test.matmul(train.transposed()) }.storage   // [m, n]
        var hits = 0
        for i in 0..<m {
            var best: [(Float, Int)] = []
            for j in 0..<n {
                let dist = trainNorms[j] - 2 * products[i * n + j]   // ‖test‖² is the same for every j
                if best.count < k || dist < best[best.count - 1].0 {
                    best.append((dist, trainLabels[j]))
                    best.sort { $0.0 < $1.0 }
                    if best.count > k { best.removeLast() }
                }
            }
            var votes: [Int: Int] = [:]
            for (_, label) in best { votes[label, default: 0] += 1 }
            let top = votes.values.max() ?? 0
            let winner = best.first { votes[$0.1] == top }!.1
            if winner == testLabels[i] { hits += 1 }
        }
        return Double(hits) / Double(max(m, 1))
    }

    public func run(progress: (String) -> Void = { _ in }) throws -> Result {
        try validate()
        var g = RandomGenerator(seed: seed, stream: 0xD1A)
        var rows: [DistanceRow] = []
        for d in dimensions {
            let ratio = DimensionalityExperiment.distanceRatio(dimension: d, points: points, queries: queries, generator: &g)
            var monteCarlo: Double?
            if d <= 30 {
                var inside = 0
                for _ in 0..<volumeSamples {
                    var s = 0.0
                    for _ in 0..<d { let u = g.nextDouble() - 0.5; s += u * u }
                    if s <= 0.25 { inside += 1 }
                }
                monteCarlo = Double(inside) / Double(volumeSamples)
            }
            rows.append(DistanceRow(dimension: d, nearestToFarthest: ratio,
                                    ballVolumeShare: DimensionalityExperiment.inscribedBallShare(dimension: d),
                                    ballVolumeShareLog10: DimensionalityExperiment.inscribedBallLogShare(dimension: d) / log(10.0), ballVolumeShareMonteCarlo: monteCarlo))
            progress(String(format: "d = %d: nearest/farthest %.3f, ball share %.3g", d, ratio, rows.last!.ballVolumeShare))
        }
        let tau = DimensionalityExperiment.kendallTau(rows.map { Double($0.dimension) }, rows.map(\.nearestToFarthest))
        var neighbours: [NeighbourRow] = []
        if fashion { neighbours = try fashionNeighbours(progress: progress) }
        return Result(distances: rows, kendallTau: tau, neighbours: neighbours, k: k, knnTrain: knnTrain, knnTest: knnTest)
    }

    /// The Fashion-MNIST k-NN part: pixels, PCA codes, and a VAE's encoder means when `vaeRun` is set.
    func fashionNeighbours(progress: (String) -> Void) throws -> [NeighbourRow] {
        let train = try FashionMNIST.load(.train, directory: dataDirectory, options: IDXImageOptions(padding: 0, limit: knnTrain))
        let test = try FashionMNIST.load(.test, directory: dataDirectory, options: IDXImageOptions(padding: 0, limit: knnTest))
        let nTrain = min(knnTrain, train.count), nTest = min(knnTest, test.count)
        let xTrain = train.floatImages(at: Array(0..<nTrain), encoding: .unitRange).reshaped([nTrain, 784])
        let xTest = test.floatImages(at: Array(0..<nTest), encoding: .unitRange).reshaped([nTest, 784])
        let yTrain = Array(train.labels[..<nTrain]), yTest = Array(test.labels[..<nTest])
        var out: [NeighbourRow] = []
        let pixels = DimensionalityExperiment.nearestNeighbourAccuracy(train: xTrain, trainLabels: yTrain, test: xTest, testLabels: yTest, k: k)
        out.append(NeighbourRow(representation: "pixels", dimension: 784, accuracy: pixels))
        progress(String(format: "k-NN on pixels (784-D): %.4f", pixels))
        if let widest = pcaDimensions.max() {
            let pca = PrincipalComponents(data: xTrain.storage, rows: nTrain, columns: 784, k: widest)
            let codeTrain = pca.project(xTrain.storage, rows: nTrain), codeTest = pca.project(xTest.storage, rows: nTest)
            for dim in pcaDimensions.sorted() {
                func leading(_ code: [Double], _ rows: Int) -> Tensor {
                    Tensor(shape: [rows, dim], storage: (0..<rows).flatMap { r in (0..<dim).map { Float(code[r * widest + $0]) } })
                }
                let acc = DimensionalityExperiment.nearestNeighbourAccuracy(train: leading(codeTrain, nTrain), trainLabels: yTrain,
                                                                            test: leading(codeTest, nTest), testLabels: yTest, k: k)
                out.append(NeighbourRow(representation: "pca", dimension: dim, accuracy: acc))
                progress(String(format: "k-NN on PCA-%d: %.4f", dim, acc))
            }
        }
        if let vaeRun {
            let vae = try VAERun(path: vaeRun)
            let data = try vae.config.dataset.load()
            guard data.train.channels == 1, data.train.classNames.count == 10 else {
                throw ModelError.invalidRun("--vae-run \(vaeRun): the k-NN comparison needs a Fashion-MNIST VAE run")
            }
            let codeTrain = VAEExplorer.encodeMeans(vae.model, data.train, indices: Array(0..<min(nTrain, data.train.count)))
            let codeTest = VAEExplorer.encodeMeans(vae.model, data.test, indices: Array(0..<min(nTest, data.test.count)))
            let acc = DimensionalityExperiment.nearestNeighbourAccuracy(train: codeTrain, trainLabels: Array(data.train.labels[..<codeTrain.shape[0]]),
                                                                        test: codeTest, testLabels: Array(data.test.labels[..<codeTest.shape[0]]), k: k)
            out.append(NeighbourRow(representation: "vae", dimension: codeTrain.shape[1], accuracy: acc))
            progress(String(format: "k-NN on the VAE's %d-D means: %.4f", codeTrain.shape[1], acc))
        }
        return out
    }

    /// dimensionality_distances.png (ratio and ball share against log₁₀ d).
    public static func writeFigures(_ r: Result, to directory: String) throws -> [String] {
        let xs = r.distances.map { log10(Double($0.dimension)) }
        let chart = LineChart(title: "Curse of dimensionality (uniform points in the unit cube)", xLabel: "log10 dimension", yLabel: "ratio / share",
                              series: [.init(name: "nearest / farthest distance", values: r.distances.map(\.nearestToFarthest), xs: xs),
                                       .init(name: "ball share of the cube", values: r.distances.map(\.ballVolumeShare), xs: xs)])
        let path = directory + "/dimensionality_distances.png"
        try chart.writePNG(to: path)
        return [path]
    }
}
