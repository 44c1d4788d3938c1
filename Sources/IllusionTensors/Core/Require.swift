/// Checks a condition that a caller of the library can violate (a shape, a size, an index).
///
/// Unlike the standard library's `precondition`, whose message an optimised (`-O`) build drops —
/// a user would see only "precondition failure" and a backtrace — this keeps the message in every
/// build: a violated requirement stops the program with `Fatal error: <message>` on stderr.
/// Errors that come from files or command-line input are thrown instead (see ``TensorError``).
@inlinable @inline(__always)
public func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                    file: StaticString = #fileID, line: UInt = #line) {
    if _slowPath(!condition()) { requirementFailed(message(), file: file, line: line) }
}

/// The cold path of ``require(_:_:file:line:)``: `fatalError` prints its message in every build.
@inline(never) @usableFromInline
func requirementFailed(_ message: String, file: StaticString, line: UInt) -> Never {
    fatalError(message, file: file, line: line)
}
