import Foundation

/// Which `illusion` wrote a file: the version (this one constant, also behind `illusion --version`)
/// and, when the source checkout it was built from is still there, that checkout's git commit.
public enum BuildInfo {
    /// The release version of the library and CLI.
    public static let version = "0.1.0"

    /// The short commit of the git checkout this binary was compiled from, read when first asked
    /// (so: the checkout's commit at run time), with `-dirty` when tracked files differ from it; nil
    /// when the checkout or `git` is not available. Reports omit it then.
    public static let sourceCommit: String? = readSourceCommit()

    /// The package root at compile time: this file is Sources/IllusionModels/Runs/BuildInfo.swift.
    static var sourceRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    static func readSourceCommit() -> String? {
        let root = sourceRoot
        guard FileManager.default.fileExists(atPath: root.appendingPathComponent(".git").path),
              let commit = git(["rev-parse", "--short=12", "HEAD"], in: root), !commit.isEmpty else { return nil }
        let changes = git(["status", "--porcelain", "--untracked-files=no"], in: root) ?? ""
        return changes.isEmpty ? commit : commit + "-dirty"
    }

    static func git(_ arguments: [String], in directory: URL) -> String? {
        let candidates = ["/usr/bin/git", "/usr/local/bin/git", "/bin/git"]
        guard let executable = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-C", directory.path] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
