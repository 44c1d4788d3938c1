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

    /// The fixed-noise sample grid and reconstruction pairs, written each epoch (and kept per epoch in `progress/`).
    public static func writeEpochPictures(_ model: VariationalAutoencoder, run: RunFolder, test: ImageDataset, epoch: Int) throws {
        let samples = try grid(VAEExplorer.sample(model, count: 64, seed: 42).images, columns: 8)
        try samples.writePNG(to: run.file("samples.png"))
        try FileManager.default.createDirectory(atPath: run.file("progress"), withIntermediateDirectories: true)
        try samples.writePNG(to: run.file(String(format: "progress/samples_epoch%03d.png", epoch)))
        try reconstructionGrid(model, test: test, count: 16).writePNG(to: run.file("reconstructions.png"))
    }

    /// Final pictures: samples, reconstructions, loss curves and latent plots.
    public static func writeFinalPictures(_ model: VariationalAutoencoder, run: RunFolder, test: ImageDataset) throws {
        try grid(VAEExplorer.sample(model, count: 64, seed: 42).images, columns: 8).writePNG(to: run.file("samples.png"))
        try reconstructionGrid(model, test: test, count: 16).writePNG(to: run.file("reconstructions.png"))
        let chart = lossChart(run)
        try chart.writePNG(to: run.file("loss_curves.png"))
        try chart.writeSVG(to: run.file("loss_curves.svg"))
        _ = try writeLatentPlots(model, test: test, out: run.path, limit: 5000)
    }

    /// Train vs validation negative ELBO per epoch (plus the two train terms) from metrics.jsonl.
    public static func lossChart(_ run: RunFolder) -> LineChart {
        let metrics = run.readMetrics()
        func series(_ key: String, _ name: String) -> LineChart.Series {
            LineChart.Series(name: name, values: metrics.map { ($0[key] as? Double) ?? .nan },
                             xs: metrics.map { Double(($0["epoch"] as? Int) ?? 0) })
        }
        return LineChart(title: "Loss per image (nats)", xLabel: "epoch", yLabel: "nats",
                         series: [series("train_loss", "train loss"), series("val_neg_elbo", "validation -ELBO"),
                                  series("train_reconstruction", "train reconstruction"), series("train_kl", "train KL")])
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
            try manifoldGrid(model, steps: 20).writePNG(to: out + "/manifold.png")
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
