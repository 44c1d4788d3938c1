#if canImport(Glibc)
/// glibc's `int mallopt(int param, int value)` (declared in <malloc.h>, which the Glibc module does not export).
@_silgen_name("mallopt") private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
/// <malloc.h>: M_TRIM_THRESHOLD = -1, M_MMAP_THRESHOLD = -3, M_MMAP_MAX = -4.
private let glibcTrimThreshold: Int32 = -1, glibcMmapThreshold: Int32 = -3, glibcMmapMax: Int32 = -4
#endif

/// glibc's allocator hands large blocks (activations, gradients, column buffers) back to the
/// kernel when they are freed and asks for fresh zeroed pages at the next step: measured on the
/// faces 64×64 VAE, 370 k page faults in 20 steps and ≈ 14 % of the CPU time. Training allocates
/// the same sizes every step, so we keep freed memory in the heap instead: blocks up to glibc's
/// maximum mmap threshold (32 MiB) come from the heap, and the heap top is never trimmed.
/// Larger blocks (the faces VAE's 64 MiB activations at 256×256) would still be mmap'd afresh
/// every step — 7 % of its samples in page faults — so the main heap takes them too (`M_MMAP_MAX`
/// 0; threads' arenas still fall back to mmap when a block does not fit them). Measured at 256×256,
/// 1 thread: CPU per step 2.95–2.98 s → 2.41–2.74 s, peak resident memory 895 → 917 MiB.
/// Peak resident memory is otherwise unchanged (the same blocks are reused); it is not returned to
/// the system until exit. Call once at start-up, before the threads exist.
public enum HeapTuning {
    /// Largest mmap threshold glibc accepts on 64-bit systems (4 MiB · sizeof(long)).
    public static let mmapThreshold: Int32 = 32 << 20

    /// Returns whether the allocator accepted the settings (always false off glibc).
    @discardableResult
    public static func keepFreedMemoryForReuse() -> Bool {
        #if canImport(Glibc)
        let mmapOK = glibcMallopt(glibcMmapThreshold, mmapThreshold) == 1
        let trimOK = glibcMallopt(glibcTrimThreshold, Int32.max) == 1
        let mmapMaxOK = glibcMallopt(glibcMmapMax, 0) == 1
        return mmapOK && trimOK && mmapMaxOK
        #else
        return false
        #endif
    }
}
