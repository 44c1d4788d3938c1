import Foundation
import IllusionModels

/// The PyTorch side: the peer scripts in `../shared/peers` run with the same thread count, one
/// fresh Python process per measurement. Their JSON summaries are mapped to ``Measurement``.
struct PeerBaselines {
    let python: String
    let directory: String
    /// The repository's own peer scripts (`scripts/`, for workloads newer than ../shared/peers), nil when not found.
    var repositoryScripts: String? = PeerBaselines.repositoryScriptsDirectory(ProcessInfo.processInfo.environment)

    /// Finds a Python that imports torch (PEERS_PYTHON, /tmp/peers/venv/bin/python, python3) and the
    /// peer scripts (PEERS_DIR, else `../shared/peers` beside the repository). Nil when either is missing.
    static func locate() -> (baselines: PeerBaselines?, reason: String) {
        let env = ProcessInfo.processInfo.environment
        guard let dir = peersDirectory(env) else {
            return (nil, "peer scripts not found (set PEERS_DIR to the folder holding vae_fashion.py)")
        }
        var candidates: [String] = []
        if let p = env["PEERS_PYTHON"], !p.isEmpty { candidates.append(p) }
        candidates += ["/tmp/peers/venv/bin/python", "python3"]
        for c in candidates {
            guard let exe = ChildProcess.which(c) else { continue }
            if ChildProcess.succeeds(exe, ["-c", "import torch, numpy"]) { return (PeerBaselines(python: exe, directory: dir), exe) }
        }
        return (nil, "no Python with torch found (tried \(candidates.joined(separator: ", ")); set PEERS_PYTHON)")
    }

    static func peersDirectory(_ env: [String: String]) -> String? {
        let fm = FileManager.default
        func ok(_ d: String) -> Bool { fm.fileExists(atPath: d + "/vae_fashion.py") && fm.fileExists(atPath: d + "/common.py") }
        if let d = env["PEERS_DIR"], !d.isEmpty { return ok(d) ? d : nil }
        // Walk up from the working directory and from the executable, looking for Package.swift.
        var starts = [fm.currentDirectoryPath]
        starts.append(URL(fileURLWithPath: ChildProcess.selfExecutable).deletingLastPathComponent().path)
        for start in starts {
            var url = URL(fileURLWithPath: start)
            for _ in 0..<8 {
                if fm.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
                    let d = url.deletingLastPathComponent().appendingPathComponent("shared/peers").standardized.path
                    if ok(d) { return d }
                }
                url.deleteLastPathComponent()
            }
        }
        return nil
    }

    /// PEER_SCRIPTS_DIR, else the `scripts` folder of the repository holding the working directory or
    /// this executable (the first folder up from either with a Package.swift and scripts/stackgan_stage2.py).
    static func repositoryScriptsDirectory(_ env: [String: String]) -> String? {
        let fm = FileManager.default
        func ok(_ d: String) -> Bool { fm.fileExists(atPath: d + "/stackgan_stage2.py") }
        if let d = env["PEER_SCRIPTS_DIR"], !d.isEmpty { return ok(d) ? d : nil }
        for start in [fm.currentDirectoryPath, URL(fileURLWithPath: ChildProcess.selfExecutable).deletingLastPathComponent().path] {
            var url = URL(fileURLWithPath: start)
            for _ in 0..<8 {
                let scripts = url.appendingPathComponent("scripts").standardized.path
                if fm.fileExists(atPath: url.appendingPathComponent("Package.swift").path) && ok(scripts) { return scripts }
                url.deleteLastPathComponent()
            }
        }
        return nil
    }

    /// A peer script of the repository's `scripts/` (it imports ../shared/peers/common.py through PEERS_DIR).
    func repositoryScript(_ name: String) throws -> String {
        guard let repositoryScripts else {
            throw BenchmarkError.failed("scripts/\(name) not found (run from the repository root, or set PEER_SCRIPTS_DIR to its scripts folder)")
        }
        setenv("PEERS_DIR", directory, 1)
        return repositoryScripts + "/" + name
    }

    /// scripts/cnn_fashion_ddp.py: images/s of the global batch, 2 gloo ranks × 1 thread (`steps` including the untimed first).
    func measureDDP(steps: Int, batch: Int) throws -> Double {
        let s = try ChildProcess.lastJSONLine(python, [try repositoryScript("cnn_fashion_ddp.py"), "--steps", String(steps), "--batch", String(batch),
                                                      "--threads", "1", "--wait-idle", "4"], directory: directory)
        guard let e = (s["epochs"] as? [[String: Any]])?.first, let ips = number(e["img_per_s_median"]) else {
            throw BenchmarkError.failed("cnn_fashion_ddp.py: no figures in its summary")
        }
        return ips
    }

    /// `vae_faces.py` at one image size and the workload's batch.
    func measureFaces(_ workload: Workload, size: Int, steps: Int, threads: Int) throws -> Measurement {
        let s = try ChildProcess.lastJSONLine(python, [directory + "/vae_faces.py", "--sizes", String(size), "--steps", String(steps),
                                                      "--warmup", String(workload.warmup), "--batch", String(workload.batch),
                                                      "--threads", String(threads), "--wait-idle", "4"], directory: directory)
        guard let b = (s["bench"] as? [[String: Any]])?.first, let ips = number(b["img_per_s_median"]) else {
            throw BenchmarkError.failed("vae_faces.py: no bench figures in its summary")
        }
        return Measurement(imagesPerSecond: ips, peakResidentMiB: number(s["peak_rss_mib"]),
                           stepSeconds: Double(workload.batch) / ips, gflops: nil, otherCores: number(b["other_cores"]), steps: steps)
    }

    func measure(_ workload: Workload, options: BenchmarkOptions) throws -> Measurement {
        let steps = options.quick ? workload.steps.quick : workload.steps.full
        let threads = String(options.threads)
        let wait = ["--wait-idle", "4"]
        func script(_ name: String) -> String { directory + "/" + name }
        switch workload.name {
        case "fashion":
            // The script drops only the first step of an epoch; run warm-up + steps so as many are timed.
            let s = try ChildProcess.lastJSONLine(python, [script("vae_fashion.py"), "--epochs", "1", "--steps", String(steps + workload.warmup),
                                                          "--threads", threads, "--no-eval", "--no-images"] + wait, directory: directory)
            return try epochMeasurement(s, workload)
        case "cnn":
            let s = try ChildProcess.lastJSONLine(python, [script("cnn_fashion.py"), "--epochs", "1", "--steps", String(steps + workload.warmup),
                                                          "--threads", threads, "--no-eval"] + wait, directory: directory)
            return try epochMeasurement(s, workload)
        case let name where name.hasPrefix("faces") && Int(name.dropFirst(5)) != nil:
            return try measureFaces(workload, size: Int(name.dropFirst(5))!, steps: steps, threads: options.threads)
        case "load":
            return try loadMeasurement(loads: steps, warmup: workload.warmup)
        case "transformer":
            // Same architecture and recipe; a random 200k-character text (84 distinct) as its --data.
            let text = try syntheticText()
            let s = try ChildProcess.lastJSONLine(python, [script("charlm_transformer.py"), "--data", text, "--epochs", "1",
                                                          "--steps", String(steps + 1), "--no-eval", "--threads", threads] + wait,
                                                  directory: directory)
            return try epochMeasurement(s, workload)
        case "charlm-lstm":
            // Same model and recipe; the random 200k-character text (84 distinct) as its --data.
            let text = try syntheticText()
            let s = try ChildProcess.lastJSONLine(python, [script("charlm_lstm.py"), "--data", text, "--epochs", "1",
                                                          "--steps", String(steps + workload.warmup), "--no-eval", "--threads", threads] + wait,
                                                  directory: directory)
            return try epochMeasurement(s, workload)
        case "seq-fmnist":
            let s = try ChildProcess.lastJSONLine(python, [script("seq_fmnist_lstm.py"), "--epochs", "1", "--steps", String(steps + workload.warmup),
                                                          "--no-eval", "--threads", threads] + wait, directory: directory)
            return try epochMeasurement(s, workload)
        case "stage2":
            // The same networks, losses and Adam settings on random images and attributes of the same shapes.
            let s = try ChildProcess.lastJSONLine(python, [try repositoryScript("stackgan_stage2.py"), "--epochs", "1",
                                                          "--steps", String(steps + workload.warmup), "--batch", String(workload.batch),
                                                          "--no-eval", "--threads", threads] + wait, directory: directory)
            return try epochMeasurement(s, workload)
        default:
            throw BenchmarkError.failed("no PyTorch baseline for '\(workload.name)'")
        }
    }

    private func epochMeasurement(_ s: [String: Any], _ workload: Workload) throws -> Measurement {
        guard let e = (s["epochs"] as? [[String: Any]])?.first, let ips = number(e["img_per_s_median"]) else {
            throw BenchmarkError.failed("\(s["script"] ?? "peer script"): no epoch figures in its summary")
        }
        return Measurement(imagesPerSecond: ips, peakResidentMiB: number(s["peak_rss_mib"]),
                           stepSeconds: Double(workload.batch) / ips, gflops: nil, otherCores: number(e["other_cores"]),
                           steps: (e["steps"] as? Int ?? 1) - 1)
    }

    /// A random text of 200,000 characters over 84 printable ones, written once to the temp folder.
    private func syntheticText() throws -> String {
        let path = NSTemporaryDirectory() + "illusion-bench-chars.txt"
        if FileManager.default.fileExists(atPath: path) { return path }
        var rng = RandomGenerator(seed: 7)
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:!?'-()[]&\n\"*/_=+<>#%@$^`~{}|")
        let chars = (0..<200_000).map { _ in alphabet[rng.nextInt(below: min(alphabet.count, 84))] }
        try String(chars).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// NumPy's load of the same files (gzip + IDX parse, as `common.read_idx`), timed in-process.
    private func loadMeasurement(loads: Int, warmup: Int) throws -> Measurement {
        let code = """
        import json, os, statistics, sys, time
        sys.path.insert(0, \(pythonString(directory)))
        from common import FMNIST_DIR, CpuMonitor, peak_rss_mib, read_idx
        f = lambda n: os.path.join(FMNIST_DIR, n)
        def load():
            x = read_idx(f("train-images-idx3-ubyte.gz")); y = read_idx(f("train-labels-idx1-ubyte.gz"))
            assert x.shape == (60000, 28, 28) and y.shape == (60000,)
            return x, y
        for _ in range(\(warmup)): load()
        mon = CpuMonitor().start(); times = []
        for _ in range(\(max(loads, 1))):
            t0 = time.perf_counter(); load(); times.append(time.perf_counter() - t0)
        s = statistics.median(times)
        print(json.dumps({"images_per_s": 60000 / s, "step_s": s, "peak_rss_mib": peak_rss_mib(),
                          "other_cores": mon.stop()["other_cores"], "steps": len(times)}))
        """
        let s = try ChildProcess.lastJSONLine(python, ["-c", code], directory: directory)
        guard let m = Measurement(json: s) else { throw BenchmarkError.failed("numpy load: unreadable summary") }
        return m
    }

    private func pythonString(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

func number(_ v: Any?) -> Double? {
    if let d = v as? Double { return d }
    if let i = v as? Int { return Double(i) }
    if let n = v as? NSNumber { return n.doubleValue }
    return nil
}
