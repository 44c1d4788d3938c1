import Foundation

/// A list of file paths kept compactly: every path's UTF-8 bytes back to back in one buffer and
/// the end offset of each (≈ path length + 4 bytes a file, two allocations in all), instead of one
/// heap `String` per file (≈ 100 bytes each, scattered through the heap so that freeing them does not
/// give the memory back). An image folder of 100,000 files lists into ~6 MB this way.
/// `self[i]` makes the `String` of one path when it is needed.
struct PathList {
    private var utf8: [UInt8] = []
    /// `ends[i]`: the offset in `utf8` just past path `i`.
    private var ends: [UInt32] = []

    init() {}

    init(_ paths: [String]) { for p in paths { append(p) } }

    var count: Int { ends.count }
    /// Bytes of all paths together.
    var byteCount: Int { utf8.count }

    /// Makes room for `count` more paths of `bytes` bytes in all (no regrowth while listing).
    mutating func reserve(count: Int, bytes: Int) {
        ends.reserveCapacity(ends.count + count)
        utf8.reserveCapacity(utf8.count + bytes)
    }
    var isEmpty: Bool { ends.isEmpty }

    mutating func append(_ path: String) {
        utf8.append(contentsOf: path.utf8)
        require(utf8.count <= Int(UInt32.max), "PathList: more than 4 GB of path names")
        ends.append(UInt32(utf8.count))
    }

    private func range(_ i: Int) -> Range<Int> {
        require(i >= 0 && i < count, "PathList: path \(i) out of 0..<\(count)")
        return (i == 0 ? 0 : Int(ends[i - 1]))..<Int(ends[i])
    }

    /// Path `i`.
    subscript(i: Int) -> String { String(decoding: utf8[range(i)], as: UTF8.self) }

    /// Paths `range` as strings (one decoding chunk at a time).
    func strings(_ range: Range<Int>) -> [String] { range.map { self[$0] } }

    /// The paths `i` for which `keep(i)` holds, in order.
    func filter(_ keep: (Int) -> Bool) -> PathList {
        var out = PathList()
        out.reserve(count: count, bytes: utf8.count)
        for i in 0..<count where keep(i) {
            out.utf8.append(contentsOf: utf8[range(i)])
            out.ends.append(UInt32(out.utf8.count))
        }
        return out
    }

    /// The first `n` paths.
    func prefix(_ n: Int) -> PathList { n >= count ? self : filter { $0 < n } }

    /// The order that sorts the paths as `String`s sort them (byte order for ASCII, which is the same;
    /// `String` comparison otherwise).
    func sortedOrder() -> [Int] {
        utf8.withUnsafeBufferPointer { bytes in
            func less(_ a: Int, _ b: Int) -> Bool {
                let ra = range(a), rb = range(b)
                let pa = UnsafeBufferPointer(rebasing: bytes[ra]), pb = UnsafeBufferPointer(rebasing: bytes[rb])
                if pa.allSatisfy({ $0 < 0x80 }) && pb.allSatisfy({ $0 < 0x80 }) {
                    let n = min(pa.count, pb.count)
                    let c = n == 0 ? 0 : memcmp(pa.baseAddress!, pb.baseAddress!, n)
                    return c != 0 ? c < 0 : pa.count < pb.count
                }
                return String(decoding: pa, as: UTF8.self) < String(decoding: pb, as: UTF8.self)
            }
            return (0..<count).sorted(by: less)
        }
    }
}
