import Foundation

/// Where the library's messages go. Library code never writes to stderr (or stdout) itself: it
/// calls ``logLine(_:)`` (epoch summaries, warnings, "wrote …") or ``Log/progress(_:)`` (live
/// progress text), and both go to ``Log/sink``, which by default discards them. An application
/// installs a destination once at start-up — the `illusion` CLI calls ``Log/installStandardError()``;
/// a program can collect the messages, prefix them, or forward them to `apple/swift-log`:
///
///     Log.sink = { message in logger.info("\(message.text)") }
///
/// One closure instead of a swift-log dependency: every user of the library would otherwise carry
/// that package, and the messages are few, human-readable lines with no levels or metadata to route.
public enum Log {
    /// One message: a complete `line` (no trailing newline), or `progress` text that may start with
    /// a carriage return and end without a newline (a live bar rewritten in place on a terminal).
    public struct Message: Sendable {
        /// Whether ``text`` is a whole line or a progress update.
        public enum Kind: Sendable {
            /// A complete line: print it followed by a newline.
            case line
            /// A progress bar update: print it as is (it may begin with `\r` to overwrite the last one).
            case progress
        }
        /// Which of the two ``text`` is (a sink writing to a file may drop `progress`).
        public let kind: Kind
        /// The message, without a trailing newline for lines.
        public let text: String
    }

    /// The destination of every message; set it before starting work (it is read from the calling thread).
    nonisolated(unsafe) public static var sink: (Message) -> Void = { _ in }

    /// True when progress may be drawn as a live bar (the sink is a terminal); set by ``installStandardError()``.
    nonisolated(unsafe) public static var progressIsLive = false

    /// Sends messages to stderr: lines with a newline, progress text as it is.
    public static func installStandardError() {
        progressIsLive = isatty(2) == 1
        sink = { message in
            let text = message.kind == .line ? message.text + "\n" : message.text
            FileHandle.standardError.write(Data(text.utf8))
        }
    }

    /// Sends progress text (see ``Message/Kind/progress``).
    public static func progress(_ text: String) { sink(Message(kind: .progress, text: text)) }
}

/// Logs one line through ``Log/sink`` (the CLI writes it to stderr; logs never go to stdout,
/// which is reserved for `--json`).
public func logLine(_ text: String) {
    Log.sink(Log.Message(kind: .line, text: text))
}
