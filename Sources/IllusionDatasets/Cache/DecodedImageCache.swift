import Foundation
import IllusionImaging

/// Decodes a list of image files once into a cache file (``DecodedImageCacheFormat``) and opens it,
/// so data larger than memory can be trained on: the pixels live on disk (and in the page cache)
/// and batches read the records they need (see ``MappedImageFile``).
///
/// The file is named after what is loaded (`<name>-<hash of source directory and options>.cache`
/// in the cache directory) and holds a ``SourceFingerprint`` of the source files; a later load
/// with the same fingerprint maps it at once, a changed source or a damaged file is said in one
/// line and the cache rebuilt. Building decodes in chunks of ``chunkSize`` images on every core,
/// writes to a temporary file, `fsync`s it and renames it into place, so a crash never leaves a
/// half-written cache under the real name; memory stays at one chunk whatever the file count.
enum DecodedImageCache {
    static let chunkSize = 512

    /// The cached images of `paths` (each prepared to `channels`×`height`×`width`) and which
    /// positions of `paths` they are (all of them unless `skipUndecodable` left some out).
    static func load(paths: PathList, name: String, key: [String], fingerprint: SourceFingerprint,
                     channels: Int, height: Int, width: Int, directory: String, threads: Int, skipUndecodable: Bool,
                     prepare: @escaping (PixelImage, String) throws -> PixelImage) throws -> MappedImageFile {
        let file = (directory as NSString).appendingPathComponent(
            "\(name)-\(SHA256.hexDigest(Array(key.joined(separator: "\n").utf8)).prefix(16)).cache")
        let digest = fingerprint.digest
        if FileManager.default.fileExists(atPath: file) {
            do {
                let mapped = try MappedImageFile(path: file)
                guard mapped.header.fingerprint == digest, mapped.header.sourceCount == paths.count,
                      mapped.header.channels == channels, mapped.header.height == height, mapped.header.width == width else {
                    throw DecodedImageCacheFormat.Problem.stale(path: file)
                }
                logLine("data cache: using \(file) (\(mapped.header.count) images of \(width)×\(height)×\(channels))")
                return mapped
            } catch let problem as DecodedImageCacheFormat.Problem {
                logLine("warning: \(problem); rebuilding it")
            }
        }
        try build(paths: paths, into: file, fingerprint: digest, channels: channels, height: height, width: width,
                  threads: threads, skipUndecodable: skipUndecodable, prepare: prepare)
        do { return try MappedImageFile(path: file) } catch let problem as DecodedImageCacheFormat.Problem {
            throw DatasetError.unreadable(path: file, reason: "the data cache just written does not read back: \(problem)")
        }
    }

    /// Decodes `paths` chunk by chunk into `file` (temporary name, fsync, rename, fsync of the folder).
    static func build(paths: PathList, into file: String, fingerprint: [UInt8], channels: Int, height: Int, width: Int,
                      threads: Int, skipUndecodable: Bool, prepare: @escaping (PixelImage, String) throws -> PixelImage) throws {
        let directory = (file as NSString).deletingLastPathComponent
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw DatasetError.unreadable(path: directory, reason: "cannot create the data cache folder (\(error.localizedDescription))")
        }
        let temporary = (directory as NSString).appendingPathComponent(".incoming-\(getpid())-" + (file as NSString).lastPathComponent)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw FileWriteError(path: temporary, errno: errno) }
        var closed = false
        defer { if !closed { close(fd) } }
        do {
            let imageBytes = channels * height * width
            logLine("data cache: decoding \(paths.count) images into \(file) (\(megabytes(paths.count * imageBytes)) MB, once)")
            try writeAll(fd, [UInt8](repeating: 0, count: DecodedImageCacheFormat.headerSize), path: temporary)
            var kept: [UInt32] = []
            kept.reserveCapacity(paths.count)
            var nextReport = max(1, paths.count / 10), start = 0
            let began = Date()
            while start < paths.count {
                let chunk = paths.strings(start..<min(paths.count, start + chunkSize))
                let (bytes, skipped) = try ParallelImageDecoder.decode(paths: chunk, channels: channels, height: height, width: width,
                                                                       threads: threads, skipUndecodable: skipUndecodable, prepare: prepare)
                let skip = Set(skipped)
                for k in chunk.indices where !skip.contains(k) { kept.append(UInt32(start + k)) }
                try writeAll(fd, bytes, path: temporary)
                start += chunk.count
                if start >= nextReport || start == paths.count {
                    logLine("data cache: \(start)/\(paths.count) images decoded (\(100 * start / paths.count) %, \(String(format: "%.0f", Date().timeIntervalSince(began))) s)")
                    nextReport = start + max(1, paths.count / 10)
                }
            }
            var index = [UInt8](); index.reserveCapacity(kept.count * 4)
            for k in kept { withUnsafeBytes(of: k.littleEndian) { index += $0 } }
            try writeAll(fd, index, path: temporary)
            var header = DecodedImageCacheFormat.Header(channels: channels, height: height, width: width, count: kept.count,
                                                        sourceCount: paths.count, fingerprint: fingerprint)
            header.checksum = index.withUnsafeBytes { DecodedImageCacheFormat.checksum(header: header, index: $0) }
            let headerBytes = header.bytes()
            let written = headerBytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
            guard written == headerBytes.count else { throw FileWriteError(path: temporary, errno: written < 0 ? errno : EIO) }
            guard fsync(fd) == 0 else { throw FileWriteError(path: temporary, errno: errno) }
            closed = true
            guard close(fd) == 0 else { throw FileWriteError(path: temporary, errno: errno) }
            try DurableFile.rename(temporary, to: file)
            try DurableFile.syncDirectory(directory)
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// `write` until every byte is out (a short write is retried; a failure names the file).
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
        try bytes.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = write(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 { if errno == EINTR { continue }; throw FileWriteError(path: path, errno: errno) }
                done += n
            }
        }
    }

    static func megabytes(_ bytes: Int) -> String { String(format: "%.0f", Double(bytes) / 1_000_000) }
}

extension DecodedImageCache {
    /// The pixels of `paths` under `policy`: decoded into memory, or through the cache when the
    /// policy names a directory for this size. `undecodable` lists the positions of `paths` left
    /// out (only with `skipUndecodable`); the pixels hold the others, in order. `key` says what is
    /// loaded (source directory, options), `sideFiles` are fingerprinted besides `paths`.
    static func pixels(paths: PathList, policy: DataCachePolicy, name: String, key: [String], sideFiles: [String] = [],
                       channels: Int, size: Int, threads: Int, skipUndecodable: Bool,
                       prepare: @escaping (PixelImage, String) throws -> PixelImage) throws -> (pixels: ImagePixels, undecodable: [Int]) {
        guard let directory = policy.directory(forDecodedBytes: paths.count * channels * size * size) else {
            let (bytes, skipped) = try ParallelImageDecoder.decode(paths: paths.strings(0..<paths.count), channels: channels, height: size, width: size,
                                                                   threads: threads, skipUndecodable: skipUndecodable, prepare: prepare)
            return (.memory(bytes), skipped)
        }
        var fingerprint = SourceFingerprint(options: key)
        for f in sideFiles { fingerprint.add(file: f) }
        for i in 0..<paths.count { fingerprint.add(file: paths[i]) }
        let file = try load(paths: paths, name: name, key: key, fingerprint: fingerprint, channels: channels, height: size,
                            width: size, directory: directory, threads: threads, skipUndecodable: skipUndecodable, prepare: prepare)
        return (.mapped(file, rows: Array(0..<file.header.count)), file.missingSourcePositions())
    }

    /// The absolute, standardized form of a directory path (part of a cache's key).
    static func absolute(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }
}
