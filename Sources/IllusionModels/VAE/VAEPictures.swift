import Foundation

/// Pictures of a VAE run: sample grids, reconstruction pairs, interpolations, latent scatter,
/// the decoded manifold (D = 2) and loss curves.
public enum VAEPictures {
    /// Small images are enlarged so a person can see them (32×32 → 64×64).
    static func scale(for size: Int) -> Int { size <= 32 ? 2 : 1 }

    /// A grid of a batch `[N, C, H, W]` in [0, 1].
    public static func grid(_ images: Tensor, columns: Int, rowLabels: [String]? = nil) throws -> PixelImage {
        try ImageGrid.make(tensor: images, columns: max(1, columns), padding: 2, rowLabels: rowLabels,
                           scale: scale(for: images.shape[2]))
    }

    /// Test images (rows labelled "original") above their reconstructions from μ(x), 8 per row.
    public static func reconstructionGrid(_ model: VariationalAutoencoder, test: ImageDataset, count: Int) throws -> PixelImage {
        let n = max(1, min(count, test.count))
        let x = test.floatImages(at: Array(0..<n))
        let mu = VAEExplorer.encodeMeans(model, test, indices: Array(0..<n))
        let xhat = VAEExplorer.decodeInBatches(model, mu)
        let columns = min(8, n)
        var tiles: [Tensor] = [], labels: [String] = []
        var start = 0
        while start < n {
            let m = min(columns, n - start)
            tiles.append(padRow(x.batch(start..<(start + m)), to: columns))
            tiles.append(padRow(xhat.batch(start..<(start + m)), to: columns))
            labels += ["original", "reconstruction"]
            start += m
        }
        return try grid(noGrad { Tensor.concatenate(tiles, axis: 0) }, columns: columns, rowLabels: labels)
    }

    /// Pads a row of images with white tiles up to `columns`.
    static func padRow(_ t: Tensor, to columns: Int) -> Tensor {
        let m = t.shape[0]
        if m == columns { return t }
        return noGrad { Tensor.concatenate([t, Tensor.ones([columns - m] + Array(t.shape.dropFirst()))], axis: 0) }
    }

    /// Linear (top row) and spherical (bottom row) interpolation between the posterior means of two test images.
    public static func interpolationGrid(_ model: VariationalAutoencoder, test: ImageDataset, from: Int, to: Int, steps: Int) throws -> PixelImage {
        let mu = VAEExplorer.encodeMeans(model, test, indices: [from, to])
        let d = model.config.latentDim
        let a = Array(mu.storage[0..<d]), b = Array(mu.storage[d..<(2 * d)])
        let points = VAEExplorer.interpolate(a, b, steps: steps, spherical: false) + VAEExplorer.interpolate(a, b, steps: steps, spherical: true)
        let z = Tensor(shape: [2 * steps, d], storage: points.flatMap { $0 })
        return try grid(VAEExplorer.decodeInBatches(model, z), columns: steps, rowLabels: ["linear", "slerp"])
    }

    /// Samples in each epoch's progress picture: the first of the 64 fixed noise vectors of `samples.png`.
    public static let progressSampleCount = 16

    /// The fixed-noise sample grid and reconstruction pairs, written each epoch, and a smaller grid
    /// of the first ``progressSampleCount`` of the same samples kept per epoch in `progress/` (the
    /// report shows those side by side; a full copy would repeat `samples.png` for the last epoch).
    public static func writeEpochPictures(_ model: VariationalAutoencoder, run: RunFolder, test: ImageDataset, epoch: Int) throws {
        let images = VAEExplorer.sample(model, count: 64, seed: 42).images
        try grid(images, columns: 8).writePNG(to: run.file("samples.png"))
        try FileManager.default.createDirectory(atPath: run.file("progress"), withIntermediateDirectories: true)
        let first = noGrad { images.batch(0..<progressSampleCount) }
        try grid(first, columns: 4).writePNG(to: run.file(String(format: "progress/samples_epoch%03d.png", epoch)))
        try reconstructionGrid(model, test: test, count: 16).writePNG(to: run.file("reconstructions.png"))
    }

    /// The test images the final interpolation walks between (`interpolation.png`), and its columns.
    public static let interpolationEnds = (from: 0, to: 1), interpolationSteps = 10

    /// Final pictures: samples, reconstructions, loss and KL curves, the interpolation between the
    /// first two test images and latent plots (all before report.html, which shows them).
    public static func writeFinalPictures(_ model: VariationalAutoencoder, run: RunFolder, test: ImageDataset) throws {
        try grid(VAEExplorer.sample(model, count: 64, seed: 42).images, columns: 8).writePNG(to: run.file("samples.png"))
        try reconstructionGrid(model, test: test, count: 16).writePNG(to: run.file("reconstructions.png"))
        let charts = lossCharts(run)
        try charts.loss.writePNG(to: run.file("loss_curves.png"))
        try charts.loss.writeSVG(to: run.file("loss_curves.svg"))
        try charts.kl.writePNG(to: run.file("kl_curves.png"))
        try charts.kl.writeSVG(to: run.file("kl_curves.svg"))
        if test.count > max(interpolationEnds.from, interpolationEnds.to) {
            try interpolationGrid(model, test: test, from: interpolationEnds.from, to: interpolationEnds.to,
                                  steps: interpolationSteps).writePNG(to: run.file("interpolation.png"))
        }
        _ = try writeLatentPlots(model, test: test, out: run.path, limit: 5000)
    }

    /// The loss curves from metrics.jsonl, per image in nats against whole epochs: the train loss,
    /// validation −ELBO and both reconstruction terms on one chart (they share a scale), the KL terms
    /// on their own (a few nats, which a shared axis would flatten to a line at the bottom).
    public static func lossCharts(_ run: RunFolder) -> (loss: LineChart, kl: LineChart) {
        let metrics = run.readMetrics().filter { $0["epoch"] != nil && $0["train_loss"] != nil }
        func series(_ key: String, _ name: String) -> LineChart.Series {
            LineChart.Series(name: name, values: metrics.map { ($0[key] as? Double) ?? .nan },
                             xs: metrics.map { Double(($0["epoch"] as? Int) ?? 0) })
        }
        let loss = LineChart(title: "Loss per image (nats)", xLabel: "epoch", yLabel: "nats",
                             series: [series("train_loss", "train loss"), series("val_neg_elbo", "validation -ELBO"),
                                      series("train_reconstruction", "train reconstruction"),
                                      series("val_reconstruction", "validation reconstruction")],
                             width: 540, height: 380, wholeNumberX: true)
        var klSeries = [series("train_kl", "train KL"), series("val_kl", "validation KL")]
        klSeries[0].color = ColorPalette.color(4); klSeries[1].color = ColorPalette.color(5)
        let kl = LineChart(title: "KL per image (nats)", xLabel: "epoch", yLabel: "nats", series: klSeries,
                           width: 480, height: 380, wholeNumberX: true)
        return (loss, kl)
    }

    /// Latent scatter coloured by class (PCA to 2-D when D > 2) and, for D = 2, the decoded manifold.
    /// Returns the files written.
    public static func writeLatentPlots(_ model: VariationalAutoencoder, test: ImageDataset, out: String, limit: Int) throws -> [String] {
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let n = min(limit, test.count), d = model.config.latentDim
        let mu = VAEExplorer.encodeMeans(model, test, indices: Array(0..<n))
        var xs: [Double], ys: [Double], xLabel = "z1", yLabel = "z2"
        if d == 1 {
            xs = (0..<n).map { Double(mu.storage[$0]) }; ys = (0..<n).map { _ in 0 }
        } else if d == 2 {
            xs = (0..<n).map { Double(mu.storage[2 * $0]) }; ys = (0..<n).map { Double(mu.storage[2 * $0 + 1]) }
        } else {
            let pca = PrincipalComponents(data: mu.storage, rows: n, columns: d, k: 2)
            let p = pca.project(mu.storage, rows: n)
            xs = (0..<n).map { p[2 * $0] }; ys = (0..<n).map { p[2 * $0 + 1] }
            xLabel = "principal component 1"; yLabel = "principal component 2"
        }
        let names = test.classNames.isEmpty ? nil : test.classNames
        let scatter = ScatterPlot(title: "Test-set latent means (\(n) images)" + (d > 2 ? ", PCA of \(d)-D" : ""),
                                  xLabel: xLabel, yLabel: yLabel,
                                  points: LabeledPoints(xs: xs, ys: ys, labels: Array(test.labels.prefix(n)), classNames: names),
                                  pointRadius: 2, opacity: 0.6, width: 760, height: 600)
        var files = [out + "/latent_scatter.png", out + "/latent_scatter.svg"]
        try scatter.writePNG(to: files[0])
        try scatter.writeSVG(to: files[1])
        if d == 2 {
            try manifoldChart(model, steps: 20).writePNG(to: out + "/manifold.png")
            files.append(out + "/manifold.png")
        }
        return files
    }

    /// For D = 2: decodes a 20×20 grid of z at the standard-normal quantiles 0.05 … 0.95 (as in
    /// Kingma & Welling's figure 4), top row = largest z2.
    public static func manifoldGrid(_ model: VariationalAutoencoder, steps: Int) throws -> PixelImage {
        let q = (0..<steps).map { inverseNormalCDF(0.05 + 0.9 * Double($0) / Double(steps - 1)) }
        var z: [Float] = []
        for row in 0..<steps { for col in 0..<steps { z += [Float(q[col]), Float(q[steps - 1 - row])] } }
        let images = VAEExplorer.decodeInBatches(model, Tensor(shape: [steps * steps, 2], storage: z))
        return try ImageGrid.make(tensor: images, columns: steps, padding: 0)
    }

    /// ``manifoldGrid(_:steps:)`` with its axes: z1 along the bottom, z2 up the side, ticks at the
    /// outer, second-outer and middle cells (the quantile grid is uneven in z).
    public static func manifoldChart(_ model: VariationalAutoencoder, steps: Int) throws -> ImageAxesChart {
        let image = try manifoldGrid(model, steps: steps)
        let q = (0..<steps).map { inverseNormalCDF(0.05 + 0.9 * Double($0) / Double(steps - 1)) }
        let cells = Array(Set([0, steps / 4, steps - 1 - steps / 4, steps - 1])).sorted()
        func label(_ z: Double) -> String { String(format: "%.2f", abs(z) < 5e-3 ? 0 : z) }
        var xTicks = cells.map { (position: (Double($0) + 0.5) / Double(steps), label: label(q[$0])) }
        xTicks.append((position: 0.5, label: "0"))
        let yTicks = xTicks.map { (position: 1 - $0.position, label: $0.label) }
        return ImageAxesChart(image: image, title: "Decoded latent plane", xLabel: "z1", yLabel: "z2",
                              xTicks: xTicks.sorted { $0.position < $1.position }, yTicks: yTicks)
    }

    /// Φ⁻¹(p) by bisection on the error function (accurate to 1e-10; only used for plot grids).
    static func inverseNormalCDF(_ p: Double) -> Double {
        var lo = -10.0, hi = 10.0
        for _ in 0..<100 {
            let mid = (lo + hi) / 2
            if 0.5 * erfc(-mid / 2.0.squareRoot()) < p { lo = mid } else { hi = mid }
        }
        return (lo + hi) / 2
    }
}
