import XCTest
import Foundation

/// The `illusion` executable built beside the test bundle (`.build*/<config>/`), found from the test
/// executable's own path (Linux) or the .xctest bundle (macOS), and a way to run it. Shared by the
/// test targets that run the CLI (target IllusionTestSupport).
public enum IllusionExecutable {
    public static var url: URL? {
        var folders = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()]
        if let bundle = Bundle.allBundles.first(where: { $0.bundlePath.hasSuffix(".xctest") }) {
            folders.append(bundle.bundleURL.deletingLastPathComponent())
        }
        return folders.map { $0.appendingPathComponent("illusion") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// Runs the executable to completion; its exit status, stdout and stderr.
    public static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try runProcess(XCTUnwrap(url), arguments)
    }
}

/// Runs `executable arguments…` to completion (in `environment` when given, else the test's own);
/// its exit status, stdout and stderr. Both pipes are drained before waiting, so a chatty child
/// cannot block on a full pipe.
public func runProcess(_ executable: URL, _ arguments: [String], environment: [String: String]? = nil) throws
    -> (status: Int32, stdout: String, stderr: String) {
    let p = Process()
    p.executableURL = executable
    p.arguments = arguments
    if let environment { p.environment = environment }
    let out = Pipe(), err = Pipe()
    p.standardOutput = out; p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}
