import Foundation

/// Batches of cache records read ahead on a background queue (``MappedImageFile/prefetch(images:)``)
/// and waiting for the read that asks for the same records in the same order.
///
/// Memory is bounded whatever the dataset size: at most ``capacity`` staged batches (the oldest
/// is dropped when a new one is asked for) plus at most one spare buffer kept for reuse, each
/// `records · imageBytes` bytes (6.3 MB for 128 RGB images of 128²).
final class RecordStaging: @unchecked Sendable {
    /// Staged batches held at once.
    static let capacity = 2

    private struct Entry {
        let records: [Int]
        /// nil while the background read is still under way.
        var bytes: [UInt8]?
    }

    /// Guards the entries and the spare buffer; signalled when a background read finishes.
    private let lock = NSCondition()
    private var entries: [Entry] = []
    private var spare: [UInt8]?
    private let queue = DispatchQueue(label: "IllusionCraft.RecordStaging", qos: .userInitiated)

    /// Queues a background `read(records, into: buffer)` of `records`, to be taken by ``take(_:)``.
    func stage(_ records: [Int], imageBytes: Int, read: @escaping ([Int], UnsafeMutableRawBufferPointer) -> Bool) {
        lock.lock()
        if entries.count >= Self.capacity { entries.removeFirst() }
        entries.append(Entry(records: records, bytes: nil))
        lock.unlock()
        queue.async { [self] in
            var buffer = takeSpare()
            if buffer.count != records.count * imageBytes { buffer = [UInt8](repeating: 0, count: records.count * imageBytes) }
            let ok = buffer.withUnsafeMutableBytes { read(records, $0) }
            lock.lock()
            if let k = entries.firstIndex(where: { $0.records == records && $0.bytes == nil }) {
                if ok { entries[k].bytes = buffer } else { entries.remove(at: k) }   // a failed read is redone in the caller
            }
            lock.broadcast()
            lock.unlock()
        }
    }

    /// The staged bytes of exactly `records` (`[records.count, imageBytes]`), waiting for their
    /// own background read if it is still under way (not for reads queued after it); nil when
    /// that batch was not staged, was dropped, or its read failed.
    func take(_ records: [Int]) -> [UInt8]? {
        lock.lock()
        defer { lock.unlock() }
        while true {
            guard let k = entries.firstIndex(where: { $0.records == records }) else { return nil }
            if let bytes = entries[k].bytes {
                entries.remove(at: k)
                return bytes
            }
            lock.wait()
        }
    }

    /// Hands a buffer from ``take(_:)`` back for the next background read.
    func recycle(_ buffer: [UInt8]) {
        lock.lock(); spare = buffer; lock.unlock()
    }

    private func takeSpare() -> [UInt8] {
        lock.lock(); defer { lock.unlock() }
        let b = spare ?? []
        spare = nil
        return b
    }

    /// Waits until every background read queued so far has finished.
    func drain() { queue.sync {} }

    /// Bytes held in staged batches and the spare buffer now (bounded by ``capacity`` + 1 batches).
    var heldBytes: Int {
        lock.lock(); defer { lock.unlock() }
        return entries.reduce(spare?.count ?? 0) { $0 + ($1.bytes?.count ?? 0) }
    }
}
