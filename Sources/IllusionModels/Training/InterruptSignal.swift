import Foundation

/// SIGINT (Ctrl-C) and SIGTERM during training: the first asks the trainer to finish the current
/// step, commit a checkpoint and stop (``TrainingInterrupted``, exit code 130); a second one exits
/// at once. Installed by ``Trainer/fit()`` for the duration of training only.
public enum InterruptSignal {
    /// Signals received since ``install()`` (written by the handler, read by the training loop).
    nonisolated(unsafe) static var count: Int32 = 0
    nonisolated(unsafe) static var installed = false

    /// True once an interrupt asked training to stop.
    public static var requested: Bool { count > 0 }

    /// Installs the handlers (idempotent) and clears any earlier request.
    public static func install() {
        count = 0
        guard !installed else { return }
        installed = true
        let handler: @convention(c) (Int32) -> Void = { _ in
            InterruptSignal.count += 1
            if InterruptSignal.count >= 2 {
                let text = "\ninterrupted again: exiting without a checkpoint\n"
                _ = text.withCString { write(2, $0, strlen($0)) }
                _exit(130)
            }
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
    }

    /// Restores the default handlers.
    public static func uninstall() {
        guard installed else { return }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
        installed = false
        count = 0
    }

    /// For tests: behave as if a signal had arrived.
    public static func simulate() { count += 1 }
}

/// Training stopped on request after committing a checkpoint; the CLI exits with code 130.
public struct TrainingInterrupted: Error, CustomStringConvertible {
    public let epoch: Int, step: Int, run: String
    public var description: String {
        "interrupted at epoch \(epoch), step \(step); resume with --resume (illusion train … --out \(run) --resume)"
    }
}
