import Foundation

/// Figures about this process and the machine, read from /proc (Linux).
enum ProcessStatistics {
    /// Peak resident set size (VmHWM) of this process in MiB, or nil when /proc is unavailable.
    static func peakResidentMiB() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kib = line.split(separator: " ").compactMap { Double($0) }.first
            return kib.map { $0 / 1024 }
        }
        return nil
    }

    /// CPU seconds used by this process so far (all threads, user + system).
    static func ownCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }

    /// Busy CPU seconds of the whole machine (user + nice + system + irq + softirq from /proc/stat).
    static func machineBusySeconds() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let first = text.split(separator: "\n").first else { return nil }
        let v = first.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard v.count >= 7 else { return nil }
        let hz = Double(sysconf(Int32(_SC_CLK_TCK)))
        return (v[0] + v[1] + v[2] + v[5] + v[6]) / hz
    }

    static var now: Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
}

/// How many cores *other* processes used while a measurement ran (the peers' `other_cores`):
/// machine busy time minus our own CPU time, per wall-clock second.
struct ContentionMonitor {
    let start = ProcessStatistics.now
    let busy0 = ProcessStatistics.machineBusySeconds()
    let own0 = ProcessStatistics.ownCPUSeconds()

    func otherCores() -> Double? {
        guard let b0 = busy0, let b1 = ProcessStatistics.machineBusySeconds() else { return nil }
        let wall = ProcessStatistics.now - start
        guard wall > 0 else { return nil }
        let mine = ProcessStatistics.ownCPUSeconds() - own0
        return max(0, (b1 - b0) - mine) / wall
    }
}

func median(_ values: [Double]) -> Double {
    precondition(!values.isEmpty, "median of no values")
    let s = values.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}
