import Foundation

/// Gives the heap's free pages back to the system (glibc `malloc_trim(0)`, looked up at run time;
/// nothing where it does not exist). glibc keeps memory freed in the middle of its heap resident,
/// so a loader's transient lists (100,000 file names while listing a folder) would otherwise stay
/// in the process's resident size for the whole training.
enum HeapTrim {
    private typealias Trim = @convention(c) (Int) -> Int32
    private static let trim: Trim? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim")
        .map { unsafeBitCast($0, to: Trim.self) }

    static func releaseFreedPages() { _ = trim?(0) }
}
