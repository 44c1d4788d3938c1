import Foundation

/// One layer-direction of a recurrent network over a whole sequence, as ONE tape op: the forward
/// pass through time and back-propagation through time (BPTT) beside it.
///
/// Shapes: x `[N, T, I]` (batch first), h0 / c0 `[N, H]`, weightIH `[G·H, I]`, weightHH `[G·H, H]`,
/// biases `[G·H]` (PyTorch layouts, gate order in ``RecurrentKind``). Result: one packed tensor
/// `[N, T + S, H]` — rows 0..<T are the outputs h_t, row T the final h, row T + 1 (LSTM) the final c;
/// callers slice it (``RecurrentLayer`` does). With `reverse`, time is processed from T − 1 down to 0
/// (the backward direction of a bidirectional layer); outputs stay at their own time index.
///
/// `lengths` (one per sequence, 1…T): steps t ≥ lengths[n] leave sequence n's state unchanged and
/// output 0 (as PyTorch's packed sequences), so padding never leaks into the final state.
///
/// Cost: the input projection of all N·T steps is one GEMM `[N·T, I]·[I, G·H]` (with b_ih, and
/// b_hh too for the RNN and LSTM); each step accumulates `[N, H]·[H, G·H]` onto its rows of it, and
/// the LSTM's gate loops run at the CPU's vector width (``VectorLSTMRows``). The per-step products go through
/// our own micro-kernel on W_hh packed once per pass (``PackedMatrix``: once for h·W_hhᵀ forward,
/// once for dG·W_hh backward), not OpenBLAS, which re-packs all of W_hh on every call; so do the
/// all-steps input projection X·W_ihᵀ and dX = dG·W_ih when their inner dimension is thin
/// (``recurrentThinInner``: W_ih packed once each way), else OpenBLAS. Backward: one such product
/// per step for dh_{t−1}, then dX over all steps, and the weight gradients (OpenBLAS): for the LSTM
/// and the RNNs, whose gate gradient dG is the same for the input and the hidden product (stored once), ONE GEMM `dGᵀ·[X | H_prev | 1]` gives dW_ih, dW_hh and the
/// bias gradient together (OpenBLAS packs dG once); for the GRU, dW_ih and dW_hh as two GEMMs and
/// the biases as column sums. Memory kept for backward: the gate activations (in place of the
/// projection), the states and, for the LSTM, tanh(c_t).
///
/// Threads: sequences are independent, so the batch is cut into up to ``ComputeThreads/count``
/// contiguous parts of at least ``recurrentRowsPerPart`` sequences, each running the whole
/// recurrence (and its BPTT) on a thread of its own with its own rows of the per-step products.
/// On our kernel (thin inner dimensions) each part projects its own rows and computes their dX;
/// otherwise those rows run before / after the parts as one ``rowSplitSGEMM`` (split at multiples
/// of ``RowSplit/rowAlignment`` rows over our threads when OpenBLAS is single-threaded, one GEMM that OpenBLAS splits when
/// it is threaded: ``ComputeContext/gemmBound(_:)``), because OpenBLAS's bits for a row can depend
/// on the rows of the call (AMD Zen 3, OpenBLAS 0.3.21: parts of N·T/parts rows changed them with
/// the part count). OpenBLAS never runs inside our threads unless it is single-threaded
/// (``ComputeContext/layers(_:)``, the recurrent models' context). The weight gradients run after
/// the parts, split at multiples of ``RowSplit/rowAlignment`` gate rows over our threads with OpenBLAS single-threaded in
/// both contexts (a threaded OpenBLAS's own split of them changed their bits on that CPU). So
/// under ``ComputeContext/layers(_:)`` every result is the same bits at any thread count and part
/// count, and under ``ComputeContext/gemmBound(_:)`` too while I and G·H are at most
/// ``recurrentThinInner`` (RecurrentKernelTests); a wider projection on a threaded OpenBLAS may
/// round differently.
public func recurrentSequence(kind: RecurrentKind, _ x: Tensor, h0: Tensor, c0: Tensor?,
                              weightIH: Tensor, weightHH: Tensor, biasIH: Tensor, biasHH: Tensor,
                              lengths: [Int]? = nil, reverse: Bool = false) -> Tensor {
    let n = x.rank == 3 ? x.shape[0] : 0
    let parts = Swift.max(1, Swift.min(ComputeThreads.count, n / recurrentRowsPerPart))
    return recurrentSequence(kind: kind, x, h0: h0, c0: c0, weightIH: weightIH, weightHH: weightHH, biasIH: biasIH,
                             biasHH: biasHH, lengths: lengths, reverse: reverse, parts: parts)
}

/// The fewest sequences a thread of ``recurrentSequence`` works on (fewer make its products too thin).
let recurrentRowsPerPart = 16

/// ``recurrentSequence`` with the batch cut into `parts` (≥ 1, ≤ N) parts run concurrently.
func recurrentSequence(kind: RecurrentKind, _ x: Tensor, h0: Tensor, c0: Tensor?,
                       weightIH: Tensor, weightHH: Tensor, biasIH: Tensor, biasHH: Tensor,
                       lengths: [Int]?, reverse: Bool, parts requestedParts: Int) -> Tensor {
    require(x.rank == 3, "recurrentSequence: input must be [N, T, I], got \(x.shape)")
    let n = x.shape[0], steps = x.shape[1], inSize = x.shape[2]
    let h = weightHH.shape.count == 2 ? weightHH.shape[1] : 0
    let gh = kind.gateCount * h
    require(h > 0 && weightHH.shape == [gh, h], "recurrentSequence: weight_hh \(weightHH.shape) is not [\(kind.gateCount)·H, H]")
    require(weightIH.shape == [gh, inSize], "recurrentSequence: weight_ih \(weightIH.shape) does not fit input \(x.shape) (expected [\(gh), \(inSize)])")
    require(biasIH.shape == [gh] && biasHH.shape == [gh], "recurrentSequence: biases \(biasIH.shape), \(biasHH.shape) are not [\(gh)]")
    require(h0.shape == [n, h], "recurrentSequence: h0 \(h0.shape) is not [\(n), \(h)]")
    require(kind.hasCellState == (c0 != nil), "recurrentSequence: \(kind.displayName) \(kind.hasCellState ? "needs" : "takes no") cell state")
    if let c0 { require(c0.shape == [n, h], "recurrentSequence: c0 \(c0.shape) is not [\(n), \(h)]") }
    let length = lengths ?? [Int](repeating: steps, count: n)
    require(length.count == n && length.allSatisfy { $0 >= 1 && $0 <= steps },
            "recurrentSequence: lengths \(length) must be \(n) values in 1…\(steps)")
    let parts = Swift.max(1, Swift.min(requestedParts, n))
    let padded = length.contains { $0 < steps }
    let extra = kind.hasCellState ? 2 : 1, rowsOut = steps + extra
    let timeOf: (Int) -> Int = { reverse ? steps - 1 - $0 : $0 }
    let isGRU = kind == .gru
    /// Rows b0..<b1 of part p.
    let rowsOf: (Int) -> Range<Int> = { p in p * n / parts ..< (p + 1) * n / parts }

    // xw[(n·T + t)·GH + ·]: W_ih x_{n,t} + b_ih (+ b_hh — the LSTM adds both in its gate row instead —
    // and + W_hh h_{t−1} once step t has run, except
    // for the GRU whose hidden part stays apart in hw); the gate loops overwrite it with the activations.
    var xw = [Float](unsafeUninitializedCapacity: n * steps * gh) { _, count in count = n * steps * gh }
    // States by processing step k: hs[k] is the state before step k (hs[0] = h0), time-major [T + 1, N, H].
    var hs = [Float](unsafeUninitializedCapacity: (steps + 1) * n * h) { _, count in count = (steps + 1) * n * h }
    // Every row of cs past c0, of tanhCs and (without padding) of packed is written before it is read.
    let csCount = kind.hasCellState ? (steps + 1) * n * h : 0, tanhCount = kind.hasCellState ? steps * n * h : 0
    var cs = [Float](unsafeUninitializedCapacity: csCount) { b, count in
        if csCount > 0 { b.baseAddress!.initialize(repeating: 0, count: n * h) }
        count = csCount
    }
    var tanhCs = [Float](unsafeUninitializedCapacity: tanhCount) { _, count in count = tanhCount }
    var hnStore = [Float](repeating: 0, count: isGRU ? steps * n * h : 0)
    var packed = padded ? [Float](repeating: 0, count: n * rowsOut * h)
                        : [Float](unsafeUninitializedCapacity: n * rowsOut * h) { _, count in count = n * rowsOut * h }
    var hw = [Float](repeating: 0, count: isGRU ? n * gh : 0)
    let firstBias: [Float] = isGRU ? biasIH.storage : zip(biasIH.storage, biasHH.storage).map { $0 + $1 }
    h0.storage.withUnsafeBufferPointer { s in hs.withUnsafeMutableBufferPointer { d in d.baseAddress!.update(from: s.baseAddress!, count: n * h) } }
    if let c0 { for i in 0..<(n * h) { cs[i] = c0.storage[i] } }
    /// A zero initial state (the default) adds nothing at the first step: that product is skipped.
    let zeroStart = h0.storage.allSatisfy { $0 == 0 }

    xw.withUnsafeMutableBufferPointer { xwb in hs.withUnsafeMutableBufferPointer { hsb in cs.withUnsafeMutableBufferPointer { csb in
    tanhCs.withUnsafeMutableBufferPointer { tcb in hnStore.withUnsafeMutableBufferPointer { hnb in
    packed.withUnsafeMutableBufferPointer { pb in hw.withUnsafeMutableBufferPointer { hwb in
    weightHH.storage.withUnsafeBufferPointer { whh in biasHH.storage.withUnsafeBufferPointer { bhh in
    weightIH.storage.withUnsafeBufferPointer { wih in x.storage.withUnsafeBufferPointer { xb in
    firstBias.withUnsafeBufferPointer { fb in
        let xwp = xwb.baseAddress!, hsp = hsb.baseAddress!, out = pb.baseAddress!
        let csp = csb.baseAddress, tcp = tcb.baseAddress, hnp = hnb.baseAddress, hwp = hwb.baseAddress
        // B = W_hhᵀ [H, G·H], packed once for every step's h_{t−1}·W_hhᵀ.
        let packedHH = PackedMatrix(k: h, n: gh, b: whh.baseAddress!, strideK: 1, strideN: h)
        // B = W_ihᵀ [I, G·H] for the input projection of all N·T rows on our kernel when I is thin
        // (``recurrentThinInner``), else OpenBLAS.
        let packedIH = inSize <= recurrentThinInner ? PackedMatrix(k: inSize, n: gh, b: wih.baseAddress!, strideK: 1, strideN: inSize) : nil
        /// The input projection of the xw rows `rows` (row b·T + t is sequence b's step t); `split`: over
        /// our threads (all rows at once), else on this thread. The LSTM's rows get their biases in its
        /// gate row (``VectorLSTMRows``), not a copy into every row before the product.
        let biasInRow = kind == .lstm
        func project(_ rows: Range<Int>, split: Bool) {
            guard !rows.isEmpty else { return }
            if !biasInRow {
                for r in rows { (xwp + r * gh).update(from: fb.baseAddress!, count: gh) }
            }
            let a = xb.baseAddress! + rows.lowerBound * inSize, c = xwp + rows.lowerBound * gh
            if let packedIH {
                let multiply = { (r: Range<Int>) in
                    packedIH.multiply(m: r.count, a: a + r.lowerBound * inSize, lda: inSize, c: c + r.lowerBound * gh, ldc: gh,
                                      accumulate: !biasInRow)
                }
                if split { splitRows(rows.count, multiply) } else { multiply(0..<rows.count) }
            } else if split {
                rowSplitSGEMM(transB: true, m: rows.count, n: gh, k: inSize, a: a, lda: inSize, b: wih.baseAddress!, ldb: inSize,
                              beta: biasInRow ? 0 : 1, c: c, ldc: gh)
            } else {
                sgemm(transB: true, m: rows.count, n: gh, k: inSize, a: a, lda: inSize, b: wih.baseAddress!, ldb: inSize,
                      beta: biasInRow ? 0 : 1, c: c, ldc: gh)
            }
        }
        // Each part projects its own rows on our kernel; with one part, or on OpenBLAS, all rows at
        // once before the parts (``rowSplitSGEMM``'s aligned split): OpenBLAS's bits for a row
        // can depend on the rows of the call (AMD Zen 3, OpenBLAS 0.3.21), so parts of N·T/parts rows
        // would change them with the part count.
        let projectInParts = parts > 1 && packedIH != nil
        if !projectInParts { project(0..<(n * steps), split: true) }
        func runPart(_ p: Int) {
            let rows = rowsOf(p), b0 = rows.lowerBound, m = rows.count
            guard m > 0 else { return }
            if projectInParts { project((b0 * steps)..<(rows.upperBound * steps), split: false) }
            for k in 0..<steps {
                let t = timeOf(k)
                let hPrev = hsp + k * n * h, hNext = hsp + (k + 1) * n * h
                if isGRU {
                    for b in rows { (hwp! + b * gh).update(from: bhh.baseAddress!, count: gh) }
                    if !(k == 0 && zeroStart) {
                        packedHH.multiply(m: m, a: hPrev + b0 * h, lda: h, c: hwp! + b0 * gh, ldc: gh, accumulate: true)
                    }
                } else if !(k == 0 && zeroStart) {
                    packedHH.multiply(m: m, a: hPrev + b0 * h, lda: h, c: xwp + (b0 * steps + t) * gh, ldc: steps * gh, accumulate: true)
                }
                for b in rows {
                    let hp = hPrev + b * h, hn = hNext + b * h
                    let o = out + (b * rowsOut + t) * h
                    guard t < length[b] else {
                        hn.update(from: hp, count: h)
                        if kind.hasCellState {
                            let cp = csp! + k * n * h + b * h
                            (cp + n * h).update(from: cp, count: h)
                        }
                        continue  // output stays 0
                    }
                    let xr = xwp + (b * steps + t) * gh
                    switch kind {
                    case .rnnTanh:
                        tanhRow(xr, into: hn, and: o, count: h)
                    case .rnnReLU:
                        for j in 0..<h { let v = Swift.max(xr[j], 0); hn[j] = v; o[j] = v }
                    case .lstm:
                        let cp = csp! + k * n * h + b * h
                        VectorLSTMRows.forward(gates: xr, bias: fb.baseAddress!, cPrev: cp, cNext: cp + n * h, tanhC: tcp! + (k * n + b) * h,
                                               hNext: hn, out: o, h: h)
                    case .gru:
                        let hr = hwp! + b * gh
                        let hnS = hnp! + (k * n + b) * h
                        for j in 0..<h {
                            let r = branchFreeSigmoid(xr[j] + hr[j]), z = branchFreeSigmoid(xr[h + j] + hr[h + j])
                            let hnv = hr[2 * h + j]
                            let nv = branchFreeTanh(xr[2 * h + j] + r * hnv)
                            let v = (1 - z) * nv + z * hp[j]
                            xr[j] = r; xr[h + j] = z; xr[2 * h + j] = nv; hnS[j] = hnv
                            hn[j] = v; o[j] = v
                        }
                    }
                }
            }
            // Final states into rows T (h) and T + 1 (c).
            for b in rows {
                (out + (b * rowsOut + steps) * h).update(from: hsp + steps * n * h + b * h, count: h)
                if kind.hasCellState {
                    (out + (b * rowsOut + steps + 1) * h).update(from: csp! + steps * n * h + b * h, count: h)
                }
            }
        }
        if parts == 1 { runPart(0) } else { ParallelLoops.perform(iterations: parts) { runPart($0) } }
    } } } } } } } } } } } }

    var inputs = [x, h0]
    if let c0 { inputs.append(c0) }
    inputs += [weightIH, weightHH, biasIH, biasHH]
    return Tensor.result("\(kind.rawValue)_sequence", shape: [n, rowsOut, h], storage: packed, inputs: inputs) { _, g in
        // Pre-activation gradients dG, batch-major like xw in dxw (rows of padded steps must read 0;
        // without padding every row is written). The LSTM and the RNNs have ONE dG for both products
        // (the gradient at W_ih x + b_ih is that at W_hh h + b_hh): the per-step products read it
        // strided from dxw and one GEMM gives dW_ih, dW_hh and the bias gradient. The GRU's hidden
        // part differs (r ⊙ dn): its dG_hh goes to dhw, by processing step like hs.
        let sharedGradient = !isGRU
        let dhwCount = sharedGradient ? 0 : steps * n * gh
        var dxw = padded ? [Float](repeating: 0, count: n * steps * gh)
                         : [Float](unsafeUninitializedCapacity: n * steps * gh) { _, count in count = n * steps * gh }
        var dhw = padded ? [Float](repeating: 0, count: dhwCount)
                         : [Float](unsafeUninitializedCapacity: dhwCount) { _, count in count = dhwCount }
        // Shared dG: row (b, t) = [x_{b,t} | h_{t−1} | 1], so that dGᵀ·rows = [dW_ih | dW_hh | db].
        let wantWeights = sharedGradient && (weightIH.isOnTape || weightHH.isOnTape || biasIH.isOnTape || biasHH.isOnTape)
        let rowWidth = inSize + h + 1, rowsInCount = wantWeights ? n * steps * rowWidth : 0
        var rowsIn = [Float](unsafeUninitializedCapacity: rowsInCount) { _, count in count = rowsInCount }
        var dh = [Float](repeating: 0, count: n * h), dc = [Float](repeating: 0, count: n * h)
        var dhPrev = [Float](repeating: 0, count: n * h)
        for b in 0..<n {
            for j in 0..<h {
                dh[b * h + j] = g[(b * rowsOut + steps) * h + j]
                if kind.hasCellState { dc[b * h + j] = g[(b * rowsOut + steps + 1) * h + j] }
            }
        }
        let wantX = x.isOnTape
        var dx = [Float](repeating: 0, count: wantX ? n * steps * inSize : 0)
        dxw.withUnsafeMutableBufferPointer { dxwb in dhw.withUnsafeMutableBufferPointer { dhwb in
        dh.withUnsafeMutableBufferPointer { dhb in dc.withUnsafeMutableBufferPointer { dcb in
        dhPrev.withUnsafeMutableBufferPointer { dpb in dx.withUnsafeMutableBufferPointer { dxb in
        hs.withUnsafeBufferPointer { hsb in cs.withUnsafeBufferPointer { csb in tanhCs.withUnsafeBufferPointer { tcb in
        xw.withUnsafeBufferPointer { ab in hnStore.withUnsafeBufferPointer { hnb in
        g.withUnsafeBufferPointer { gb in weightHH.storage.withUnsafeBufferPointer { whh in
        weightIH.storage.withUnsafeBufferPointer { wih in rowsIn.withUnsafeMutableBufferPointer { rib in
        x.storage.withUnsafeBufferPointer { xb in
            let dhp = dhb.baseAddress!, dcp = dcb.baseAddress!, hsp = hsb.baseAddress!, gp = gb.baseAddress!
            let acts = ab.baseAddress!, csp = csb.baseAddress, tcp = tcb.baseAddress, hnp = hnb.baseAddress
            let dxwp = dxwb.baseAddress!, dhwp = sharedGradient ? nil : dhwb.baseAddress!
            // B = W_hh [G·H, H], packed once for every step's dG_t·W_hh.
            let packedHHT = PackedMatrix(k: gh, n: h, b: whh.baseAddress!, strideK: h, strideN: 1)
            // B = W_ih [G·H, I] for dX = dG_ih · W_ih: our kernel when G·H is thin, else OpenBLAS (as the projection).
            let packedIHT = wantX && gh <= recurrentThinInner ? PackedMatrix(k: gh, n: inSize, b: wih.baseAddress!, strideK: inSize, strideN: 1) : nil
            /// The dX rows `rows` (row b·T + t), from the same rows of dxw; `split` as the projection's.
            func inputGradient(_ rows: Range<Int>, split: Bool) {
                guard wantX, !rows.isEmpty else { return }
                let a = UnsafePointer(dxwp + rows.lowerBound * gh), c = dxb.baseAddress! + rows.lowerBound * inSize
                if let packedIHT {
                    let multiply = { (r: Range<Int>) in
                        packedIHT.multiply(m: r.count, a: a + r.lowerBound * gh, lda: gh, c: c + r.lowerBound * inSize, ldc: inSize,
                                           accumulate: false)
                    }
                    if split { splitRows(rows.count, multiply) } else { multiply(0..<rows.count) }
                } else if split {
                    rowSplitSGEMM(m: rows.count, n: inSize, k: gh, a: a, lda: gh, b: wih.baseAddress!, ldb: inSize, c: c, ldc: inSize)
                } else {
                    sgemm(m: rows.count, n: inSize, k: gh, a: a, lda: gh, b: wih.baseAddress!, ldb: inSize, c: c, ldc: inSize)
                }
            }
            let gradientInParts = parts > 1 && packedIHT != nil  // as the projection's
            /// Rows (b, t) = [x_{b,t} | h_{t−1} | 1] of the sequences `rows` (shared dG only).
            func weightRows(_ rows: Range<Int>) {
                guard wantWeights else { return }
                let rip = rib.baseAddress!, xp = xb.baseAddress!
                for b in rows {
                    for k in 0..<steps {
                        let t = timeOf(k), r = b * steps + t, d = rip + r * rowWidth
                        d.update(from: xp + r * inSize, count: inSize)
                        (d + inSize).update(from: hsp + (k * n + b) * h, count: h)
                        d[inSize + h] = 1
                    }
                }
            }
            // Only the final state may have a gradient (a classifier's h_T): one sequential scan
            // spares every step's strided read of the outputs' zero gradients.
            let outputsHaveGradient = (0..<n).contains { b in
                let row = gp + b * rowsOut * h
                for j in 0..<(steps * h) where row[j] != 0 { return true }
                return false
            }
            func runPart(_ p: Int) {
                let rows = rowsOf(p), b0 = rows.lowerBound, m = rows.count
                guard m > 0 else { return }
                for k in stride(from: steps - 1, through: 0, by: -1) {
                    let t = timeOf(k)
                    let dgStep = dhwp.map { $0 + k * n * gh }  // GRU only
                    for b in rows where t < length[b] {
                        let d = dhp + b * h
                        if outputsHaveGradient {
                            let go = gp + (b * rowsOut + t) * h
                            for j in 0..<h { d[j] += go[j] }
                        }
                        let dxr = dxwp + (b * steps + t) * gh
                        let a = acts + (b * steps + t) * gh
                        let hp = hsp + k * n * h + b * h, hn = hsp + (k + 1) * n * h + b * h
                        switch kind {
                        case .rnnTanh, .rnnReLU:
                            for j in 0..<h {
                                let v = hn[j]
                                dxr[j] = kind == .rnnTanh ? d[j] * (1 - v * v) : (v > 0 ? d[j] : 0)
                            }
                        case .lstm:
                            VectorLSTMRows.backward(acts: a, cPrev: csp! + k * n * h + b * h, tanhC: tcp! + (k * n + b) * h,
                                                    dh: d, dc: dcp + b * h, dx: dxr, dg: nil, h: h)
                        case .gru:
                            let hnS = hnp! + (k * n + b) * h, dg = dgStep! + b * gh
                            for j in 0..<h {
                                let r = a[j], z = a[h + j], nv = a[2 * h + j]
                                let dpn = d[j] * (1 - z) * (1 - nv * nv)
                                let dpz = d[j] * (hp[j] - nv) * z * (1 - z)
                                let dpr = dpn * hnS[j] * r * (1 - r)
                                dxr[j] = dpr; dxr[h + j] = dpz; dxr[2 * h + j] = dpn
                                dg[j] = dpr; dg[h + j] = dpz; dg[2 * h + j] = dpn * r
                            }
                        }
                    }
                    // dh_{k−1} = dG_hh · W_hh (+ the direct path z ⊙ dh for the GRU); inactive rows pass dh through.
                    // Before the first step it is h0's gradient only: skipped when h0 is off the tape.
                    if k == 0 && !h0.isOnTape { continue }
                    if let dgStep {
                        packedHHT.multiply(m: m, a: dgStep + b0 * gh, lda: gh, c: dpb.baseAddress! + b0 * h, ldc: h, accumulate: false)
                    } else {
                        packedHHT.multiply(m: m, a: dxwp + (b0 * steps + t) * gh, lda: steps * gh, c: dpb.baseAddress! + b0 * h,
                                           ldc: h, accumulate: false)
                    }
                    for b in rows where t < length[b] {
                        let d = dhp + b * h, pr = dpb.baseAddress! + b * h
                        if kind == .gru {
                            let z = acts + (b * steps + t) * gh + h
                            for j in 0..<h { d[j] = pr[j] + d[j] * z[j] }
                        } else {
                            d.update(from: pr, count: h)
                        }
                    }
                }
                if gradientInParts { inputGradient((b0 * steps)..<(rows.upperBound * steps), split: false) }
                weightRows(rows)
            }
            if parts == 1 { runPart(0) } else { ParallelLoops.perform(iterations: parts) { runPart($0) } }
            if !gradientInParts { inputGradient(0..<(n * steps), split: true) }
        } } } } } } } } } } } } } } } }

        if wantX { x.accumulateGrad(dx) }
        if h0.isOnTape { h0.accumulateGrad(dh) }
        if let c0, c0.isOnTape { c0.accumulateGrad(dc) }
        // Weight gradients over all N·T rows, split at multiples of ``RowSplit/rowAlignment`` gate rows
        // over our threads with OpenBLAS single-threaded (part p owns rows gates(p) of dW) — also under
        // a threaded OpenBLAS (``ComputeContext/gemmBound(_:)``), whose own split of these GEMMs changed
        // their bits on AMD Zen 3 (OpenBLAS 0.3.21). At those boundaries a row's sum is the one of the
        // unsplit call, so the gradients are the same bits at any thread count.
        func weightGradients() {
            let gateParts = Swift.max(1, Swift.min(ComputeThreads.count, gh / RowSplit.rowAlignment))
            let gateRows: (Int) -> Range<Int> = { p in RowSplit.bounds(part: p, of: gateParts, rows: gh) }
            func splitByGateRows(_ body: (Range<Int>) -> Void) {
                if gateParts == 1 { body(0..<gh) } else { ParallelLoops.perform(iterations: gateParts) { body(gateRows($0)) } }
            }
            /// dGᵀ·B `[gh, width]` over the N·T rows, dG `[N·T, gh]` and B `[N·T, width]`, split by gate rows.
            func gateRowsProduct(_ dg: [Float], _ b: [Float], width: Int) -> [Float] {
                var dw = [Float](unsafeUninitializedCapacity: gh * width) { _, count in count = gh * width }
                dg.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { bp in dw.withUnsafeMutableBufferPointer { d in
                    let ap = a.baseAddress!, dp = d.baseAddress!
                    splitByGateRows { r in
                        sgemm(transA: true, m: r.count, n: width, k: n * steps, a: ap + r.lowerBound, lda: gh, b: bp.baseAddress!,
                              ldb: width, c: dp + r.lowerBound * width, ldc: width)
                    }
                } } }
                return dw
            }
            if sharedGradient {
                guard wantWeights else { return }
                // [dW_ih | dW_hh | db] = dGᵀ·rows: dG read (and packed by OpenBLAS) once, not three times.
                let dw = gateRowsProduct(dxw, rowsIn, width: rowWidth)
                func columns(_ start: Int, _ count: Int) -> [Float] {
                    var out = [Float](unsafeUninitializedCapacity: gh * count) { _, c in c = gh * count }
                    for r in 0..<gh { for j in 0..<count { out[r * count + j] = dw[r * rowWidth + start + j] } }
                    return out
                }
                if weightIH.isOnTape { weightIH.accumulateGrad(columns(0, inSize)) }
                if weightHH.isOnTape { weightHH.accumulateGrad(columns(inSize, h)) }
                if biasIH.isOnTape || biasHH.isOnTape {
                    let db = columns(inSize + h, 1)
                    if biasIH.isOnTape { biasIH.accumulateGrad(db) }
                    if biasHH.isOnTape { biasHH.accumulateGrad(db) }
                }
                return
            }
            if weightIH.isOnTape { weightIH.accumulateGrad(gateRowsProduct(dxw, x.storage, width: inSize)) }
            if weightHH.isOnTape { weightHH.accumulateGrad(gateRowsProduct(dhw, hs, width: h)) }
            if biasIH.isOnTape { biasIH.accumulateGrad(columnSums(dxw, rows: n * steps, columns: gh)) }
            if biasHH.isOnTape { biasHH.accumulateGrad(columnSums(dhw, rows: steps * n, columns: gh)) }
        }
        if BLASThreads.current == 1 { weightGradients() } else { ComputeContext.layers(ComputeThreads.count).run(weightGradients) }
    }
}

private func columnSums(_ m: [Float], rows: Int, columns: Int) -> [Float] {
    var s = [Float](repeating: 0, count: columns)
    m.withUnsafeBufferPointer { mp in s.withUnsafeMutableBufferPointer { sp in
        for r in 0..<rows { let row = mp.baseAddress! + r * columns; for j in 0..<columns { sp[j] += row[j] } }
    } }
    return s
}

/// The all-steps products X·W_ihᵀ and dG·W_ih run on our kernel when their inner dimension is at most
/// this (seq-fmnist's I = 28: OpenBLAS's zeroing of C and its packing cost as much as the arithmetic
/// there); wider ones (the char-LM's I = 256, G·H = 1024) stay on OpenBLAS, whose K-blocking keeps its
/// panels in L1 where ours stream a whole K × 32 panel per block of rows.
let recurrentThinInner = 64

/// Runs `body` over contiguous parts of `0..<rows` on up to ``ComputeThreads/count`` threads (one part
/// below 64 rows per thread): the all-steps products of a one-part ``recurrentSequence`` on our kernel,
/// whose rows come out the same however they are split.
private func splitRows(_ rows: Int, _ body: (Range<Int>) -> Void) {
    let parts = Swift.max(1, Swift.min(ComputeThreads.count, rows / 64))
    if parts == 1 { body(0..<rows); return }
    ParallelLoops.perform(iterations: parts) { p in body(p * rows / parts ..< (p + 1) * rows / parts) }
}
