import Foundation

/// A radix-2 fast Fourier transform and FFT-based convolution — the slow-path proof of the
/// convolution theorem: F(a ∗ b) = F(a)·F(b), so a ∗ b = F⁻¹(F(a)·F(b)) once both are zero-padded
/// to at least len(a)+len(b)−1 (otherwise the product gives the *circular* convolution).
///
/// These are textbook convolutions (kernel flipped). Deep-learning "convolution" is
/// cross-correlation: corr(x, w) = conv(x, flip(w)).
public enum FFT {
    /// In-place iterative Cooley–Tukey transform of (re, im); the count must be a power of two.
    /// Forward: X_k = Σ x_n e^{−2πikn/N}; inverse uses e^{+2πikn/N} and divides by N.
    public static func transform(_ re: inout [Double], _ im: inout [Double], inverse: Bool = false) {
        let n = re.count
        require(n == im.count && n > 0 && n & (n - 1) == 0, "FFT: length \(n) is not a power of two")
        // bit-reversal permutation
        var j = 0
        for i in 1..<max(n, 2) where n > 1 {
            var bit = n >> 1
            while j & bit != 0 { j ^= bit; bit >>= 1 }
            j |= bit
            if i < j { re.swapAt(i, j); im.swapAt(i, j) }
        }
        var len = 2
        while len <= n {
            let angle = (inverse ? 2 : -2) * Double.pi / Double(len)
            let wRe = cos(angle), wIm = sin(angle)
            var start = 0
            while start < n {
                var cRe = 1.0, cIm = 0.0
                for k in 0..<(len / 2) {
                    let a = start + k, b = a + len / 2
                    let tRe = re[b] * cRe - im[b] * cIm, tIm = re[b] * cIm + im[b] * cRe
                    re[b] = re[a] - tRe; im[b] = im[a] - tIm
                    re[a] += tRe; im[a] += tIm
                    let nRe = cRe * wRe - cIm * wIm
                    cIm = cRe * wIm + cIm * wRe; cRe = nRe
                }
                start += len
            }
            len <<= 1
        }
        if inverse { for i in 0..<n { re[i] /= Double(n); im[i] /= Double(n) } }
    }

    /// The smallest power of two ≥ n.
    public static func paddedLength(_ n: Int) -> Int { var p = 1; while p < n { p <<= 1 }; return p }

    /// Full linear convolution (a ∗ b)[k] = Σ_i a[i]·b[k−i], length len(a)+len(b)−1, via the FFT.
    public static func convolve(_ a: [Double], _ b: [Double]) -> [Double] {
        let outCount = a.count + b.count - 1, n = paddedLength(outCount)
        var aRe = a + [Double](repeating: 0, count: n - a.count), aIm = [Double](repeating: 0, count: n)
        var bRe = b + [Double](repeating: 0, count: n - b.count), bIm = [Double](repeating: 0, count: n)
        transform(&aRe, &aIm); transform(&bRe, &bIm)
        for k in 0..<n {
            let re = aRe[k] * bRe[k] - aIm[k] * bIm[k], im = aRe[k] * bIm[k] + aIm[k] * bRe[k]
            aRe[k] = re; aIm[k] = im
        }
        transform(&aRe, &aIm, inverse: true)
        return Array(aRe[0..<outCount])
    }

    /// 2-D transform of a row-major `[rows, cols]` grid (rows then columns; both powers of two).
    public static func transform2D(_ re: inout [Double], _ im: inout [Double], rows: Int, cols: Int, inverse: Bool = false) {
        for r in 0..<rows {
            var rr = Array(re[(r * cols)..<((r + 1) * cols)]), ri = Array(im[(r * cols)..<((r + 1) * cols)])
            transform(&rr, &ri, inverse: inverse)
            for c in 0..<cols { re[r * cols + c] = rr[c]; im[r * cols + c] = ri[c] }
        }
        for c in 0..<cols {
            var cr = (0..<rows).map { re[$0 * cols + c] }, ci = (0..<rows).map { im[$0 * cols + c] }
            transform(&cr, &ci, inverse: inverse)
            for r in 0..<rows { re[r * cols + c] = cr[r]; im[r * cols + c] = ci[r] }
        }
    }

    /// Full 2-D linear convolution of `a` `[ra, ca]` and `b` `[rb, cb]` → `[ra+rb−1, ca+cb−1]`, via the FFT.
    public static func convolve2D(_ a: [Double], rows ra: Int, cols ca: Int, _ b: [Double], rows rb: Int, cols cb: Int) -> [Double] {
        let ro = ra + rb - 1, co = ca + cb - 1
        let nr = paddedLength(ro), nc = paddedLength(co)
        func embed(_ x: [Double], _ r: Int, _ c: Int) -> [Double] {
            var out = [Double](repeating: 0, count: nr * nc)
            for i in 0..<r { for j in 0..<c { out[i * nc + j] = x[i * c + j] } }
            return out
        }
        var aRe = embed(a, ra, ca), aIm = [Double](repeating: 0, count: nr * nc)
        var bRe = embed(b, rb, cb), bIm = [Double](repeating: 0, count: nr * nc)
        transform2D(&aRe, &aIm, rows: nr, cols: nc); transform2D(&bRe, &bIm, rows: nr, cols: nc)
        for k in 0..<(nr * nc) {
            let re = aRe[k] * bRe[k] - aIm[k] * bIm[k], im = aRe[k] * bIm[k] + aIm[k] * bRe[k]
            aRe[k] = re; aIm[k] = im
        }
        transform2D(&aRe, &aIm, rows: nr, cols: nc, inverse: true)
        var out = [Double](repeating: 0, count: ro * co)
        for i in 0..<ro { for j in 0..<co { out[i * co + j] = aRe[i * nc + j] } }
        return out
    }
}

/// Full linear convolution from the definition: (a ∗ b)[k] = Σ_i a[i]·b[k−i].
public func directConvolution(_ a: [Double], _ b: [Double]) -> [Double] {
    var out = [Double](repeating: 0, count: a.count + b.count - 1)
    for i in 0..<a.count { for j in 0..<b.count { out[i + j] += a[i] * b[j] } }
    return out
}

/// Full 2-D linear convolution from the definition.
public func directConvolution2D(_ a: [Double], rows ra: Int, cols ca: Int, _ b: [Double], rows rb: Int, cols cb: Int) -> [Double] {
    let co = ca + cb - 1
    var out = [Double](repeating: 0, count: (ra + rb - 1) * co)
    for i in 0..<ra { for j in 0..<ca { for k in 0..<rb { for l in 0..<cb {
        out[(i + k) * co + j + l] += a[i * ca + j] * b[k * cb + l]
    } } } }
    return out
}

/// "Valid" cross-correlation from the definition (what deep learning calls convolution):
/// corr(x, w)[i] = Σ_j x[i+j]·w[j], length len(x)−len(w)+1.
public func directCrossCorrelation(_ x: [Double], _ w: [Double]) -> [Double] {
    (0...(x.count - w.count)).map { i in (0..<w.count).reduce(0) { $0 + x[i + $1] * w[$1] } }
}
