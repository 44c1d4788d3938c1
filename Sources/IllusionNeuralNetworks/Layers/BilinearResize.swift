/// Bilinear upsampling by an integer factor, as PyTorch's `F.interpolate(x, scale_factor: s,
/// mode: "bilinear", align_corners: False)`: output pixel o reads the input at the source coordinate
/// (o + ½)/s − ½ (clamped at 0 from below), between pixels ⌊·⌋ and min(⌊·⌋ + 1, n − 1).
/// x: `[N, C, H, W]` → `[N, C, H·s, W·s]`.
///
/// Forward only (no gradient is recorded): it is the baseline StackGAN's Stage-II is measured against
/// (Stage-I images enlarged without learning), not a layer to train through.
public func resizeBilinear(_ x: Tensor, scaleFactor s: Int) -> Tensor {
    require(x.rank == 4, "resizeBilinear: expected [N, C, H, W], got \(x.shape)")
    require(s >= 1, "resizeBilinear: scale factor must be ≥ 1, got \(s)")
    let h = x.shape[2], w = x.shape[3]
    return resample(x, rows: BilinearTaps(input: h, scale: s), columns: BilinearTaps(input: w, scale: s), height: h * s, width: w * s)
}

/// Bilinear downsampling by an integer factor, as PyTorch's `F.interpolate(x, scale_factor: 1/d,
/// mode: "bilinear", align_corners: False, antialias: False)`: output pixel o reads the input at
/// (o + ½)·d − ½, so d = 2 averages each 2×2 block. x: `[N, C, H, W]` (H, W multiples of d) →
/// `[N, C, H/d, W/d]`. Forward only: StackGAN's Fashion-MNIST Stage-II images are brought back to the
/// 28×28 judge's side with it.
public func resizeBilinear(_ x: Tensor, downscaleFactor d: Int) -> Tensor {
    require(x.rank == 4, "resizeBilinear: expected [N, C, H, W], got \(x.shape)")
    require(d >= 1 && x.shape[2] % d == 0 && x.shape[3] % d == 0, "resizeBilinear: \(x.shape) is not divisible by the factor \(d)")
    let h = x.shape[2], w = x.shape[3]
    return resample(x, rows: BilinearTaps(input: h, downscale: d), columns: BilinearTaps(input: w, downscale: d), height: h / d, width: w / d)
}

/// Each output pixel from its two row taps and two column taps.
private func resample(_ x: Tensor, rows: BilinearTaps, columns: BilinearTaps, height ho: Int, width wo: Int) -> Tensor {
    let planes = x.shape[0] * x.shape[1], h = x.shape[2], w = x.shape[3]
    var y = uninitializedFloats(planes * ho * wo)
    x.storage.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in
        for plane in 0..<planes {
            let src = xp.baseAddress! + plane * h * w, dst = yp.baseAddress! + plane * ho * wo
            for oy in 0..<ho {
                let r0 = src + rows.low[oy] * w, r1 = src + rows.high[oy] * w, ly = rows.weight[oy]
                for ox in 0..<wo {
                    let c0 = columns.low[ox], c1 = columns.high[ox], lx = columns.weight[ox]
                    let top = r0[c0] + (r0[c1] - r0[c0]) * lx, bottom = r1[c0] + (r1[c1] - r1[c0]) * lx
                    dst[oy * wo + ox] = top + (bottom - top) * ly
                }
            }
        }
    } }
    return Tensor(shape: [x.shape[0], x.shape[1], ho, wo], storage: y)
}

/// Per output index along one axis: the two input taps and the weight of the upper one.
struct BilinearTaps {
    var low: [Int] = [], high: [Int] = [], weight: [Float] = []

    init(input n: Int, scale s: Int) {
        for o in 0..<(n * s) {
            let (i0, i1, lambda) = BilinearTaps.tap(o, input: n, scale: s)
            low.append(i0); high.append(i1); weight.append(lambda)
        }
    }

    init(input n: Int, downscale d: Int) {
        for o in 0..<(n / d) {
            let (i0, i1, lambda) = BilinearTaps.tap(o, input: n, downscale: d)
            low.append(i0); high.append(i1); weight.append(lambda)
        }
    }

    /// The same for a scale 1/d: the source coordinate is (o + ½)·d − ½.
    static func tap(_ o: Int, input n: Int, downscale d: Int) -> (Int, Int, Float) {
        let source = max(0, (Float(o) + 0.5) * Float(d) - 0.5)
        let i0 = min(Int(source), n - 1)
        return (i0, min(i0 + 1, n - 1), source - Float(i0))
    }

    /// PyTorch's `area_pixel_compute_source_index` (align_corners false, clamped at 0) for output o.
    static func tap(_ o: Int, input n: Int, scale s: Int) -> (Int, Int, Float) {
        let source = max(0, (Float(o) + 0.5) / Float(s) - 0.5)
        let i0 = min(Int(source), n - 1)
        return (i0, min(i0 + 1, n - 1), source - Float(i0))
    }
}

/// The same pixel by pixel, straight from the definition: the reference ``resizeBilinear(_:scaleFactor:)`` is tested against.
func resizeBilinearReference(_ x: Tensor, scaleFactor s: Int) -> Tensor {
    let n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3]
    var y = [Float](repeating: 0, count: n * c * h * s * w * s)
    func at(_ b: Int, _ ch: Int, _ i: Int, _ j: Int) -> Float { x.storage[((b * c + ch) * h + i) * w + j] }
    for b in 0..<n { for ch in 0..<c { for oy in 0..<(h * s) { for ox in 0..<(w * s) {
        let (y0, y1, ly) = BilinearTaps.tap(oy, input: h, scale: s), (x0, x1, lx) = BilinearTaps.tap(ox, input: w, scale: s)
        let v = (1 - ly) * ((1 - lx) * at(b, ch, y0, x0) + lx * at(b, ch, y0, x1)) + ly * ((1 - lx) * at(b, ch, y1, x0) + lx * at(b, ch, y1, x1))
        y[((b * c + ch) * h * s + oy) * w * s + ox] = v
    } } } }
    return Tensor(shape: [n, c, h * s, w * s], storage: y)
}

/// ``resizeBilinear(_:downscaleFactor:)`` pixel by pixel, straight from the definition.
func resizeBilinearReference(_ x: Tensor, downscaleFactor d: Int) -> Tensor {
    let n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3], ho = h / d, wo = w / d
    var y = [Float](repeating: 0, count: n * c * ho * wo)
    func at(_ b: Int, _ ch: Int, _ i: Int, _ j: Int) -> Float { x.storage[((b * c + ch) * h + i) * w + j] }
    for b in 0..<n { for ch in 0..<c { for oy in 0..<ho { for ox in 0..<wo {
        let (y0, y1, ly) = BilinearTaps.tap(oy, input: h, downscale: d), (x0, x1, lx) = BilinearTaps.tap(ox, input: w, downscale: d)
        let v = (1 - ly) * ((1 - lx) * at(b, ch, y0, x0) + lx * at(b, ch, y0, x1)) + ly * ((1 - lx) * at(b, ch, y1, x0) + lx * at(b, ch, y1, x1))
        y[((b * c + ch) * ho + oy) * wo + ox] = v
    } } } }
    return Tensor(shape: [n, c, ho, wo], storage: y)
}
