import Foundation

/// Writes whole files atomically: the bytes go to a temporary file in the same directory
/// (`.<name>.tmp-<pid>-<random>`), which is then renamed over the destination. Readers see
/// either the old file or the complete new one, never a partial write.
public enum AtomicFileWriter {
    /// Writes `bytes` to `path` atomically; throws ``ImagingError/fileAccess(path:reason:)`` on failure
    /// and leaves no temporary file behind.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(
            ".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        do {
            try Data(bytes).write(to: temporary)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw ImagingError.fileAccess(path: path, reason: "could not write temporary file: \(error.localizedDescription)")
        }
        if rename(temporary.path, url.path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw ImagingError.fileAccess(path: path, reason: "could not rename temporary file into place: \(reason)")
        }
    }

    /// Writes UTF-8 text atomically.
    public static func write(_ text: String, to path: String) throws {
        try write(Array(text.utf8), to: path)
    }
}
