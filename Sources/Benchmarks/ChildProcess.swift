import Foundation

/// Runs a command in a fresh process (so each measurement has its own peak RSS) and returns the
/// JSON object printed as its last stdout line. The child's stderr passes through to ours.
enum ChildProcess {
    static func lastJSONLine(_ executable: String, _ arguments: [String], directory: String? = nil) throws -> [String: Any] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.standardError
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        let command = ([executable] + arguments).joined(separator: " ")
        guard process.terminationStatus == 0 else {
            throw BenchmarkError.failed("`\(command)` exited with status \(process.terminationStatus)")
        }
        guard let last = text.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
              let object = try? JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any] else {
            throw BenchmarkError.failed("`\(command)` printed no JSON summary")
        }
        return object
    }

    /// True when `executable args` exits with status 0 (output discarded).
    static func succeeds(_ executable: String, _ arguments: [String]) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    /// This executable's own path (for re-launching itself as a child).
    static var selfExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// Resolves a command name through PATH (absolute paths are returned as they are).
    static func which(_ name: String) -> String? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let p = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }
}

/// Our side of a workload: `Benchmarks --workload NAME --child` in a fresh process.
enum OurSide {
    static func measure(_ name: String, options: BenchmarkOptions, extra: [String] = []) throws -> [String: Any] {
        var args = ["--workload", name, "--child", "--threads", String(options.threads)] + extra
        if options.quick { args.append("--quick") }
        return try ChildProcess.lastJSONLine(ChildProcess.selfExecutable, args)
    }
}
