import Foundation
import IllusionImaging

/// Decodes many image files on all cores into one preallocated NCHW byte buffer.
///
/// Work is split over `threads` workers with `DispatchQueue.concurrentPerform` (each worker
/// decodes its own files with its own TurboJPEG/libpng handle); each worker writes only the
/// slots of its own files, so the output needs no locking. The first error stops the others
/// and is rethrown as a ``DatasetError`` naming the file.
enum ParallelImageDecoder {
    /// `prepare` turns a decoded image into exactly `width`×`height` with `channels` channels
    /// (crop, resize); it runs on worker threads. Returns `[paths.count, channels, height, width]` bytes.
    static func decode(paths: [String], channels: Int, height: Int, width: Int,
                       threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                       prepare: @escaping (PixelImage, String) throws -> PixelImage) throws -> [UInt8] {
        try decode(paths: paths, channels: channels, height: height, width: width, threads: threads,
                   skipUndecodable: false, prepare: prepare).bytes
    }

    /// As above; with `skipUndecodable` a file that is not a decodable image (truncated, corrupt,
    /// over the pixel limit) is left out instead of failing the load: the bytes hold only the kept
    /// images, in order, and `skipped` lists the indices (into `paths`) left out.
    static func decode(paths: [String], channels: Int, height: Int, width: Int, threads: Int, skipUndecodable: Bool,
                       prepare: @escaping (PixelImage, String) throws -> PixelImage) throws -> (bytes: [UInt8], skipped: [Int]) {
        let plane = height * width, size = channels * plane
        var output = [UInt8](repeating: 0, count: paths.count * size)
        let failure = FirstFailure(), skips = SkippedIndices()
        let workers = max(1, min(threads, paths.count))
        output.withUnsafeMutableBufferPointer { out in
            let base = out.baseAddress
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                var i = worker
                while i < paths.count, !failure.isSet {
                    do {
                        let image = try prepare(try decodeFile(paths[i], channels: channels), paths[i])
                        guard image.width == width, image.height == height, image.channels == channels else {
                            throw DatasetError.invalidArgument("\(paths[i]): prepared image is \(image.width)×\(image.height)×\(image.channels), expected \(width)×\(height)×\(channels)")
                        }
                        // HWC interleaved → CHW planar.
                        image.pixels.withUnsafeBufferPointer { px in
                            let dst = base! + i * size
                            for p in 0..<plane {
                                for c in 0..<channels { dst[c * plane + p] = px[p * channels + c] }
                            }
                        }
                    } catch DatasetError.notAnImage(_, _) where skipUndecodable {
                        skips.add(i)
                    } catch {
                        failure.record(error)
                    }
                    i += workers
                }
            }
        }
        if let error = failure.error { throw error }
        let skipped = skips.sorted
        guard !skipped.isEmpty else { return (output, []) }
        var kept = [UInt8](), skip = Set(skipped)
        kept.reserveCapacity((paths.count - skipped.count) * size)
        for i in 0..<paths.count where !skip.contains(i) { kept.append(contentsOf: output[(i * size)..<((i + 1) * size)]) }
        skip.removeAll()
        return (kept, skipped)
    }

    /// Reads and decodes one PNG/JPEG file as `channels` (1 or 3) channels.
    static func decodeFile(_ path: String, channels: Int) throws -> PixelImage {
        let bytes = try FileBytes.read(path)
        do {
            return try PixelImage(encoded: bytes, source: path, channels: channels)
        } catch let error as ImagingError {
            throw DatasetError.notAnImage(path: path, reason: imagingReason(error))
        }
    }

    /// The reason part of an Imaging error (without the path, which our message already names).
    static func imagingReason(_ error: ImagingError) -> String {
        switch error {
        case let .decodeFailed(format, _, reason): return "\(format) decoding failed: \(reason)"
        case let .unsupportedFormat(_, reason): return reason
        case let .fileAccess(_, reason): return reason
        default: return error.description
        }
    }
}

/// Holds the first error raised by any worker thread.
final class FirstFailure: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Error?
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return stored != nil }
    var error: Error? { lock.lock(); defer { lock.unlock() }; return stored }
    func record(_ error: Error) {
        lock.lock(); defer { lock.unlock() }
        if stored == nil { stored = error }
    }
}

/// Indices of files skipped by worker threads.
final class SkippedIndices: @unchecked Sendable {
    private let lock = NSLock()
    private var indices: [Int] = []
    func add(_ i: Int) { lock.lock(); indices.append(i); lock.unlock() }
    var sorted: [Int] { lock.lock(); defer { lock.unlock() }; return indices.sorted() }
}
