import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reading whole files into memory with errors that name the file and the cause.
enum FileBytes {
    /// All bytes of the regular file at `path`.
    /// Throws ``DatasetError/missingFile(path:reason:)`` when it does not exist and
    /// ``DatasetError/unreadable(path:reason:)`` when it is a directory or cannot be read.
    static func read(_ path: String) throws -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DatasetError.missingFile(path: path, reason: "no such file")
        }
        if isDirectory.boolValue { throw DatasetError.unreadable(path: path, reason: "is a directory, expected a file") }
        let fd = open(path, O_RDONLY)
        if fd < 0 { throw DatasetError.unreadable(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw DatasetError.unreadable(path: path, reason: String(cString: strerror(errno))) }
        let size = Int(info.st_size)
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        try bytes.withUnsafeMutableBytes { raw in
            while done < size {
                let n = Foundation.read(fd, raw.baseAddress! + done, size - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw DatasetError.unreadable(path: path, reason: String(cString: strerror(errno)))
                }
                if n == 0 { break }
                done += n
            }
        }
        if done < size { bytes.removeLast(size - done) }
        return bytes
    }

    /// The file's bytes, gunzipped when it starts with the gzip magic (`1f 8b`).
    static func readMaybeGzipped(_ path: String) throws -> [UInt8] {
        let bytes = try read(path)
        if GzipInflater.isGzip(bytes) { return try GzipInflater.inflate(bytes, source: path) }
        return bytes
    }

    /// Text content of a file, decoded as UTF-8 (invalid sequences become U+FFFD, never a crash).
    static func readText(_ path: String) throws -> String {
        String(decoding: try read(path), as: UTF8.self)
    }
}
