/// The slow, obviously-correct path that ``recurrentSequence`` is tested against: the same
/// layer-direction unrolled step by step into elementary tape ops (``linear(_:_:_:)``, slices,
/// σ, tanh, +, ×), so the tape itself does back-propagation through time. Same contract and
/// packed result `[N, T + S, H]` as ``recurrentSequence``; with `lengths`, a step past a sequence's
/// end keeps its state by the mask m ∈ {0, 1}: h ← m·h' + (1 − m)·h, output m·h'.
public func referenceRecurrentSequence(kind: RecurrentKind, _ x: Tensor, h0: Tensor, c0: Tensor?,
                                       weightIH: Tensor, weightHH: Tensor, biasIH: Tensor, biasHH: Tensor,
                                       lengths: [Int]? = nil, reverse: Bool = false) -> Tensor {
    let n = x.shape[0], steps = x.shape[1], inSize = x.shape[2], h = weightHH.shape[1]
    var hidden = h0, cell = c0
    var outputs = [Tensor?](repeating: nil, count: steps)
    for k in 0..<steps {
        let t = reverse ? steps - 1 - k : k
        let xt = x.narrowed(axis: 1, start: t, length: 1).reshaped([n, inSize])
        let xg = linear(xt, weightIH, biasIH), hg = linear(hidden, weightHH, biasHH)
        func gate(_ m: Tensor, _ q: Int) -> Tensor { m.narrowed(axis: 1, start: q * h, length: h) }
        var newHidden: Tensor, newCell: Tensor? = nil
        switch kind {
        case .rnnTanh: newHidden = (xg + hg).tanh()
        case .rnnReLU: newHidden = (xg + hg).relu()
        case .lstm:
            let pre = xg + hg
            let i = gate(pre, 0).sigmoid(), f = gate(pre, 1).sigmoid(), g = gate(pre, 2).tanh(), o = gate(pre, 3).sigmoid()
            newCell = f * cell! + i * g
            newHidden = o * newCell!.tanh()
        case .gru:
            let r = (gate(xg, 0) + gate(hg, 0)).sigmoid(), z = (gate(xg, 1) + gate(hg, 1)).sigmoid()
            let candidate = (gate(xg, 2) + r * gate(hg, 2)).tanh()
            newHidden = (1 - z) * candidate + z * hidden
        }
        if let lengths {
            let mask = Tensor(shape: [n, 1], storage: lengths.map { t < $0 ? 1 : 0 })
            outputs[t] = mask * newHidden
            newHidden = mask * newHidden + (1 - mask) * hidden
            if let c = newCell { newCell = mask * c + (1 - mask) * cell! }
        } else {
            outputs[t] = newHidden
        }
        hidden = newHidden
        cell = newCell
    }
    var rows = outputs.map { $0!.reshaped([n, 1, h]) } + [hidden.reshaped([n, 1, h])]
    if let cell { rows.append(cell.reshaped([n, 1, h])) }
    return Tensor.concatenate(rows, axis: 1)
}
