import Foundation

/// `illusion latent-plot` for autoencoder runs: the test codes coloured by class, and the latent
/// classifier's class-probability map over the latent plane with per-class KDE density contours.
public enum AutoencoderPlots {
    /// Opens an autoencoder run folder and writes its latent plots into `out`; returns the files written.
    public static func writeLatentPlots(runPath: String, out: String, limit: Int = 5000) throws -> [String] {
        let run = try AutoencoderRun(path: runPath)
        return try writeLatentPlots(run.model, test: try run.testSet(), out: out, limit: limit)
    }

    /// Writes `latent_scatter.png` and `latent_probability_map.png` (2-D codes only) into `out`.
    public static func writeLatentPlots(_ model: ConvolutionalAutoencoder, test: ImageDataset, out: String, limit: Int = 5000) throws -> [String] {
        guard model.config.latentDim == 2 else {
            throw ModelError.invalidArgument("latent plots need a 2-D code; this autoencoder's code has \(model.config.latentDim) dimensions")
        }
        guard limit >= 1 else { throw ModelError.invalidArgument("--limit must be ≥ 1, got \(limit)") }
        do { try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true) } catch {
            throw ModelError.invalidArgument("--out \(out): cannot create the folder (\(error.localizedDescription))")
        }
        model.setTraining(false)
        let codes = model.codes(of: test, limit: limit)
        let n = codes.shape[0]
        let labels = Array(test.labels[..<n])
        let xs = (0..<n).map { Double(codes.storage[2 * $0]) }, ys = (0..<n).map { Double(codes.storage[2 * $0 + 1]) }
        let names = model.config.classNames
        let points = LabeledPoints(xs: xs, ys: ys, labels: labels, classNames: names)
        let scatterPath = (out as NSString).appendingPathComponent("latent_scatter.png")
        try ScatterPlot(title: "Autoencoder codes of \(n) test images", xLabel: "z1", yLabel: "z2", points: points,
                        pointRadius: 2, opacity: 0.6, width: 760, height: 600).writePNG(to: scatterPath)
        let mapPath = (out as NSString).appendingPathComponent("latent_probability_map.png")
        try probabilityMap(model, points: points, classNames: names).writePNG(to: mapPath)
        return [scatterPath, mapPath]
    }

    /// The class-probability map: each cell tinted by the latent classifier's most likely class
    /// (stronger where its softmax probability is higher), with each class's Gaussian KDE of the codes
    /// as contour lines (at 20 % and 60 % of that class's peak density) in the class colour.
    public static func probabilityMap(_ model: ConvolutionalAutoencoder, points: LabeledPoints, classNames: [String],
                                      resolution: Int = 150) -> Figure {
        let xRange = robustRange(points.xs), yRange = robustRange(points.ys)
        let n = resolution
        var grid = [Float](repeating: 0, count: n * n * 2)
        for r in 0..<n {
            for c in 0..<n {
                grid[(r * n + c) * 2] = Float(xRange.lowerBound + (Double(c) + 0.5) / Double(n) * (xRange.upperBound - xRange.lowerBound))
                grid[(r * n + c) * 2 + 1] = Float(yRange.lowerBound + (Double(r) + 0.5) / Double(n) * (yRange.upperBound - yRange.lowerBound))
            }
        }
        let probabilities = noGrad { model.classifyCodes(Tensor(shape: [n * n, 2], storage: grid)).softmax() }
        let k = classNames.count
        var classes = [Int](repeating: 0, count: n * n), confidence = [Double](repeating: 0, count: n * n)
        for i in 0..<(n * n) {
            var best = 0
            for j in 1..<k where probabilities.storage[i * k + j] > probabilities.storage[i * k + best] { best = j }
            classes[i] = best
            confidence[i] = Double(probabilities.storage[i * k + best])
        }
        let shown = subsample(points, max: 1500)
        let map = ClassRegionMap(title: "Latent classifier: class probability and per-class density", xLabel: "z1", yLabel: "z2",
                                 classes: classes, confidence: confidence, rows: n, columns: n, xRange: xRange, yRange: yRange,
                                 classNames: classNames, points: shown, pointRadius: 1.2, width: 820, height: 660)
        var figure = map.figure()
        // The plot rectangle is where the map drew its grid layer (the first raster image).
        guard let plot = figure.elements.lazy.compactMap({ element -> (Double, Double, Double, Double)? in
            if case let .image(image, x, y) = element { return (Double(x), Double(y), Double(image.width), Double(image.height)) }
            return nil
        }).first else { return figure }
        let (left, top, width, height) = plot
        let labels = points.labels ?? []
        for cls in 0..<k {
            let members = labels.indices.filter { labels[$0] == cls && $0 < points.count }
            guard members.count >= 5 else { continue }
            let density = DensityGrid.gaussianKDE(xs: members.map { points.xs[$0] }, ys: members.map { points.ys[$0] },
                                                  xRange: xRange, yRange: yRange, rows: n, columns: n)
            let peak = density.max() ?? 0
            guard peak > 0 else { continue }
            var segments: [FigurePoint] = []
            for level in [0.2, 0.6] {
                segments += ContourLines.segments(values: density, rows: n, columns: n, level: level * peak).map {
                    // Grid sample (row r, column c) sits at the centre of cell (c, r); rows grow upwards.
                    FigurePoint(x: left + ($0.x + 0.5) / Double(n) * width, y: top + height - ($0.y + 0.5) / Double(n) * height)
                }
            }
            figure.add(.segments(segments, color: ColorPalette.color(cls).mixed(with: .black, 0.35), width: 1.5))
        }
        return figure
    }

    /// The 0.5 %–99.5 % quantile range of `values`, widened by 10 % on each side.
    static func robustRange(_ values: [Double]) -> ClosedRange<Double> {
        let sorted = values.filter(\.isFinite).sorted()
        guard let first = sorted.first, let last = sorted.last else { return -1...1 }
        let lo = sorted[Int(Double(sorted.count - 1) * 0.005)], hi = sorted[Int(Double(sorted.count - 1) * 0.995)]
        let low = lo.isFinite ? lo : first, high = hi > low ? hi : max(last, low + 1)
        let margin = (high - low) * 0.1
        return (low - margin)...(high + margin)
    }

    static func subsample(_ points: LabeledPoints, max count: Int) -> LabeledPoints {
        guard points.count > count else { return points }
        let step = Double(points.count) / Double(count)
        let picks = (0..<count).map { Int(Double($0) * step) }
        return LabeledPoints(xs: picks.map { points.xs[$0] }, ys: picks.map { points.ys[$0] },
                             labels: points.labels.map { l in picks.map { l[$0] } }, classNames: points.classNames)
    }
}
