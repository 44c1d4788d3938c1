/// Errors thrown by the Imaging module. Every message names the file (or buffer source) and the problem.
public enum ImagingError: Error, CustomStringConvertible, Equatable {
    /// A buffer or file could not be decoded (`source` is a path or a description such as "memory buffer").
    case decodeFailed(format: String, source: String, reason: String)
    /// An image could not be encoded.
    case encodeFailed(format: String, reason: String)
    /// The bytes are not a format this module reads.
    case unsupportedFormat(source: String, reason: String)
    /// Reading or writing a file failed.
    case fileAccess(path: String, reason: String)
    /// A caller-supplied argument (size, shape, crop rectangle, …) is invalid.
    case invalidArgument(String)

    public var description: String {
        switch self {
        case let .decodeFailed(format, source, reason):
            return "\(format) decode of '\(source)' failed: \(reason)"
        case let .encodeFailed(format, reason):
            return "\(format) encode failed: \(reason)"
        case let .unsupportedFormat(source, reason):
            return "unsupported image format in '\(source)': \(reason)"
        case let .fileAccess(path, reason):
            return "file '\(path)': \(reason)"
        case let .invalidArgument(message):
            return "invalid argument: \(message)"
        }
    }
}
