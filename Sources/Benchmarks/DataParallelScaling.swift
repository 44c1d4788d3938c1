import Foundation

/// `make bench`'s data-parallel rows (`--only mpi`): the real `illusion` (next to this binary) trains
/// each workload as 1 process × 1 thread, 1 process × 2 threads and `mpirun -np 2` × 1 thread, one
/// run each; images/s is the trainer's `images_per_s` (global batch / median step). The 2-rank run
/// writes its time inside collectives (ILLUSION_COMMUNICATION_STATS, rank 0's view: the gradient
/// all-reduces plus the small ones — figures, synchronised BatchNorm — including any wait for the
/// other rank), whose mean per step over the median step time is the communication share.
/// The `cnn_fashion.py` recipe's row also runs PyTorch's DistributedDataParallel (scripts/cnn_fashion_ddp.py:
/// gloo, 2 processes × 1 thread, the same global batch split 64/64) when the PyTorch side is present.
enum DataParallelScaling {
    struct Case {
        let name: String
        let arguments: [String]
        let steps: Int
        /// Also measure PyTorch DDP on this case (the peer's CNN and recipe).
        var pytorchDDP = false
    }

    static let cases = [
        Case(name: "fashion VAE (100)", arguments: ["train", "vae", "--limit", "3200", "--eval-limit", "100", "--batch-size", "100"], steps: 30),
        Case(name: "faces64 VAE (32)", arguments: ["train", "vae", "--arch", "faces", "--dataset", "faces-synthetic", "--image-size", "64",
                                                   "--limit", "640", "--eval-limit", "32", "--batch-size", "32"], steps: 12),
        Case(name: "CNN (100)", arguments: ["train", "cnn", "--arch", "seed", "--limit", "3200", "--eval-limit", "100", "--batch-size", "100"], steps: 30),
        // cnn_fashion.py's network and recipe: valid convs, no BatchNorm, dropout 0.25, no augmentation, Adam 1e-3.
        Case(name: "CNN peer recipe (128)", arguments: ["train", "cnn", "--arch", "seed", "--padding", "valid", "--no-batch-norm", "--dropout", "0.25", "--no-augment",
                                                        "--limit", "4480", "--eval-limit", "128", "--batch-size", "128"], steps: 30, pytorchDDP: true),
    ]

    struct Row {
        let name: String
        let oneByOne: Double, oneByTwo: Double, twoRanks: Double
        /// Mean seconds per step inside the gradient all-reduces and inside the small collectives.
        let gradientSecondsPerStep: Double, smallSecondsPerStep: Double, gradientBytes: Int
        var speedUp: Double { twoRanks / oneByOne }
        /// Median 2-rank step (s) from its images/s and the global batch.
        let stepSeconds: Double
        var communicationShare: Double { (gradientSecondsPerStep + smallSecondsPerStep) / stepSeconds }
        /// PyTorch DDP, 2 ranks × 1 thread (nil: not measured for this case, or no PyTorch).
        var pytorchTwoRanks: Double? = nil
    }

    /// The table, or nil (with a note) when mpirun or the illusion binary is missing.
    static func measure(quick: Bool, peers: PeerBaselines? = nil) throws -> String? {
        let directory = (ChildProcess.selfExecutable as NSString).deletingLastPathComponent
        let illusion = directory + "/illusion"
        guard FileManager.default.isExecutableFile(atPath: illusion) else { note("[mpi] skipped: no \(illusion) (swift build -c release)"); return nil }
        guard let mpirun = ChildProcess.which("mpirun") else { note("[mpi] skipped: Open MPI's mpirun is not installed (make deps)"); return nil }
        let scratch = NSTemporaryDirectory() + "illusion-bench-mpi-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        var rows: [Row] = []
        for c in cases {
            let steps = quick ? max(4, c.steps / 3) : c.steps
            let base = c.arguments + ["--epochs", "1", "--max-steps", String(steps), "--quiet", "--json"]
            func imagesPerSecond(_ object: [String: Any]) throws -> Double {
                guard let v = object["images_per_s"] as? Double else { throw BenchmarkError.failed("[mpi] \(c.name): no images_per_s in the JSON") }
                return v
            }
            var runs = 0
            func out() -> String { runs += 1; try? FileManager.default.removeItem(atPath: scratch + "/\(runs)"); return scratch + "/\(runs)" }
            note("[mpi] \(c.name): 1 process × 1 thread …")
            let a = try imagesPerSecond(ChildProcess.lastJSONLine(illusion, base + ["--threads", "1", "--out", out()]))
            note("[mpi] \(c.name): 1 process × 2 threads …")
            let b = try imagesPerSecond(ChildProcess.lastJSONLine(illusion, base + ["--threads", "2", "--out", out()]))
            note("[mpi] \(c.name): mpirun -np 2 × 1 thread …")
            let stats = scratch + "/communication-\(runs).json"
            setenv("ILLUSION_COMMUNICATION_STATS", stats, 1)
            setenv("OMPI_MCA_btl_vader_single_copy_mechanism", "none", 0)
            defer { unsetenv("ILLUSION_COMMUNICATION_STATS") }
            let pair = try imagesPerSecond(ChildProcess.lastJSONLine(mpirun, ["-np", "2", "--oversubscribe", "--allow-run-as-root", illusion]
                                                                     + base + ["--threads", "1", "--out", out()]))
            guard let data = FileManager.default.contents(atPath: stats),
                  let figures = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let gradient = figures["gradient_allreduce_s"] as? Double, let small = figures["small_collective_s"] as? Double,
                  let bytes = figures["gradient_bytes_per_step"] as? Int else {
                throw BenchmarkError.failed("[mpi] \(c.name): the 2-rank run wrote no communication figures (\(stats))")
            }
            let batch = Double(c.arguments[c.arguments.firstIndex(of: "--batch-size")! + 1])!
            rows.append(Row(name: c.name, oneByOne: a, oneByTwo: b, twoRanks: pair,
                            gradientSecondsPerStep: gradient / Double(steps), smallSecondsPerStep: small / Double(steps),
                            gradientBytes: bytes, stepSeconds: batch / pair))
            note(String(format: "[mpi]   %.1f / %.1f / %.1f images/s", a, b, pair))
            if c.pytorchDDP, let peers {
                note("[mpi] \(c.name): PyTorch DDP (gloo) 2 ranks × 1 thread …")
                do {
                    rows[rows.count - 1].pytorchTwoRanks = try peers.measureDDP(steps: steps + 1, batch: Int(batch))
                    note(String(format: "[mpi]   PyTorch DDP %.1f images/s", rows[rows.count - 1].pytorchTwoRanks!))
                } catch {
                    note("[mpi]   PyTorch DDP failed: \(error)")
                }
            }
        }
        return table(rows)
    }

    static func table(_ rows: [Row]) -> String {
        var lines = ["Data-parallel (Open MPI), images/s; one run each (noisy on a shared machine; see uptime):",
                     "| workload (global batch) | 1 × 1 | 1 × 2 | 2 ranks × 1 | 2 ranks vs 1 × 1 (efficiency) | gradient all-reduce (MB) + small collectives / 2-rank step | PyTorch DDP 2 ranks × 1 | ours / PyTorch (2 ranks) |",
                     "|---|---|---|---|---|---|---|---|"]
        for r in rows {
            let peer = r.pytorchTwoRanks.map { String(format: "%.1f | %.2f×", $0, r.twoRanks / $0) } ?? "— | —"
            lines.append(String(format: "| %@ | %.1f | %.1f | %.1f | %.2f× (%.0f %%) | (%.1f ms (%.2f MB) + %.1f ms) / %.0f ms = %.1f %% | %@ |", r.name,
                                r.oneByOne, r.oneByTwo, r.twoRanks, r.speedUp, 50 * r.speedUp, 1000 * r.gradientSecondsPerStep,
                                Double(r.gradientBytes) / 1e6, 1000 * r.smallSecondsPerStep, 1000 * r.stepSeconds, 100 * r.communicationShare, peer))
        }
        return lines.joined(separator: "\n")
    }
}
