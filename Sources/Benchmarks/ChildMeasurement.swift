import Foundation
import IllusionModels

/// What one child process measured (ours or PyTorch's), for one workload.
struct Measurement {
    var imagesPerSecond: Double
    var peakResidentMiB: Double?
    /// Median seconds per step (per load for `load`).
    var stepSeconds: Double
    var gflops: Double?
    var otherCores: Double?
    var steps: Int
    /// CPU seconds (all threads) per step: the work itself, less sensitive to a busy machine than wall time.
    var cpuStepSeconds: Double? = nil

    var json: [String: Any] {
        ["images_per_s": imagesPerSecond, "peak_rss_mib": peakResidentMiB as Any? ?? NSNull(),
         "step_s": stepSeconds, "gflops": gflops as Any? ?? NSNull(), "other_cores": otherCores as Any? ?? NSNull(),
         "steps": steps, "cpu_step_s": cpuStepSeconds as Any? ?? NSNull()]
    }

    init(imagesPerSecond: Double, peakResidentMiB: Double?, stepSeconds: Double, gflops: Double?, otherCores: Double?, steps: Int) {
        self.imagesPerSecond = imagesPerSecond; self.peakResidentMiB = peakResidentMiB; self.stepSeconds = stepSeconds
        self.gflops = gflops; self.otherCores = otherCores; self.steps = steps
    }

    init?(json: [String: Any]) {
        guard let ips = json["images_per_s"] as? Double, let s = json["step_s"] as? Double else { return nil }
        imagesPerSecond = ips; stepSeconds = s
        peakResidentMiB = json["peak_rss_mib"] as? Double
        gflops = json["gflops"] as? Double
        otherCores = json["other_cores"] as? Double
        steps = json["steps"] as? Int ?? 0
        cpuStepSeconds = json["cpu_step_s"] as? Double
    }
}

/// Runs inside `Benchmarks --workload NAME --child`: measures one workload in this fresh process
/// and prints its ``Measurement`` as one JSON line on stdout.
enum ChildMeasurement {
    static func run(_ options: BenchmarkOptions) throws {
        guard let name = options.workload else { throw BenchmarkError.usage("--child needs --workload NAME") }
        ThreadSettings.apply(options.threads)
        let result: [String: Any]
        if name == "layers" {
            let (rows, peak) = LayerBenchmarks.run(quick: options.quick, threads: options.threads)
            result = ["layers": rows, "fma_peak_gflops": peak]
        } else {
            var found = Workload.named(name)
            if options.batch != nil || options.imageSize != nil {
                guard name.hasPrefix("faces") else { throw BenchmarkError.usage("--batch/--image-size apply to the faces workloads only") }
                found = Workload.faces(size: options.imageSize ?? 64, batch: options.batch ?? 32)
            }
            guard let workload = found else { throw BenchmarkError.usage("unknown workload '\(name)'") }
            let steps = options.steps ?? (options.quick ? workload.steps.quick : workload.steps.full)
            let warmup = options.warmup ?? workload.warmup
            let m = workload.isLoad ? try measureLoad(workload, loads: steps, warmup: warmup)
                                    : try measureTraining(workload, steps: steps, warmup: warmup)
            result = m.json
        }
        let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
        print(String(data: data, encoding: .utf8)!)
    }

    static func measureTraining(_ workload: Workload, steps: Int, warmup: Int) throws -> Measurement {
        let setup = try TrainingSetups.make(workload)
        for _ in 0..<warmup {
            let v = setup.step()
            guard v.isFinite else { throw BenchmarkError.failed("\(workload.name): loss is \(v) during warm-up") }
        }
        let monitor = ContentionMonitor()
        let cpu0 = ProcessStatistics.ownCPUSeconds()
        var times: [Double] = []
        for _ in 0..<max(steps, 1) {
            let t0 = ProcessStatistics.now
            let v = setup.step()
            times.append(ProcessStatistics.now - t0)
            guard v.isFinite else { throw BenchmarkError.failed("\(workload.name): loss is \(v)") }
        }
        let cpu = (ProcessStatistics.ownCPUSeconds() - cpu0) / Double(times.count)
        let stepSeconds = median(times)
        var m = Measurement(imagesPerSecond: Double(workload.batch) / stepSeconds,
                            peakResidentMiB: ProcessStatistics.peakResidentMiB(), stepSeconds: stepSeconds,
                            gflops: setup.flops.total / stepSeconds / 1e9, otherCores: monitor.otherCores(), steps: times.count)
        m.cpuStepSeconds = cpu
        return m
    }

    /// `FashionMNIST.load(.train)`: gunzip + IDX parse of 60,000 images and labels.
    static func measureLoad(_ workload: Workload, loads: Int, warmup: Int) throws -> Measurement {
        for _ in 0..<warmup { _ = try FashionMNIST.load(.train) }
        let monitor = ContentionMonitor()
        var times: [Double] = []
        var count = 0
        for _ in 0..<max(loads, 1) {
            let t0 = ProcessStatistics.now
            let d = try FashionMNIST.load(.train)
            times.append(ProcessStatistics.now - t0)
            count = d.count
        }
        let s = median(times)
        return Measurement(imagesPerSecond: Double(count) / s, peakResidentMiB: ProcessStatistics.peakResidentMiB(),
                           stepSeconds: s, gflops: nil, otherCores: monitor.otherCores(), steps: times.count)
    }
}

/// The one threading knob: `n` threads of the library's own (convolution chunks, dense GEMMs) with
/// OpenBLAS single-threaded inside them (``ComputeThreads/configure(_:)``); `IC_BLAS_THREADS=1`
/// instead leaves the threads to OpenBLAS (for comparison).
enum ThreadSettings {
    static func apply(_ threads: Int) {
        HeapTuning.keepFreedMemoryForReuse()   // as the CLI does
        if ProcessInfo.processInfo.environment["IC_BLAS_THREADS"] == "1" {
            BLASThreads.set(threads)
        } else {
            ComputeThreads.configure(threads)
        }
    }
}
