import Foundation

/// A decoded-image cache file (``DecodedImageCacheFormat``): header and index memory-mapped
/// read-only, pixel records read with `pread`.
///
/// Records are copied from the page cache (`pread`) rather than touched through the map: a read
/// fault on this kernel (6.18, ext4 large folios) maps a whole page-cache folio of up to 2 MB for
/// one 48 KB image, and giving it back (`madvise(MADV_DONTNEED)`) costs a TLB flush per image; a copy
/// maps nothing, so the process's resident size does not grow with the file at all, and the page
/// cache keeps the data for the next epoch. ``prefetch(images:)`` reads the next batch's records
/// on a background queue into a staging buffer (``RecordStaging``), which the read of that batch
/// then takes without waiting (and, for a cache larger than RAM, the disk read happens there).
/// The per-record index stays in the mapped file (no Swift array of it is kept); its pages are
/// released once it has been verified.
public final class MappedImageFile: @unchecked Sendable {
    /// The cache file.
    public let path: String
    /// What the header says (already validated against the file's size).
    public let header: DecodedImageCacheFormat.Header
    private let base: UnsafeRawPointer
    private let length: Int
    private let descriptor: Int32
    private let staging = RecordStaging()

    /// Maps `path` and validates its header and index; a file that is not a complete cache throws
    /// ``DecodedImageCacheFormat/Problem`` (the caller rebuilds it).
    public init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw DecodedImageCacheFormat.Problem.unreadable(path: path, reason: String(cString: strerror(errno)).lowercased()) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let reason = String(cString: strerror(errno)).lowercased()
            close(fd)
            throw DecodedImageCacheFormat.Problem.unreadable(path: path, reason: reason)
        }
        let size = Int(info.st_size)
        guard size >= DecodedImageCacheFormat.headerSize else {
            close(fd)
            throw DecodedImageCacheFormat.Problem.corrupt(path: path, reason: "\(size) bytes, shorter than the \(DecodedImageCacheFormat.headerSize)-byte header")
        }
        guard let mapped = mmap(nil, size, PROT_READ, MAP_SHARED, fd, 0), mapped != MAP_FAILED else {
            let reason = String(cString: strerror(errno)).lowercased()
            close(fd)
            throw DecodedImageCacheFormat.Problem.unreadable(path: path, reason: "mmap failed: " + reason)
        }
        let raw = UnsafeRawPointer(mapped)
        do {
            let header = try DecodedImageCacheFormat.Header.read(UnsafeRawBufferPointer(start: raw, count: DecodedImageCacheFormat.headerSize), path: path)
            guard header.fileSize == size else {
                throw DecodedImageCacheFormat.Problem.corrupt(path: path, reason: "\(size) bytes, the header promises \(header.fileSize) (truncated or overwritten)")
            }
            let index = UnsafeRawBufferPointer(start: raw + header.indexOffset, count: header.count * 4)
            try DecodedImageCacheFormat.verifyChecksum(header: header, index: index, path: path)
            self.header = header
        } catch {
            munmap(mapped, size)
            close(fd)
            throw error
        }
        self.path = path
        self.base = raw
        self.length = size
        self.descriptor = fd
        // The index was read once to verify it: give its pages back (they stay in the page cache).
        madvise(mapped, size, MADV_DONTNEED)
    }

    deinit {   // queued prefetches hold this object, so none is left when it goes
        munmap(UnsafeMutableRawPointer(mutating: base), length)
        close(descriptor)
    }

    /// Bytes per stored image (`channels · height · width`).
    public var imageBytes: Int { header.channels * header.height * header.width }

    /// The source-list position of stored image `k` (read from the mapped index).
    public func sourceIndex(of k: Int) -> Int {
        require(k >= 0 && k < header.count, "MappedImageFile: image \(k) out of 0..<\(header.count)")
        return Int((base + header.indexOffset).loadUnaligned(fromByteOffset: k * 4, as: UInt32.self).littleEndian)
    }

    /// The source-list positions that have no stored image (files `--skip-bad-images` left out),
    /// ascending; one walk over the index (which is strictly increasing), pages released after.
    public func missingSourcePositions() -> [Int] {
        var missing: [Int] = [], next = 0
        for k in 0..<header.count {
            let s = sourceIndex(of: k)
            while next < s { missing.append(next); next += 1 }
            next = s + 1
        }
        while next < header.sourceCount { missing.append(next); next += 1 }
        madvise(UnsafeMutableRawPointer(mutating: base), length, MADV_DONTNEED)
        return missing
    }

    /// Calls `body(b, bytes)` with the `[channels, height, width]` bytes of each `records[b]`, in
    /// order: from the staged batch when ``prefetch(images:)`` was given exactly these records,
    /// else read one by one into a reused buffer. The bytes are valid only inside `body`.
    public func withRecords(_ records: [Int], _ body: (Int, UnsafeBufferPointer<UInt8>) -> Void) {
        let size = imageBytes
        for r in records { require(r >= 0 && r < header.count, "MappedImageFile: image \(r) out of 0..<\(header.count)") }
        if let staged = staging.take(records) {
            staged.withUnsafeBufferPointer { all in
                for b in records.indices { body(b, UnsafeBufferPointer(rebasing: all[b * size ..< (b + 1) * size])) }
            }
            staging.recycle(staged)
            return
        }
        var scratch = [UInt8](repeating: 0, count: size)
        scratch.withUnsafeMutableBytes { buffer in
            let image = UnsafeBufferPointer(buffer.bindMemory(to: UInt8.self))
            for (b, r) in records.enumerated() {
                let ok = read(record: r, into: buffer)
                require(ok, "\(path): cannot read image \(r) of the data cache: " + String(cString: strerror(errno)).lowercased())
                body(b, image)
            }
        }
    }

    /// Starts reading the records `images` into a staging buffer on a background queue (returns at
    /// once); a later ``withRecords(_:_:)`` of the same records in the same order takes them.
    public func prefetch(images: [Int]) {
        let records = images.filter { $0 >= 0 && $0 < header.count }
        guard !records.isEmpty else { return }
        staging.stage(records, imageBytes: imageBytes) { [self] records, buffer in
            let size = imageBytes
            for (b, r) in records.enumerated() {
                guard read(record: r, into: UnsafeMutableRawBufferPointer(rebasing: buffer[b * size ..< (b + 1) * size])) else { return false }
            }
            return true
        }
    }

    /// Waits until every prefetch queued so far has finished (tests, measurements).
    public func drain() { staging.drain() }

    /// Bytes this file holds in memory beyond the map: staged batches and their spare buffer
    /// (at most ``RecordStaging/capacity`` + 1 batches, whatever the number of images).
    public var stagedBytes: Int { staging.heldBytes }

    /// `pread`s record `r` (all of it; short reads are continued, EINTR retried) into `buffer`.
    private func read(record r: Int, into buffer: UnsafeMutableRawBufferPointer) -> Bool {
        let size = imageBytes, offset = header.dataOffset + r * size
        var done = 0
        while done < size {
            let n = pread(descriptor, buffer.baseAddress! + done, size - done, off_t(offset + done))
            if n < 0 { if errno == EINTR { continue }; return false }
            if n == 0 { errno = EIO; return false }
            done += n
        }
        return true
    }
}
