import Foundation

/// Writing files with POSIX calls so that failures read as one plain line
/// ("no space left on device writing runs/x/model.safetensors") and data can be forced to disk.
public enum DurableFile {
    /// Writes `bytes` to a new file at `path` (replacing one that exists), then `fsync`s it when
    /// `sync` is set. Throws ``FileWriteError`` naming the path and the system's reason.
    public static func write(_ bytes: [UInt8], to path: String, sync: Bool) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileWriteError(path: path, errno: errno) }
        var written = 0
        if let code = WriteFaultInjection.nextWriteFails() {
            // As a disk filling up mid-file: half the bytes land, then the write fails.
            _ = bytes.withUnsafeBytes { raw in Glibc.write(fd, raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, bytes.count / 2) }
            close(fd); throw FileWriteError(path: path, errno: code)
        }
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { raw in Glibc.write(fd, raw.baseAddress! + written, bytes.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                let e = errno; close(fd); throw FileWriteError(path: path, errno: e)
            }
            written += n
        }
        if sync && fsync(fd) != 0 { let e = errno; close(fd); throw FileWriteError(path: path, errno: e) }
        if close(fd) != 0 { throw FileWriteError(path: path, errno: errno) }
    }

    /// `fsync` of a directory, so that the names created or renamed in it survive a crash.
    public static func syncDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw FileWriteError(path: path, errno: errno) }
        defer { close(fd) }
        if fsync(fd) != 0 && errno != EINVAL { throw FileWriteError(path: path, errno: errno) }
    }

    /// Renames `from` to `to` (atomic within one file system).
    public static func rename(_ from: String, to: String) throws {
        if Glibc.rename(from, to) != 0 { throw FileWriteError(path: to, errno: errno) }
    }
}

/// A failed write, said as one line: "no space left on device writing PATH".
public struct FileWriteError: Error, CustomStringConvertible, Equatable {
    /// The file that could not be written.
    public let path: String
    /// The `errno` value of the failing call (e.g. `ENOSPC`).
    public let code: Int32
    /// The error for `path` from the `errno` just set by a failing POSIX call.
    public init(path: String, errno code: Int32) { self.path = path; self.code = code }
    /// `strerror(code)` in lower case, e.g. "no space left on device".
    public var reason: String { String(cString: strerror(code)).lowercased() }
    public var description: String { "\(reason) writing \(path)" }
}

/// Test hook for full-disk faults: counts ``DurableFile/write(_:to:sync:)`` calls and makes the
/// N-th fail with `errno` (ENOSPC by default) after half its bytes. Off unless armed.
public enum WriteFaultInjection {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var countdown: Int?
    nonisolated(unsafe) private static var code: Int32 = ENOSPC
    nonisolated(unsafe) private static var seen = 0

    /// Makes the `n`-th write from now (1 = the next) fail with `errno`.
    public static func failWrite(_ n: Int, errno: Int32 = ENOSPC) {
        lock.lock(); countdown = n; code = errno; seen = 0; lock.unlock()
    }
    /// Disarms the hook; returns how many writes were seen since it was armed or last reset.
    @discardableResult public static func reset() -> Int {
        lock.lock(); defer { lock.unlock() }
        let n = seen; countdown = nil; seen = 0; return n
    }
    /// Writes seen since the last arm/reset (counted only while counting is on).
    public static func startCounting() { lock.lock(); countdown = Int.max; seen = 0; lock.unlock() }

    static func nextWriteFails() -> Int32? {
        lock.lock(); defer { lock.unlock() }
        guard let c = countdown else { return nil }
        seen += 1
        if c == seen { countdown = nil; return code }
        return nil
    }
}
