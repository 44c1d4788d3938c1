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
        let bin = try XCTUnwrap(url)
        let p = Process()
        p.executableURL = bin
        p.arguments = arguments
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }
}
