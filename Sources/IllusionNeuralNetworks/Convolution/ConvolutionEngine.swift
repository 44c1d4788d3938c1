import Foundation

// ComputeThreads (the thread count of these loops) lives in IllusionTensors with ComputeContext.

/// The fast path of ``conv2d`` and ``convTranspose2d``: the batch is cut into chunks of a few
/// samples whose column matrices fit in the core's L2 cache, and the chunks are spread over the
/// cores. Each chunk is im2col → one SGEMM → reorder (+ bias) on data that stays in cache, so the
/// column matrix of the whole batch (hundreds of MB at 256×256) is never written to memory.
///
/// Threading (never two pools at once): when OpenBLAS runs single-threaded (`BLASThreads.set(1)`)
/// the chunks run on `ConvolutionEngine.workers` threads of our own, each calling single-threaded
/// SGEMM; otherwise the chunks run one after another and OpenBLAS threads each SGEMM.
///
/// Backward recomputes each chunk's columns instead of keeping the batch's (cheap, in cache).
/// **The bits do not depend on the thread count** (`--threads 1` and `--threads 2` train the same
/// weights): the chunk size depends only on the batch and the layer (``chunkSamples(batch:floatsPerSample:)``),
/// and the weight gradient is summed in ``accumulators`` fixed groups — group `g` adds chunks
/// g, g+G, g+2G, … in that order, whichever thread runs it, and the G partials are added in group
/// order (``runGrouped(chunks:groups:workers:_:)``). Bitwise results differ from the whole-batch
/// reference (``conv2dWholeBatch``) only by summation order; tests compare the two
/// (ConvChunkedEngineTests) and the thread counts (ConvDeterminismTests).
enum ConvolutionEngine {
    /// Threads for the chunked loops: ``ComputeThreads/count`` when OpenBLAS is single-threaded, else 1.
    static var workers: Int {
        BLASThreads.current == 1 ? max(1, ComputeThreads.count) : 1
    }

    /// Weight-gradient partial sums of a chunked backward: a fixed number, not the thread count,
    /// so that the summation order is the same on any number of threads (up to this many run at once).
    static let accumulators = 4

    /// Samples per chunk: column floats ≈ 512 KB (half the L2) and at least ``accumulators`` chunks
    /// when the batch allows, so every group has work. Depends only on the batch and the layer (not
    /// the thread count: see the type's doc). When OpenBLAS threads the GEMM itself (no threads of
    /// ours), chunks are larger (it wants wide matrices to split) and the bits follow OpenBLAS.
    static func chunkSamples(batch: Int, floatsPerSample: Int) -> Int {
        let openBLASThreaded = BLASThreads.current > 1
        let target = openBLASThreaded ? 1 << 21 : 1 << 17
        let fit = max(1, target / max(floatsPerSample, 1))
        let perGroup = openBLASThreaded ? batch : (batch + accumulators - 1) / accumulators
        return max(1, min(fit, perGroup))
    }

    /// Runs `body(slot, chunk)` for every chunk in `0..<chunks` on up to `workers` threads; each
    /// thread has its own `slot` (for scratch memory) and takes the next chunk when it is free, so a
    /// busy core simply does fewer chunks. Returns the number of slots used.
    @discardableResult
    static func run(chunks: Int, workers: Int, _ body: (_ slot: Int, _ chunk: Int) -> Void) -> Int {
        let slots = max(1, min(workers, chunks))
        if slots == 1 {
            for c in 0..<chunks { body(0, c) }
            return 1
        }
        let lock = NSLock()
        var next = 0
        ParallelLoops.perform(iterations: slots) { slot in
            while true {
                lock.lock()
                let c = next
                next += 1
                lock.unlock()
                if c >= chunks { break }
                body(slot, c)
            }
        }
        return slots
    }

    /// Deterministic for any thread count: the chunks are dealt to `groups` accumulation groups
    /// (group g: chunks g, g+G, g+2G, … in that order) and the groups to up to `workers` threads
    /// (thread s: groups s, s+T, …). `body(slot, group, chunk)` gets the thread's `slot` for scratch
    /// memory and the `group` whose partial sum the chunk adds to — so each partial is the same
    /// sequence of additions whether one thread or G threads run it.
    static func runGrouped(chunks: Int, groups: Int, workers: Int,
                           _ body: (_ slot: Int, _ group: Int, _ chunk: Int) -> Void) {
        let slots = max(1, min(workers, groups))
        func runGroups(of slot: Int) {
            for g in stride(from: slot, to: groups, by: slots) {
                for c in stride(from: g, to: chunks, by: groups) { body(slot, g, c) }
            }
        }
        if slots == 1 { runGroups(of: 0); return }
        ParallelLoops.perform(iterations: slots) { slot in runGroups(of: slot) }
    }
}

/// Scratch memory of one convolution call: `slots` equal regions carved out of one array taken
/// from the layer's ``ColumnWorkspace`` (so steady-state steps do not allocate).
struct ConvolutionScratch {
    var storage: [Float]
    let slotSize: Int

    init(slots: Int, slotSize: Int, workspace: ColumnWorkspace?) {
        self.slotSize = slotSize
        let n = slots * slotSize
        storage = workspace?.take(n) ?? uninitializedFloats(n)
    }

    func release(to workspace: ColumnWorkspace?) { workspace?.give(storage) }
}

// MARK: - Conv2D

/// The column matrices of a whole batch, kept from the forward for the backward's weight gradient
/// (instead of recomputing them there): chunk c's `[K, count·P]` block starts at `c·samplesPerChunk·K·P`.
/// The backward then writes its `Wᵀ·dY` columns over each chunk's block once dW has read it.
final class SavedColumns {
    /// `count` floats, owned (freed with the object; the pointer is stable, threads write disjoint blocks).
    let values: UnsafeMutablePointer<Float>
    let samplesPerChunk: Int
    init(count: Int, samplesPerChunk: Int) {
        values = .allocate(capacity: count); self.samplesPerChunk = samplesPerChunk
    }
    deinit { values.deallocate() }
}

extension ConvolutionEngine {
    /// Column floats of a batch that are kept from forward to backward (32 MiB: glibc's heap serves
    /// blocks up to this size, reused step after step — ``HeapTuning``); larger batches recompute them.
    /// `ILLUSION_CONV_KEEP_COLUMNS_MIB=M` sets the limit in MiB (0: always recompute).
    static let keptColumnsLimit: Int = {
        if let v = ProcessInfo.processInfo.environment["ILLUSION_CONV_KEEP_COLUMNS_MIB"], let mib = Int(v), mib >= 0 {
            return mib << 18
        }
        return 8 << 20
    }()
}

/// Forward of a convolution over the whole batch. x `[N, C, H, W]`, weight `[Cout, C·kh·kw]`,
/// y `[N, Cout, Ho, Wo]` (fully written, bias added). With `keepColumns` the batch's column
/// matrices are returned for the backward when they fit ``ConvolutionEngine/keptColumnsLimit``.
@discardableResult
func conv2dForwardChunked(x: UnsafePointer<Float>, batch n: Int, window win: ConvolutionWindow2D,
                          weight: UnsafePointer<Float>, outChannels cOut: Int, bias: UnsafePointer<Float>?,
                          y: UnsafeMutablePointer<Float>, workspace: ColumnWorkspace?, keepColumns: Bool = false) -> SavedColumns? {
    let k = win.columnRows, p = win.outputPixels
    let pointwise = isPointwise(win)
    let workers = ConvolutionEngine.workers
    let b = ConvolutionEngine.chunkSamples(batch: n, floatsPerSample: k * p)
    let chunks = (n + b - 1) / b
    let saved = keepColumns && !(pointwise && b == 1) && k * n * p <= ConvolutionEngine.keptColumnsLimit
        ? SavedColumns(count: k * n * p, samplesPerChunk: b) : nil
    // slot: col [K, b·P] (unless kept) + yt [Cout, b·P]
    let colSize = (pointwise && b == 1) || saved != nil ? 0 : k * b * p
    let ytSize = b == 1 ? 0 : cOut * b * p
    var scratch = ConvolutionScratch(slots: min(workers, chunks), slotSize: colSize + ytSize, workspace: workspace)
    let slotSize = scratch.slotSize
    let keptBase = saved?.values
    scratch.storage.withUnsafeMutableBufferPointer { sp in
        let base = sp.baseAddress!
        ConvolutionEngine.run(chunks: chunks, workers: workers) { slot, chunk in
            let s0 = chunk * b, count = min(b, n - s0), np = count * p
            let col = keptBase.map { $0 + s0 * k * p } ?? base + slot * slotSize, yt = base + slot * slotSize + colSize
            var colPointer = UnsafePointer(col)
            if pointwise && b == 1 {
                colPointer = x + s0 * win.imageSize
            } else {
                for j in 0..<count { im2col(x + (s0 + j) * win.imageSize, win, into: col + j * p, rowStride: np) }
            }
            if b == 1 {
                // One sample: [Cout, P] is already its NCHW block.
                let out = y + s0 * cOut * p
                sgemm(m: cOut, n: p, k: k, a: weight, lda: k, b: colPointer, ldb: p, c: out, ldc: p)
                if let bias { addRowBias(bias, to: out, rows: cOut, columns: p) }
            } else {
                sgemm(m: cOut, n: np, k: k, a: weight, lda: k, b: colPointer, ldb: np, c: yt, ldc: np)
                for c in 0..<cOut {
                    let v: Float = bias?[c] ?? 0
                    for j in 0..<count {
                        let src = yt + c * np + j * p, dst = y + ((s0 + j) * cOut + c) * p
                        for i in 0..<p { dst[i] = src[i] + v }
                    }
                }
            }
        }
    }
    scratch.release(to: workspace)
    return saved
}

/// Backward of ``conv2dForwardChunked``: dW `[Cout, K]` and db `[Cout]` (returned, to be
/// accumulated) and dx `[N, C, H, W]` (written when `dx` is given). `saved`: the forward's kept
/// column matrices (then not recomputed; overwritten by the `Wᵀ·dY` columns).
func conv2dBackwardChunked(x: UnsafePointer<Float>, batch n: Int, window win: ConvolutionWindow2D,
                           weight: UnsafePointer<Float>, outChannels cOut: Int, gradient g: UnsafePointer<Float>,
                           wantWeight: Bool, wantBias: Bool, dx: UnsafeMutablePointer<Float>?,
                           workspace: ColumnWorkspace?, saved: SavedColumns? = nil) -> (dw: [Float]?, db: [Float]?) {
    let k = win.columnRows, p = win.outputPixels
    let pointwise = isPointwise(win)
    let workers = ConvolutionEngine.workers
    let b = saved?.samplesPerChunk ?? ConvolutionEngine.chunkSamples(batch: n, floatsPerSample: k * p)
    let chunks = (n + b - 1) / b
    let groups = min(ConvolutionEngine.accumulators, chunks)
    let slots = min(workers, groups)
    // per thread: col [K, b·P] (unless saved) + gt [Cout, b·P]; per group: dW [Cout, K] + db [Cout]
    let colSize = saved == nil ? k * b * p : 0, gtSize = b == 1 ? 0 : cOut * b * p
    let dwSize = wantWeight ? cOut * k : 0, dbSize = wantBias ? cOut : 0
    let workSize = colSize + gtSize, accSize = dwSize + dbSize
    var scratch = ConvolutionScratch(slots: 1, slotSize: slots * workSize + groups * accSize, workspace: workspace)
    let keptBase = saved?.values
    scratch.storage.withUnsafeMutableBufferPointer { sp in
        let base = sp.baseAddress!, accumulators = base + slots * workSize
        accumulators.update(repeating: 0, count: groups * accSize)
        ConvolutionEngine.runGrouped(chunks: chunks, groups: groups, workers: slots) { slot, group, chunk in
            let s0 = chunk * b, count = min(b, n - s0), np = count * p
            let col = keptBase.map { $0 + s0 * k * p } ?? base + slot * workSize
            let gt = base + slot * workSize + colSize, dw = accumulators + group * accSize, db = dw + dwSize
            // gChunk: [Cout, count·P]
            var gChunk = g + s0 * cOut * p
            if b > 1 {
                for j in 0..<count {
                    for c in 0..<cOut { (gt + c * np + j * p).update(from: g + ((s0 + j) * cOut + c) * p, count: p) }
                }
                gChunk = UnsafePointer(gt)
            }
            if wantBias {
                for c in 0..<cOut {
                    let row = gChunk + c * np
                    var s: Float = 0
                    for i in 0..<np { s += row[i] }
                    db[c] += s
                }
            }
            if wantWeight {
                var colPointer = UnsafePointer(col)
                if pointwise && b == 1 {
                    colPointer = x + s0 * win.imageSize
                } else if saved == nil {
                    for j in 0..<count { im2col(x + (s0 + j) * win.imageSize, win, into: col + j * p, rowStride: np) }
                }
                sgemm(transB: true, m: cOut, n: k, k: np, a: gChunk, lda: np, b: colPointer, ldb: np, beta: 1, c: dw, ldc: k)
            }
            if let dx {
                let dxChunk = dx + s0 * win.imageSize
                if pointwise && b == 1 {
                    sgemm(transA: true, m: k, n: np, k: cOut, a: weight, lda: k, b: gChunk, ldb: np, c: dxChunk, ldc: np)
                } else {
                    sgemm(transA: true, m: k, n: np, k: cOut, a: weight, lda: k, b: gChunk, ldb: np, c: col, ldc: np)
                    dxChunk.update(repeating: 0, count: count * win.imageSize)
                    for j in 0..<count { col2im(col + j * p, rowStride: np, win, into: dxChunk + j * win.imageSize) }
                }
            }
        }
    }
    var dwOut: [Float]? = nil, dbOut: [Float]? = nil
    scratch.storage.withUnsafeBufferPointer { sp in
        let partials = (0..<groups).map { UnsafePointer(sp.baseAddress! + slots * workSize + $0 * accSize) }
        if wantWeight { dwOut = sumPartials(partials, offset: 0, count: dwSize) }
        if wantBias { dbOut = sumPartials(partials, offset: dwSize, count: dbSize) }
    }
    scratch.release(to: workspace)
    return (dwOut, dbOut)
}

// MARK: - Conv2DTranspose

/// Forward of a transposed convolution. x `[N, Cin, H, W]`, weight `[Cin, Cout·kh·kw]`; `win` is
/// the window of the adjoint Conv2D (image = this op's output `[Cout, Ho, Wo]`, output pixels = H·W).
func convTranspose2dForwardChunked(x: UnsafePointer<Float>, batch n: Int, inChannels cIn: Int, window win: ConvolutionWindow2D,
                                   weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                                   y: UnsafeMutablePointer<Float>, workspace: ColumnWorkspace?) {
    let k = win.columnRows, p = win.outputPixels, cOut = win.channels, outPixels = win.height * win.width
    let workers = ConvolutionEngine.workers
    let b = ConvolutionEngine.chunkSamples(batch: n, floatsPerSample: k * p)
    let chunks = (n + b - 1) / b
    let colSize = k * b * p, xtSize = b == 1 ? 0 : cIn * b * p
    var scratch = ConvolutionScratch(slots: min(workers, chunks), slotSize: colSize + xtSize, workspace: workspace)
    let slotSize = scratch.slotSize
    scratch.storage.withUnsafeMutableBufferPointer { sp in
        let base = sp.baseAddress!
        ConvolutionEngine.run(chunks: chunks, workers: workers) { slot, chunk in
            let s0 = chunk * b, count = min(b, n - s0), np = count * p
            let col = base + slot * slotSize, xt = col + colSize
            let xChunk = transposedChunkInput(x, s0: s0, count: count, channels: cIn, pixels: p, scratch: xt)
            // col: [Cout·kh·kw, count·H·W] = Wᵀ · xt
            sgemm(transA: true, m: k, n: np, k: cIn, a: weight, lda: k, b: xChunk, ldb: np, c: col, ldc: np)
            let yChunk = y + s0 * win.imageSize
            yChunk.update(repeating: 0, count: count * win.imageSize)
            for j in 0..<count {
                let image = yChunk + j * win.imageSize
                col2im(col + j * p, rowStride: np, win, into: image)
                if let bias { addRowBias(bias, to: image, rows: cOut, columns: outPixels) }
            }
        }
    }
    scratch.release(to: workspace)
}

/// Backward of ``convTranspose2dForwardChunked``: dW `[Cin, Cout·kh·kw]`, db `[Cout]` (returned)
/// and dx `[N, Cin, H, W]` (written when given).
func convTranspose2dBackwardChunked(x: UnsafePointer<Float>, batch n: Int, inChannels cIn: Int, window win: ConvolutionWindow2D,
                                    weight: UnsafePointer<Float>, gradient g: UnsafePointer<Float>,
                                    wantWeight: Bool, wantBias: Bool, dx: UnsafeMutablePointer<Float>?,
                                    workspace: ColumnWorkspace?) -> (dw: [Float]?, db: [Float]?) {
    let k = win.columnRows, p = win.outputPixels, cOut = win.channels, outPixels = win.height * win.width
    let workers = ConvolutionEngine.workers
    let b = ConvolutionEngine.chunkSamples(batch: n, floatsPerSample: k * p)
    let chunks = (n + b - 1) / b
    let groups = min(ConvolutionEngine.accumulators, chunks)
    let slots = min(workers, groups)
    // per thread: col_g [Cout·kh·kw, b·H·W] + xt [Cin, b·H·W]; per group: dW [Cin, K] + db [Cout]
    let colSize = k * b * p, xtSize = b == 1 ? 0 : cIn * b * p
    let dwSize = wantWeight ? cIn * k : 0, dbSize = wantBias ? cOut : 0
    let workSize = colSize + xtSize, accSize = dwSize + dbSize
    var scratch = ConvolutionScratch(slots: 1, slotSize: slots * workSize + groups * accSize, workspace: workspace)
    scratch.storage.withUnsafeMutableBufferPointer { sp in
        let base = sp.baseAddress!, accumulators = base + slots * workSize
        accumulators.update(repeating: 0, count: groups * accSize)
        ConvolutionEngine.runGrouped(chunks: chunks, groups: groups, workers: slots) { slot, group, chunk in
            let s0 = chunk * b, count = min(b, n - s0), np = count * p
            let colG = base + slot * workSize, xt = colG + colSize, dw = accumulators + group * accSize, db = dw + dwSize
            let gChunk = g + s0 * win.imageSize
            if wantBias {
                for j in 0..<count {
                    for c in 0..<cOut {
                        let row = gChunk + j * win.imageSize + c * outPixels
                        var s: Float = 0
                        for i in 0..<outPixels { s += row[i] }
                        db[c] += s
                    }
                }
            }
            guard wantWeight || dx != nil else { return }
            // col_g: [Cout·kh·kw, count·H·W] = im2col(dY)
            for j in 0..<count { im2col(gChunk + j * win.imageSize, win, into: colG + j * p, rowStride: np) }
            if wantWeight {
                let xChunk = transposedChunkInput(x, s0: s0, count: count, channels: cIn, pixels: p, scratch: xt)
                sgemm(transB: true, m: cIn, n: k, k: np, a: xChunk, lda: np, b: colG, ldb: np, beta: 1, c: dw, ldc: k)
            }
            if let dx {
                let dxChunk = dx + s0 * cIn * p
                if count == 1 {
                    sgemm(m: cIn, n: p, k: k, a: weight, lda: k, b: colG, ldb: p, c: dxChunk, ldc: p)
                } else {
                    sgemm(m: cIn, n: np, k: k, a: weight, lda: k, b: colG, ldb: np, c: xt, ldc: np)
                    unswapBatchAndChannels(xt, batch: count, channels: cIn, pixels: p, into: dxChunk)
                }
            }
        }
    }
    var dwOut: [Float]? = nil, dbOut: [Float]? = nil
    scratch.storage.withUnsafeBufferPointer { sp in
        let partials = (0..<groups).map { UnsafePointer(sp.baseAddress! + slots * workSize + $0 * accSize) }
        if wantWeight { dwOut = sumPartials(partials, offset: 0, count: dwSize) }
        if wantBias { dbOut = sumPartials(partials, offset: dwSize, count: dbSize) }
    }
    scratch.release(to: workspace)
    return (dwOut, dbOut)
}

// MARK: - helpers

/// A 1×1, stride-1, unpadded, undilated window: the column matrix of one sample is the sample itself.
@inline(__always)
func isPointwise(_ w: ConvolutionWindow2D) -> Bool {
    w.kernelHeight == 1 && w.kernelWidth == 1 && w.strideHeight == 1 && w.strideWidth == 1
        && w.padTop == 0 && w.padLeft == 0 && w.height == w.outputHeight && w.width == w.outputWidth
}

/// Samples `s0 ..< s0+count` of x `[N, C, P]` as one `[C, count·P]` matrix (the sample itself when count is 1).
@inline(__always)
func transposedChunkInput(_ x: UnsafePointer<Float>, s0: Int, count: Int, channels: Int, pixels: Int,
                          scratch: UnsafeMutablePointer<Float>) -> UnsafePointer<Float> {
    if count == 1 { return x + s0 * channels * pixels }
    swapBatchAndChannels(x + s0 * channels * pixels, batch: count, channels: channels, pixels: pixels, into: scratch)
    return UnsafePointer(scratch)
}

/// m[r, :] += bias[r] for a row-major `[rows, columns]` block.
@inline(__always)
func addRowBias(_ bias: UnsafePointer<Float>, to m: UnsafeMutablePointer<Float>, rows: Int, columns: Int) {
    for r in 0..<rows {
        let row = m + r * columns, v = bias[r]
        for i in 0..<columns { row[i] += v }
    }
}

/// Σ of equally laid-out partial results (one per thread).
func sumPartials(_ partials: [UnsafePointer<Float>], offset: Int, count: Int) -> [Float] {
    var out = [Float](repeating: 0, count: count)
    out.withUnsafeMutableBufferPointer { o in
        for p in partials {
            let src = p + offset
            for i in 0..<count { o[i] += src[i] }
        }
    }
    return out
}
