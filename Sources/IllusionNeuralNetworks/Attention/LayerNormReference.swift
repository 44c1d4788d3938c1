import Foundation
import IllusionTensors

// The Swift loops the C kernels of `NormRows.h` equal bit for bit (`TransformerKernelTests`): the
// slow, plain forms of ``layerNorm``'s three row passes. Same formulas and order: Double row sums
// by ``rowSum`` (four interleaved partial sums), then Float arithmetic left to right.

/// Rows of `n` values of x → y = x̂·w + b, x̂ = (x − μ)·r (kept in `h`), r = 1/√(σ² + eps) per row.
func referenceLayerNormForward(_ X: UnsafePointer<Float>, weight W: UnsafePointer<Float>, bias B: UnsafePointer<Float>,
                               y Y: UnsafeMutablePointer<Float>, normalized H: UnsafeMutablePointer<Float>,
                               inverseStd R: UnsafeMutablePointer<Float>, rows: Int, size n: Int, eps: Float) {
    for row in 0..<rows {
        let xr = X + row * n, hr = H + row * n, yr = Y + row * n
        let mean = rowSum(n) { Double(xr[$0]) } / Double(n)
        let squares = rowSum(n) { let d = Double(xr[$0]) - mean; return d * d }
        let r = Float(1 / (squares / Double(n) + Double(eps)).squareRoot())
        R[row] = r
        let mu = Float(mean)
        for j in 0..<n {
            let h = (xr[j] - mu) * r
            hr[j] = h
            yr[j] = h * W[j] + B[j]
        }
    }
}

/// dx = r·(g⊙w − mean(g⊙w) − x̂·mean(g⊙w⊙x̂)) per row; added into `dx` with `accumulate`.
func referenceLayerNormBackward(gradient G: UnsafePointer<Float>, normalized H: UnsafePointer<Float>,
                                weight W: UnsafePointer<Float>, inverseStd R: UnsafePointer<Float>,
                                dx D: UnsafeMutablePointer<Float>, rows: Int, size n: Int, accumulate: Bool) {
    for row in 0..<rows {
        let gr = G + row * n, hr = H + row * n, dr = D + row * n
        let meanG = Float(rowSum(n) { Double(gr[$0] * W[$0]) } / Double(n))
        let meanGH = Float(rowSum(n) { Double(gr[$0] * W[$0] * hr[$0]) } / Double(n))
        let r = R[row]
        for j in 0..<n {
            let d = r * (gr[j] * W[j] - meanG - hr[j] * meanGH)
            dr[j] = accumulate ? dr[j] + d : d
        }
    }
}

/// dw = Σ_rows g⊙x̂ and db = Σ_rows g, over rows in order (each starts at 0).
func referenceLayerNormParameterGradients(gradient G: UnsafePointer<Float>, normalized H: UnsafePointer<Float>,
                                          rows: Int, size n: Int) -> (dw: [Float], db: [Float]) {
    var dw = [Float](repeating: 0, count: n), db = [Float](repeating: 0, count: n)
    for row in 0..<rows {
        for j in 0..<n {
            dw[j] += G[row * n + j] * H[row * n + j]
            db[j] += G[row * n + j]
        }
    }
    return (dw, db)
}
