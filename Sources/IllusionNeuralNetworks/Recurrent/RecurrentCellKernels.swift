import Foundation

/// Eight float lanes: the LSTM's backward row runs on these (SSE2 pairs in the portable build,
/// one AVX register with `NATIVE=1`).
typealias Lanes = SIMD8<Float>

/// `count` (1…8) floats from `p` into the first lanes; the others are 0.
@inline(__always)
func loadLanes(_ p: UnsafePointer<Float>, _ count: Int) -> Lanes {
    if count == 8 { return UnsafeRawPointer(p).loadUnaligned(as: Lanes.self) }
    var v = Lanes()
    for i in 0..<count { v[i] = p[i] }
    return v
}

/// The first `count` (1…8) lanes of `v` to `p`.
@inline(__always)
func storeLanes(_ v: Lanes, _ p: UnsafeMutablePointer<Float>, _ count: Int) {
    if count == 8 { UnsafeMutableRawPointer(p).storeBytes(of: v, as: Lanes.self); return }
    for i in 0..<count { p[i] = v[i] }
}

/// e^x without a branch or a call, so that loops over contiguous rows vectorise (Cody–Waite:
/// x = n·ln 2 + r with |r| ≤ ln 2 / 2, e^r by its Taylor series to r⁶, truncation < 2·10⁻⁸
/// relative; 2ⁿ built in the exponent bits). n is rounded by adding 1.5·2²³, which needs no
/// SSE4.1 `roundps` (Swift does not reassociate float arithmetic). x is clamped to [−87.3, 88.3],
/// so the result is finite (a little below FLT_MIN at the low end); NaN stays NaN.
@inline(__always)
func branchFreeExp(_ x: Float) -> Float {
    let low: Float = -87.3, high: Float = 88.3
    let xl = x < low ? low : x
    let xc = xl > high ? high : xl
    let shifted = xc * 1.442_695_04 + 12_582_912.0   // n = round(x / ln 2) in the low mantissa bits
    let n = shifted - 12_582_912.0
    let r = (xc - n * 0.693_145_751_953_125) - n * 1.428_606_765_330_187e-6   // ln 2 = hi + lo
    var p: Float = r * (1.0 / 720) + (1.0 / 120)
    p = p * r + (1.0 / 24)
    p = p * r + (1.0 / 6)
    p = p * r + 0.5
    p = p * r + 1
    p = p * r + 1
    return p * Float(bitPattern: (shifted.bitPattern &- UInt32(0x4B40_0000 - 127)) &<< 23)
}

/// σ(x) = 1 / (1 + e^{−x}), branch-free (accurate at both ends: e^{−x} is clamped, never inf).
@inline(__always)
func branchFreeSigmoid(_ x: Float) -> Float { 1 / (1 + branchFreeExp(-x)) }

/// tanh, branch-free, the formulas of ``fastTanh(_:)``: sign(x)·(1 − 2/(e^{2|x|} + 1)), the odd
/// Taylor series below |x| = 1/8 (where that form would lose relative precision), ±1 above 9.
@inline(__always)
func branchFreeTanh(_ x: Float) -> Float {
    let a = Swift.abs(x)
    let ac: Float = a > 9 ? 9 : a
    let large = 1 - 2 / (branchFreeExp(ac + ac) + 1)
    let x2 = x * x
    var q: Float = x2 * (-17.0 / 315) + (2.0 / 15)
    q = q * x2 + (-1.0 / 3)
    q = q * x2 + 1
    let signed = x < 0 ? -large : large
    return a < 0.125 ? x * q : signed
}

/// One LSTM row forward, in place: `gates` `[4H]` holds the pre-activations (i, f, g, o) — `bias`
/// `[4H]`, when given, is added to them first — and receives σ(i), σ(f), tanh(g), σ(o);
/// c' = f ⊙ c + i ⊙ g, h' = o ⊙ tanh(c'). Writes c', tanh(c') (kept for backward) and h' (to
/// `hNext` and `out`). All rows `[H]`. Each pass is a plain loop over contiguous floats, which the
/// compiler vectorises.
@inline(__always)
func lstmForwardRow(gates: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>? = nil, cPrev: UnsafePointer<Float>,
                    cNext: UnsafeMutablePointer<Float>, tanhC: UnsafeMutablePointer<Float>, hNext: UnsafeMutablePointer<Float>,
                    out: UnsafeMutablePointer<Float>, h: Int) {
    if let bias { for j in 0..<(4 * h) { gates[j] += bias[j] } }
    sigmoidInPlace(gates, count: 2 * h)
    tanhInPlace(gates + 2 * h, count: h)
    sigmoidInPlace(gates + 3 * h, count: h)
    let i = UnsafePointer(gates), f = UnsafePointer(gates + h), g = UnsafePointer(gates + 2 * h), o = UnsafePointer(gates + 3 * h)
    for j in 0..<h { cNext[j] = f[j] * cPrev[j] + i[j] * g[j] }
    for j in 0..<h { tanhC[j] = branchFreeTanh(cNext[j]) }
    for j in 0..<h { hNext[j] = o[j] * tanhC[j] }
    out.update(from: hNext, count: h)
}

/// σ over `count` contiguous floats, in place.
@inline(__always)
func sigmoidInPlace(_ p: UnsafeMutablePointer<Float>, count: Int) {
    for j in 0..<count { p[j] = branchFreeSigmoid(p[j]) }
}

/// tanh over `count` contiguous floats, in place.
@inline(__always)
func tanhInPlace(_ p: UnsafeMutablePointer<Float>, count: Int) {
    for j in 0..<count { p[j] = branchFreeTanh(p[j]) }
}

/// One LSTM row backward: from the activations `acts` `[4H]` (i, f, g, o), c_{t−1}, tanh(c_t), the
/// gradient `dh` of h_t and `dc` of c_t (updated in place to the gradient of c_{t−1} along the cell
/// path), the pre-activation gradients (di, df, dg, do) go to both `dx` and `dg` `[4H]` (to `dx`
/// alone when `dg` is nil).
@inline(__always)
func lstmBackwardRow(acts: UnsafePointer<Float>, cPrev: UnsafePointer<Float>, tanhC: UnsafePointer<Float>,
                     dh: UnsafePointer<Float>, dc: UnsafeMutablePointer<Float>,
                     dx: UnsafeMutablePointer<Float>, dg: UnsafeMutablePointer<Float>?, h: Int) {
    var j = 0
    while j < h {
        let m = Swift.min(8, h - j)
        let i = loadLanes(acts + j, m), f = loadLanes(acts + h + j, m)
        let g = loadLanes(acts + 2 * h + j, m), o = loadLanes(acts + 3 * h + j, m)
        let tc = loadLanes(tanhC + j, m), d = loadLanes(dh + j, m)
        let dOut: Lanes = d * o
        let dcv: Lanes = loadLanes(dc + j, m) + dOut * (1 - tc * tc)
        let dcvI: Lanes = dcv * i, dcvF: Lanes = dcv * f
        let di: Lanes = dcvI * g * (1 - i)
        let df: Lanes = dcvF * loadLanes(cPrev + j, m) * (1 - f)
        let dgg: Lanes = dcvI * (1 - g * g)
        let dog: Lanes = d * tc * o * (1 - o)
        storeLanes(di, dx + j, m); storeLanes(df, dx + h + j, m); storeLanes(dgg, dx + 2 * h + j, m); storeLanes(dog, dx + 3 * h + j, m)
        if let dg { storeLanes(di, dg + j, m); storeLanes(df, dg + h + j, m); storeLanes(dgg, dg + 2 * h + j, m); storeLanes(dog, dg + 3 * h + j, m) }
        storeLanes(dcvF, dc + j, m)
        j += 8
    }
}

/// tanh of `count` floats from `x` into `y` and `z` (the RNN's h' and its output row).
@inline(__always)
func tanhRow(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, and z: UnsafeMutablePointer<Float>, count: Int) {
    for j in 0..<count { y[j] = branchFreeTanh(x[j]) }
    z.update(from: y, count: count)
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
