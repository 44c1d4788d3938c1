import Foundation

/// The one error type of the `Datasets` module. Every case names the file (or directory)
/// involved and says what is wrong with it, so the message can be shown to a user as is.
public enum DatasetError: Error, CustomStringConvertible, Equatable {
    /// A file or directory that should exist does not (or cannot be opened).
    case missingFile(path: String, reason: String)
    /// A file exists but could not be read.
    case unreadable(path: String, reason: String)
    /// A gzip stream ended before its end-of-stream marker.
    case truncatedGzip(path: String)
    /// A gzip stream is corrupt (bad header, bad deflate data or CRC mismatch).
    case corruptGzip(path: String, reason: String)
    /// A file's content does not follow its format (IDX header, text annotation line, …).
    case malformed(path: String, reason: String)
    /// Two files that must describe the same items disagree (image and label counts, …).
    case inconsistent(path: String, reason: String)
    /// A file that is not a decodable image where an image was expected.
    case notAnImage(path: String, reason: String)
    /// An attribute name that the dataset does not have; lists the valid names.
    case unknownAttribute(name: String, validNames: [String])
    /// A parameter value that cannot work (batch size 0, empty split, …).
    case invalidArgument(String)

    public var description: String {
        switch self {
        case let .missingFile(path, reason): return "\(path): missing — \(reason)"
        case let .unreadable(path, reason): return "\(path): cannot be read — \(reason)"
        case let .truncatedGzip(path): return "\(path): truncated gzip stream (the file ends before the compressed data does)"
        case let .corruptGzip(path, reason): return "\(path): corrupt gzip stream — \(reason)"
        case let .malformed(path, reason): return "\(path): malformed — \(reason)"
        case let .inconsistent(path, reason): return "\(path): inconsistent — \(reason)"
        case let .notAnImage(path, reason): return "\(path): not a PNG or JPEG image — \(reason)"
        case let .unknownAttribute(name, valid):
            return "unknown attribute '\(name)'; valid attributes are: \(valid.joined(separator: ", "))"
        case let .invalidArgument(message): return "invalid argument: \(message)"
        }
    }
}

extension DatasetError: LocalizedError {
    public var errorDescription: String? { description }
}
