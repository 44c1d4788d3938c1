import Foundation

/// One workload's figures after all rounds: the best round's throughput per side (each round is
/// itself a median over steady-state steps) and the largest peak RSS seen.
struct WorkloadResult {
    let workload: Workload
    var ours: [Measurement] = []
    var pytorch: [Measurement] = []
    var pytorchError: String? = nil

    static func best(_ ms: [Measurement]) -> Measurement? { ms.max { $0.imagesPerSecond < $1.imagesPerSecond } }
    static func peak(_ ms: [Measurement]) -> Double? { ms.compactMap(\.peakResidentMiB).max() }

    var oursBest: Measurement? { Self.best(ours) }
    var pytorchBest: Measurement? { Self.best(pytorch) }
    var ratio: Double? {
        guard let o = oursBest, let p = pytorchBest, p.imagesPerSecond > 0 else { return nil }
        return o.imagesPerSecond / p.imagesPerSecond
    }

    var json: [String: Any] {
        func value(_ d: Double?) -> Any { d.map { $0 as Any } ?? NSNull() }
        var o: [String: Any] = [
            "name": workload.name,
            "ours_images_per_s": value(oursBest?.imagesPerSecond),
            "pytorch_images_per_s": value(pytorchBest?.imagesPerSecond),
            "ratio": value(ratio),
            "ours_peak_rss_mib": value(Self.peak(ours)),
            "pytorch_peak_rss_mib": value(Self.peak(pytorch)),
            "batch": workload.isLoad ? NSNull() : workload.batch as Any,
            "ours_gflops": value(oursBest?.gflops),
            "ours_step_ms": value(oursBest.map { $0.stepSeconds * 1e3 }),
            "ours_cpu_ms_per_step": value(oursBest?.cpuStepSeconds.map { $0 * 1e3 }),
            "pytorch_step_ms": value(pytorchBest.map { $0.stepSeconds * 1e3 }),
            "ours_rounds_images_per_s": ours.map(\.imagesPerSecond),
            "pytorch_rounds_images_per_s": pytorch.map(\.imagesPerSecond),
            "ours_other_cores": value(ours.compactMap(\.otherCores).max()),
            "pytorch_other_cores": value(pytorch.compactMap(\.otherCores).max()),
        ]
        if workload.isLoad {
            o["ours_seconds"] = value(oursBest?.stepSeconds)
            o["pytorch_seconds"] = value(pytorchBest?.stepSeconds)
        }
        if let e = pytorchError { o["pytorch_error"] = e }
        return o
    }
}

enum BenchmarkReport {
    static func table(_ results: [WorkloadResult], pytorchLabel: String) -> String {
        var t = TextTableBuilder(["workload", "ours img/s", "PyTorch img/s", "ratio", "ours GFLOP/s", "ours ms/step",
                                  "PyTorch ms/step", "ours peak MiB", "PyTorch peak MiB", "other cores"])
        for r in results {
            let o = r.oursBest, p = r.pytorchBest
            let msDigits = r.workload.isLoad ? 0 : 1
            let other = [r.ours.compactMap(\.otherCores).max(), r.pytorch.compactMap(\.otherCores).max()].compactMap { $0 }.max()
            t.add([r.workload.isLoad ? "load (s → ms/load)" : r.workload.name,
                   fmt(o?.imagesPerSecond, 0), fmt(p?.imagesPerSecond, 0),
                   r.ratio.map { String(format: "%.2f×", $0) } ?? "—",
                   fmt(o?.gflops, 1), fmt(o.map { $0.stepSeconds * 1e3 }, msDigits), fmt(p.map { $0.stepSeconds * 1e3 }, msDigits),
                   fmt(WorkloadResult.peak(r.ours), 0), fmt(WorkloadResult.peak(r.pytorch), 0), fmt(other, 2)])
        }
        return t.render() + "\nratio = ours/\(pytorchLabel) images/s (best round of each side; each round = median of steady-state steps)."
            + "\n'other cores' = cores used by other processes during the measurement (>0.2 means contaminated)."
    }

    static func json(_ results: [WorkloadResult], layers: [[String: Any]]?, peak: Double?,
                     scaling: [[String: Any]]? = nil, threads: Int, pytorch: String?) throws -> String {
        var top: [String: Any] = ["workloads": results.map(\.json), "threads": threads,
                                  "pytorch_python": pytorch.map { $0 as Any } ?? NSNull()]
        if let layers { top["layers"] = layers }
        if let peak { top["fma_peak_gflops"] = peak }
        if let scaling { top["scaling"] = scaling }
        let data = try JSONSerialization.data(withJSONObject: top, options: [.sortedKeys])
        return String(data: data, encoding: .utf8)!
    }
}
