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
/// Cost: the input projection of all N·T steps is one GEMM `[N·T, I]·[I, G·H]`; each step adds one
/// GEMM `[N, H]·[H, G·H]`. Backward: one GEMM per step for dh_{t−1}, then dX, dW_ih and dW_hh each as
/// one GEMM over all steps. Memory kept for backward: the gate activations and states of every step.
public func recurrentSequence(kind: RecurrentKind, _ x: Tensor, h0: Tensor, c0: Tensor?,
                              weightIH: Tensor, weightHH: Tensor, biasIH: Tensor, biasHH: Tensor,
                              lengths: [Int]? = nil, reverse: Bool = false) -> Tensor {
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
    let extra = kind.hasCellState ? 2 : 1, rowsOut = steps + extra
    let timeOf: (Int) -> Int = { reverse ? steps - 1 - $0 : $0 }

    // Input projection of every step at once: xw[(n·T + t)·GH + ·] = W_ih x_{n,t} + b_ih.
    var xw = [Float](repeating: 0, count: n * steps * gh)
    xw.withUnsafeMutableBufferPointer { xwp in
        biasIH.storage.withUnsafeBufferPointer { b in
            for r in 0..<(n * steps) { (xwp.baseAddress! + r * gh).update(from: b.baseAddress!, count: gh) }
        }
        x.storage.withUnsafeBufferPointer { xp in weightIH.storage.withUnsafeBufferPointer { wp in
            sgemm(transB: true, m: n * steps, n: gh, k: inSize, a: xp.baseAddress!, lda: inSize, b: wp.baseAddress!, ldb: inSize,
                  beta: 1, c: xwp.baseAddress!, ldc: gh)
        } }
    }
    // States by processing step k: hs[k] is the state before step k (hs[0] = h0), time-major [T + 1, N, H].
    var hs = [Float](repeating: 0, count: (steps + 1) * n * h)
    var cs = [Float](repeating: 0, count: kind.hasCellState ? (steps + 1) * n * h : 0)
    var acts = [Float](repeating: 0, count: kind == .rnnTanh || kind == .rnnReLU ? 0 : steps * n * gh)
    var hnStore = [Float](repeating: 0, count: kind == .gru ? steps * n * h : 0)
    var packed = [Float](repeating: 0, count: n * rowsOut * h)
    var hw = [Float](repeating: 0, count: n * gh)
    for i in 0..<(n * h) { hs[i] = h0.storage[i] }
    if let c0 { for i in 0..<(n * h) { cs[i] = c0.storage[i] } }

    xw.withUnsafeBufferPointer { xwb in hs.withUnsafeMutableBufferPointer { hsb in cs.withUnsafeMutableBufferPointer { csb in
    acts.withUnsafeMutableBufferPointer { ab in hnStore.withUnsafeMutableBufferPointer { hnb in
    packed.withUnsafeMutableBufferPointer { pb in hw.withUnsafeMutableBufferPointer { hwb in
    weightHH.storage.withUnsafeBufferPointer { whh in biasHH.storage.withUnsafeBufferPointer { bhh in
        let xwp = xwb.baseAddress!, hsp = hsb.baseAddress!, hwp = hwb.baseAddress!, out = pb.baseAddress!
        for k in 0..<steps {
            let t = timeOf(k)
            let hPrev = hsp + k * n * h, hNext = hsp + (k + 1) * n * h
            for r in 0..<n { (hwp + r * gh).update(from: bhh.baseAddress!, count: gh) }
            sgemm(transB: true, m: n, n: gh, k: h, a: UnsafePointer(hPrev), lda: h, b: whh.baseAddress!, ldb: h,
                  beta: 1, c: hwp, ldc: gh)
            for b in 0..<n {
                let hp = hPrev + b * h, hn = hNext + b * h
                let o = out + (b * rowsOut + t) * h
                guard t < length[b] else {
                    hn.update(from: hp, count: h)
                    if kind.hasCellState {
                        let cp = csb.baseAddress! + k * n * h + b * h
                        (cp + n * h).update(from: cp, count: h)
                    }
                    continue  // output stays 0
                }
                let xr = xwp + (b * steps + t) * gh, hr = hwp + b * gh
                switch kind {
                case .rnnTanh, .rnnReLU:
                    for j in 0..<h {
                        let p = xr[j] + hr[j]
                        let v = kind == .rnnTanh ? fastTanh(p) : Swift.max(p, 0)
                        hn[j] = v; o[j] = v
                    }
                case .lstm:
                    let a = ab.baseAddress! + (k * n + b) * gh
                    let cp = csb.baseAddress! + k * n * h + b * h, cn = cp + n * h
                    for j in 0..<h {
                        let i = sigmoid(xr[j] + hr[j]), f = sigmoid(xr[h + j] + hr[h + j])
                        let g = fastTanh(xr[2 * h + j] + hr[2 * h + j]), og = sigmoid(xr[3 * h + j] + hr[3 * h + j])
                        let c = f * cp[j] + i * g
                        let v = og * fastTanh(c)
                        a[j] = i; a[h + j] = f; a[2 * h + j] = g; a[3 * h + j] = og
                        cn[j] = c; hn[j] = v; o[j] = v
                    }
                case .gru:
                    let a = ab.baseAddress! + (k * n + b) * gh
                    let hnS = hnb.baseAddress! + (k * n + b) * h
                    for j in 0..<h {
                        let r = sigmoid(xr[j] + hr[j]), z = sigmoid(xr[h + j] + hr[h + j])
                        let hnv = hr[2 * h + j]
                        let nv = fastTanh(xr[2 * h + j] + r * hnv)
                        let v = (1 - z) * nv + z * hp[j]
                        a[j] = r; a[h + j] = z; a[2 * h + j] = nv; hnS[j] = hnv
                        hn[j] = v; o[j] = v
                    }
                }
            }
        }
        // Final states into rows T (h) and T + 1 (c).
        for b in 0..<n {
            (out + (b * rowsOut + steps) * h).update(from: hsp + steps * n * h + b * h, count: h)
            if kind.hasCellState {
                (out + (b * rowsOut + steps + 1) * h).update(from: csb.baseAddress! + steps * n * h + b * h, count: h)
            }
        }
    } } } } } } } } }

    var inputs = [x, h0]
    if let c0 { inputs.append(c0) }
    inputs += [weightIH, weightHH, biasIH, biasHH]
    return Tensor.result("\(kind.rawValue)_sequence", shape: [n, rowsOut, h], storage: packed, inputs: inputs) { _, g in
        var dxw = [Float](repeating: 0, count: n * steps * gh)  // batch-major like xw
        var dhw = [Float](repeating: 0, count: steps * n * gh)  // by processing step, like hs
        var dh = [Float](repeating: 0, count: n * h), dc = [Float](repeating: 0, count: n * h)
        var dhPrev = [Float](repeating: 0, count: n * h)
        for b in 0..<n {
            for j in 0..<h {
                dh[b * h + j] = g[(b * rowsOut + steps) * h + j]
                if kind.hasCellState { dc[b * h + j] = g[(b * rowsOut + steps + 1) * h + j] }
            }
        }
        dxw.withUnsafeMutableBufferPointer { dxwb in dhw.withUnsafeMutableBufferPointer { dhwb in
        dh.withUnsafeMutableBufferPointer { dhb in dc.withUnsafeMutableBufferPointer { dcb in
        dhPrev.withUnsafeMutableBufferPointer { dpb in
        hs.withUnsafeBufferPointer { hsb in cs.withUnsafeBufferPointer { csb in
        acts.withUnsafeBufferPointer { ab in hnStore.withUnsafeBufferPointer { hnb in
        g.withUnsafeBufferPointer { gb in weightHH.storage.withUnsafeBufferPointer { whh in
            let dhp = dhb.baseAddress!, dcp = dcb.baseAddress!, hsp = hsb.baseAddress!, gp = gb.baseAddress!
            for k in stride(from: steps - 1, through: 0, by: -1) {
                let t = timeOf(k)
                let dgStep = dhwb.baseAddress! + k * n * gh
                for b in 0..<n where t < length[b] {
                    let d = dhp + b * h
                    let go = gp + (b * rowsOut + t) * h
                    for j in 0..<h { d[j] += go[j] }
                    let dx = dxwb.baseAddress! + (b * steps + t) * gh, dg = dgStep + b * gh
                    let hp = hsp + k * n * h + b * h, hn = hsp + (k + 1) * n * h + b * h
                    switch kind {
                    case .rnnTanh, .rnnReLU:
                        for j in 0..<h {
                            let v = hn[j]
                            let dp = kind == .rnnTanh ? d[j] * (1 - v * v) : (v > 0 ? d[j] : 0)
                            dx[j] = dp; dg[j] = dp
                        }
                    case .lstm:
                        let a = ab.baseAddress! + (k * n + b) * gh
                        let cp = csb.baseAddress! + k * n * h + b * h, cn = cp + n * h
                        let dcr = dcp + b * h
                        for j in 0..<h {
                            let i = a[j], f = a[h + j], gg = a[2 * h + j], og = a[3 * h + j]
                            let tc = fastTanh(cn[j])
                            let dcv = dcr[j] + d[j] * og * (1 - tc * tc)
                            let di = dcv * gg * i * (1 - i), df = dcv * cp[j] * f * (1 - f)
                            let dgg = dcv * i * (1 - gg * gg), dog = d[j] * tc * og * (1 - og)
                            dx[j] = di; dx[h + j] = df; dx[2 * h + j] = dgg; dx[3 * h + j] = dog
                            dg[j] = di; dg[h + j] = df; dg[2 * h + j] = dgg; dg[3 * h + j] = dog
                            dcr[j] = dcv * f
                        }
                    case .gru:
                        let a = ab.baseAddress! + (k * n + b) * gh
                        let hnS = hnb.baseAddress! + (k * n + b) * h
                        for j in 0..<h {
                            let r = a[j], z = a[h + j], nv = a[2 * h + j]
                            let dpn = d[j] * (1 - z) * (1 - nv * nv)
                            let dpz = d[j] * (hp[j] - nv) * z * (1 - z)
                            let dpr = dpn * hnS[j] * r * (1 - r)
                            dx[j] = dpr; dx[h + j] = dpz; dx[2 * h + j] = dpn
                            dg[j] = dpr; dg[h + j] = dpz; dg[2 * h + j] = dpn * r
                        }
                    }
                }
                // dh_{k−1} = dG_hh · W_hh (+ the direct path z ⊙ dh for the GRU); inactive rows pass dh through.
                sgemm(m: n, n: h, k: gh, a: UnsafePointer(dgStep), lda: gh, b: whh.baseAddress!, ldb: h,
                      c: dpb.baseAddress!, ldc: h)
                for b in 0..<n where t < length[b] {
                    let d = dhp + b * h, p = dpb.baseAddress! + b * h
                    if kind == .gru {
                        let z = ab.baseAddress! + (k * n + b) * gh + h
                        for j in 0..<h { d[j] = p[j] + d[j] * z[j] }
                    } else {
                        for j in 0..<h { d[j] = p[j] }
                    }
                }
            }
        } } } } } } } } } } }

        if x.isOnTape {
            var dx = [Float](repeating: 0, count: n * steps * inSize)
            dxw.withUnsafeBufferPointer { a in weightIH.storage.withUnsafeBufferPointer { w in dx.withUnsafeMutableBufferPointer { d in
                sgemm(m: n * steps, n: inSize, k: gh, a: a.baseAddress!, lda: gh, b: w.baseAddress!, ldb: inSize, c: d.baseAddress!, ldc: inSize)
            } } }
            x.accumulateGrad(dx)
        }
        if h0.isOnTape { h0.accumulateGrad(dh) }
        if let c0, c0.isOnTape { c0.accumulateGrad(dc) }
        if weightIH.isOnTape {
            var dw = [Float](repeating: 0, count: gh * inSize)
            dxw.withUnsafeBufferPointer { a in x.storage.withUnsafeBufferPointer { xp in dw.withUnsafeMutableBufferPointer { d in
                sgemm(transA: true, m: gh, n: inSize, k: n * steps, a: a.baseAddress!, lda: gh, b: xp.baseAddress!, ldb: inSize,
                      c: d.baseAddress!, ldc: inSize)
            } } }
            weightIH.accumulateGrad(dw)
        }
        if weightHH.isOnTape {
            var dw = [Float](repeating: 0, count: gh * h)
            dhw.withUnsafeBufferPointer { a in hs.withUnsafeBufferPointer { hp in dw.withUnsafeMutableBufferPointer { d in
                sgemm(transA: true, m: gh, n: h, k: steps * n, a: a.baseAddress!, lda: gh, b: hp.baseAddress!, ldb: h,
                      c: d.baseAddress!, ldc: h)
            } } }
            weightHH.accumulateGrad(dw)
        }
        if biasIH.isOnTape { biasIH.accumulateGrad(columnSums(dxw, rows: n * steps, columns: gh)) }
        if biasHH.isOnTape { biasHH.accumulateGrad(columnSums(dhw, rows: steps * n, columns: gh)) }
    }
}

/// tanh through one `expf` (glibc's `tanhf` goes through `expm1f` and cost a third of an LSTM step):
/// tanh x = sign(x)·(1 − 2/(e^{2|x|} + 1)), and the odd Taylor series for |x| < 1/8 where that
/// form would lose relative precision (truncation error < 10⁻¹⁰ there). Max error a few ulp.
@inline(__always)
func fastTanh(_ x: Float) -> Float {
    let a = Swift.abs(x)
    if a < 0.125 {
        let x2 = x * x
        return x * (1 + x2 * (-1.0 / 3 + x2 * (2.0 / 15 + x2 * (-17.0 / 315))))
    }
    if a > 9 { return x > 0 ? 1 : -1 }
    let t = 1 - 2 / (Foundation.exp(2 * a) + 1)
    return x > 0 ? t : -t
}

@inline(__always)
private func sigmoid(_ x: Float) -> Float {
    x >= 0 ? 1 / (1 + Foundation.exp(-x)) : Foundation.exp(x) / (1 + Foundation.exp(x))
}

private func columnSums(_ m: [Float], rows: Int, columns: Int) -> [Float] {
    var s = [Float](repeating: 0, count: columns)
    m.withUnsafeBufferPointer { mp in s.withUnsafeMutableBufferPointer { sp in
        for r in 0..<rows { let row = mp.baseAddress! + r * columns; for j in 0..<columns { sp[j] += row[j] } }
    } }
    return s
}
