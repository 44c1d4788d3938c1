import Foundation
import IllusionImaging

/// How the faces VAE's cost grows: training images/s and peak memory against the batch size
/// (8…256 at 64×64) and the image size (64, 128, 256 at batch 32), at 1 and 2 threads, ours and
/// PyTorch's (`vae_faces.py`) one after the other at each point. Writes four charts (PNG and SVG)
/// to `options.chartsDirectory` and returns the table.
enum CostScaling {
    static let batches = [8, 16, 32, 64, 128, 256]
    static let sizes = [64, 128, 256]

    struct Point {
        var threads: Int
        var size: Int
        var batch: Int
        var ours: Measurement
        var pytorch: Measurement?
    }

    static func measure(options: BenchmarkOptions, peers: PeerBaselines?) throws -> (text: String, json: [[String: Any]]) {
        let threadCounts = options.threads >= 2 ? [1, 2] : [1]
        let shapes = batches.map { (64, $0) } + sizes.filter { $0 != 64 }.map { ($0, 32) }
        var points: [Point] = []
        for threads in threadCounts {
            var o = options
            o.threads = threads
            for (size, batch) in shapes {
                let workload = Workload.faces(size: size, batch: batch)
                note("[scaling] \(size)×\(size), batch \(batch), \(threads) thread(s): ours …")
                guard let ours = Measurement(json: try OurSide.measure(workload.name, options: o,
                                                                       extra: ["--image-size", String(size), "--batch", String(batch)])) else {
                    throw BenchmarkError.failed("scaling: unreadable child output")
                }
                var pytorch: Measurement? = nil
                if let peers {
                    note("[scaling]   PyTorch …")
                    let steps = options.quick ? workload.steps.quick : workload.steps.full
                    pytorch = try? peers.measureFaces(workload, size: size, steps: steps, threads: threads)
                }
                points.append(Point(threads: threads, size: size, batch: batch, ours: ours, pytorch: pytorch))
            }
        }
        try drawCharts(points, threadCounts: threadCounts, to: options.chartsDirectory)
        return (table(points), points.map(json))
    }

    static func json(_ p: Point) -> [String: Any] {
        ["threads": p.threads, "image_size": p.size, "batch": p.batch,
         "ours_images_per_s": p.ours.imagesPerSecond, "ours_peak_rss_mib": p.ours.peakResidentMiB as Any? ?? NSNull(),
         "pytorch_images_per_s": p.pytorch?.imagesPerSecond as Any? ?? NSNull(),
         "pytorch_peak_rss_mib": p.pytorch?.peakResidentMiB as Any? ?? NSNull(),
         "ours_other_cores": p.ours.otherCores as Any? ?? NSNull()]
    }

    static func table(_ points: [Point]) -> String {
        var t = TextTableBuilder(["threads", "image", "batch", "ours img/s", "PyTorch img/s", "ratio", "ours peak MiB",
                                  "PyTorch peak MiB", "other cores"])
        for p in points {
            let ratio = p.pytorch.map { p.ours.imagesPerSecond / $0.imagesPerSecond }
            t.add(["\(p.threads)", "\(p.size)", "\(p.batch)", fmt(p.ours.imagesPerSecond, 1), fmt(p.pytorch?.imagesPerSecond, 1),
                   ratio.map { String(format: "%.2f×", $0) } ?? "—", fmt(p.ours.peakResidentMiB, 0),
                   fmt(p.pytorch?.peakResidentMiB, 0), fmt(p.ours.otherCores, 2)])
        }
        return "Cost of the faces VAE against batch size and image size (one round per point):\n" + t.render()
    }

    /// img/s and peak MiB against log₂(batch) (ASCII labels: the chart font has no ×, ₂ or …) at 64×64, and against the image size at batch 32.
    static func drawCharts(_ points: [Point], threadCounts: [Int], to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        func series(_ chosen: (Point) -> Bool, x: (Point) -> Double, y: (Measurement) -> Double?) -> [LineChart.Series] {
            var out: [LineChart.Series] = []
            for threads in threadCounts {
                let row = points.filter { $0.threads == threads && chosen($0) }
                out.append(.init(name: "ours, \(threads) thread\(threads > 1 ? "s" : "")",
                                 values: row.map { y($0.ours) ?? .nan }, xs: row.map(x)))
                if row.contains(where: { $0.pytorch != nil }) {
                    out.append(.init(name: "PyTorch, \(threads) thread\(threads > 1 ? "s" : "")",
                                     values: row.map { $0.pytorch.flatMap(y) ?? .nan }, xs: row.map(x)))
                }
            }
            return out
        }
        let byBatch: (Point) -> Bool = { $0.size == 64 }
        let bySize: (Point) -> Bool = { $0.batch == 32 }
        let charts: [(String, LineChart)] = [
            ("scaling_batch_throughput", LineChart(title: "faces VAE 64x64: training throughput", xLabel: "log2 batch size (3 = 8, 8 = 256)",
                                                   yLabel: "images/s", series: series(byBatch, x: { log2(Double($0.batch)) }, y: { $0.imagesPerSecond }))),
            ("scaling_batch_memory", LineChart(title: "faces VAE 64x64: peak resident memory", xLabel: "log2 batch size (3 = 8, 8 = 256)",
                                               yLabel: "MiB", series: series(byBatch, x: { log2(Double($0.batch)) }, y: { $0.peakResidentMiB }))),
            ("scaling_size_throughput", LineChart(title: "faces VAE, batch 32: training throughput", xLabel: "image side (pixels)",
                                                  yLabel: "images/s (log scale)", series: series(bySize, x: { Double($0.size) }, y: { $0.imagesPerSecond }),
                                                  logarithmicY: true)),
            ("scaling_size_memory", LineChart(title: "faces VAE, batch 32: peak resident memory", xLabel: "image side (pixels)",
                                              yLabel: "MiB (log scale)", series: series(bySize, x: { Double($0.size) }, y: { $0.peakResidentMiB }),
                                              logarithmicY: true)),
        ]
        for (name, chart) in charts {
            try chart.writePNG(to: directory + "/" + name + ".png")
            try chart.writeSVG(to: directory + "/" + name + ".svg")
        }
        note("[scaling] charts: \(charts.map { directory + "/" + $0.0 + ".png" }.joined(separator: ", ")) (and .svg)")
    }
}
