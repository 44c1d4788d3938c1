import Foundation

// Benchmarks: training throughput, peak memory and GFLOP/s of the project's workloads, side by side
// with the PyTorch peer scripts (../shared/peers) when torch is importable. See BenchmarkOptions.
// Each measurement runs in a fresh child process (this binary with --child) so peak RSS is its own.

setvbuf(stdout, nil, _IOLBF, 0)

func runBenchmarks() throws {
    let options = try BenchmarkOptions.parse(Array(CommandLine.arguments.dropFirst()))
    if options.child { try ChildMeasurement.run(options); return }

    let located: (baselines: PeerBaselines?, reason: String) = options.pytorch ? PeerBaselines.locate() : (nil, "disabled by --no-pytorch")
    let peers = located.baselines
    note(peers.map { "PyTorch side: \($0.python) with \($0.directory)" } ?? "PyTorch side skipped: \(located.reason)")
    note("threads: \(options.threads) (both sides); rounds: \(options.effectiveRounds)\(options.quick ? "; --quick" : "")")
    if ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] != nil {
        note("warning: OPENBLAS_CORETYPE is set; `make bench` unsets it (the forced kernel is about half as fast)")
    }

    var results: [WorkloadResult] = []
    for workload in Workload.all where options.selected(workload.name) {
        var r = WorkloadResult(workload: workload)
        for round in 1...options.effectiveRounds {
            note("[\(workload.name)] round \(round): ours …")
            guard let m = Measurement(json: try OurSide.measure(workload.name, options: options)) else {
                throw BenchmarkError.failed("\(workload.name): unreadable child output")
            }
            r.ours.append(m)
            note(String(format: "[%@]   ours %.1f img/s, peak %.0f MiB", workload.name, m.imagesPerSecond, m.peakResidentMiB ?? .nan))
            guard let peers, r.pytorchError == nil else { continue }
            note("[\(workload.name)] round \(round): PyTorch …")
            do {
                let p = try peers.measure(workload, options: options)
                r.pytorch.append(p)
                note(String(format: "[%@]   PyTorch %.1f img/s, peak %.0f MiB", workload.name, p.imagesPerSecond, p.peakResidentMiB ?? .nan))
            } catch {
                r.pytorchError = "\(error)"
                note("[\(workload.name)]   PyTorch failed: \(error)")
            }
        }
        results.append(r)
    }

    var layers: [[String: Any]]? = nil
    var peak: Double? = nil
    if options.selected("layers") {
        note("[layers] Conv2D / Conv2DTranspose at the VAE shapes …")
        let out = try OurSide.measure("layers", options: options)
        layers = out["layers"] as? [[String: Any]]
        peak = out["fma_peak_gflops"] as? Double
    }

    var scaling: String? = nil
    if options.selected("mpi") { scaling = try DataParallelScaling.measure(quick: options.quick, peers: peers) }

    var cost: (text: String, json: [[String: Any]])? = nil
    if options.selected("scaling") { cost = try CostScaling.measure(options: options, peers: peers) }

    var text = ""
    if !results.isEmpty { text += BenchmarkReport.table(results, pytorchLabel: peers == nil ? "PyTorch (absent)" : "PyTorch") + "\n" }
    if let layers {
        text += "\nConvolution layers (GFLOP/s; backward = input + weight gradients), \(options.threads) thread(s):\n"
        text += LayerBenchmarks.table(layers, peak: peak) + "\n"
    }
    if let scaling { text += "\n" + scaling + "\n" }
    if let cost { text += "\n" + cost.text + "\n" }
    if options.json {
        note(text)
        print(try BenchmarkReport.json(results, layers: layers, peak: peak, scaling: cost?.json, threads: options.threads,
                                       pytorch: peers?.python))
    } else {
        print(text, terminator: "")
    }
}

do {
    try runBenchmarks()
} catch let e as BenchmarkError {
    if case .help = e { print(e.description); exit(0) }
    note("Benchmarks: \(e)")
    exit(2)
} catch {
    note("Benchmarks: \(error)")
    exit(1)
}
