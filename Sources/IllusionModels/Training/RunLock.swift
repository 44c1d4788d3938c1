import Foundation

/// `.lock` in a run folder: holds the PID of the process training into it, so a second training
/// into the same folder is refused instead of interleaving metrics.jsonl and checkpoints.
/// A lock whose process no longer exists (killed with -9, machine restarted) is stale and replaced.
public final class RunLock {
    public let path: String
    private var held = false

    /// Takes the lock of `run` or throws, naming the process that holds it.
    public init(run: RunFolder) throws {
        path = run.file(".lock")
        for _ in 0..<2 {
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if fd >= 0 {
                let text = Array("\(getpid())\n".utf8)
                _ = text.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
                close(fd)
                held = true
                return
            }
            guard errno == EEXIST else { throw FileWriteError(path: path, errno: errno) }
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))
                .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            if let holder, holder != getpid(), kill(holder, 0) == 0 || errno == EPERM {
                throw ModelError.invalidRun("\(run.path): another training (PID \(holder)) is writing to this run folder; wait for it or stop it (its lock: \(path))")
            }
            unlink(path)  // stale: the process that wrote it is gone
        }
        throw ModelError.invalidRun("\(run.path): could not take the lock \(path)")
    }

    /// Gives the lock up (also on deinit).
    public func release() {
        if held { unlink(path); held = false }
    }

    deinit { release() }
}
