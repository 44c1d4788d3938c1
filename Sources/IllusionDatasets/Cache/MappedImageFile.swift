import Foundation

/// A decoded-image cache file (``DecodedImageCacheFormat``) mapped read-only into memory.
///
/// The pixel records are read straight from the map, so the OS pages them in on demand and may
/// drop them again under memory pressure. To keep the process's resident size bounded however
/// large the file is, every read is followed by a release of the pages it may have mapped
/// (`madvise(MADV_DONTNEED)` over the image's bytes rounded out to the 2 MB block of one page table:
/// a read fault maps the cached pages around it, a whole large folio of the page cache at a time
/// on recent kernels, but never beyond that block; released pages stay in
/// the page cache, so touching them again is a cheap minor fault). ``prefetch(images:)`` asks the
/// kernel, from a background queue, to read the next batch's pages into the page cache
/// (`MADV_WILLNEED`) while the current step computes, without mapping them into the process.
public final class MappedImageFile: @unchecked Sendable {
    /// The cache file.
    public let path: String
    /// What the header says (already validated against the file's size).
    public let header: DecodedImageCacheFormat.Header
    /// `[header.count]`: the source-list position of each stored image (skipped files leave gaps).
    public let sourceIndices: [Int]
    private let base: UnsafeRawPointer
    private let length: Int
    private let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
    private let queue = DispatchQueue(label: "IllusionCraft.MappedImageFile.prefetch", qos: .userInitiated)

    /// Maps `path` and validates its header and index; a file that is not a complete cache throws
    /// ``DecodedImageCacheFormat/Problem`` (the caller rebuilds it).
    public init(path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw DecodedImageCacheFormat.Problem.unreadable(path: path, reason: String(cString: strerror(errno)).lowercased()) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw DecodedImageCacheFormat.Problem.unreadable(path: path, reason: String(cString: strerror(errno)).lowercased()) }
        let size = Int(info.st_size)
        guard size >= DecodedImageCacheFormat.headerSize else {
            throw DecodedImageCacheFormat.Problem.corrupt(path: path, reason: "\(size) bytes, shorter than the \(DecodedImageCacheFormat.headerSize)-byte header")
        }
        guard let mapped = mmap(nil, size, PROT_READ, MAP_SHARED, fd, 0), mapped != MAP_FAILED else {
            throw DecodedImageCacheFormat.Problem.unreadable(path: path, reason: "mmap failed: " + String(cString: strerror(errno)).lowercased())
        }
        let raw = UnsafeRawPointer(mapped)
        do {
            let header = try DecodedImageCacheFormat.Header.read(UnsafeRawBufferPointer(start: raw, count: DecodedImageCacheFormat.headerSize), path: path)
            guard header.fileSize == size else {
                throw DecodedImageCacheFormat.Problem.corrupt(path: path, reason: "\(size) bytes, the header promises \(header.fileSize) (truncated or overwritten)")
            }
            let index = UnsafeRawBufferPointer(start: raw + header.indexOffset, count: header.count * 4)
            try DecodedImageCacheFormat.verifyChecksum(header: header, index: index, path: path)
            self.sourceIndices = (0..<header.count).map { Int(index.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self).littleEndian) }
            self.header = header
        } catch {
            munmap(mapped, size)
            throw error
        }
        self.path = path
        self.base = raw
        self.length = size
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: base), length) }

    /// Bytes per stored image (`channels · height · width`).
    public var imageBytes: Int { header.channels * header.height * header.width }

    /// The `[channels, height, width]` bytes of stored image `i` (valid while this object lives).
    public func bytes(ofImage i: Int) -> UnsafeBufferPointer<UInt8> {
        require(i >= 0 && i < header.count, "MappedImageFile: image \(i) out of 0..<\(header.count)")
        return UnsafeBufferPointer(start: (base + header.dataOffset + i * imageBytes).assumingMemoryBound(to: UInt8.self), count: imageBytes)
    }

    /// Starts reading the pages of `images` into the page cache (`MADV_WILLNEED`, issued on the
    /// background queue; returns at once).
    public func prefetch(images: [Int]) {
        queue.async { [self] in
            for r in pageRanges(images) { madvise(UnsafeMutableRawPointer(mutating: base + r.lowerBound), r.count, MADV_WILLNEED) }
        }
    }

    /// Drops the pages of `images` from this process (they stay in the page cache); synchronous,
    /// so the resident size is bounded by what the caller holds, however fast it reads.
    public func release(images: [Int]) {
        for r in pageRanges(images, alignment: Self.faultAroundBytes) {
            madvise(UnsafeMutableRawPointer(mutating: base + r.lowerBound), r.count, MADV_DONTNEED)
        }
    }

    /// Waits until every prefetch queued so far has been issued (tests, measurements).
    public func drain() { queue.sync {} }

    /// What one read fault may map around the page touched: at most the 2 MB-aligned block of
    /// virtual addresses one page table covers (fault-around is 64 KB by default, but a large
    /// page-cache folio is mapped whole on recent kernels).
    static let faultAroundBytes = 1 << 21

    /// Byte ranges (offsets within the map) covering `images`, their virtual addresses rounded out
    /// to `alignment` (a page by default), merged where they touch.
    func pageRanges(_ images: [Int], alignment: Int = 0) -> [Range<Int>] {
        let size = imageBytes, start = header.dataOffset, align = max(pageSize, alignment)
        let address = Int(bitPattern: base)
        var ranges = images.filter { $0 >= 0 && $0 < header.count }.sorted().map { i -> Range<Int> in
            let lo = max(0, (address + start + i * size) / align * align - address)
            let hi = min(length, (address + start + (i + 1) * size + align - 1) / align * align - address)
            return lo..<hi
        }
        guard !ranges.isEmpty else { return [] }
        var merged = [ranges.removeFirst()]
        for r in ranges {
            if r.lowerBound <= merged[merged.count - 1].upperBound {
                merged[merged.count - 1] = merged[merged.count - 1].lowerBound..<max(r.upperBound, merged[merged.count - 1].upperBound)
            } else { merged.append(r) }
        }
        return merged
    }
}
