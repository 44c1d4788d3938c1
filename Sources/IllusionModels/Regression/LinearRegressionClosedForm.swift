import Foundation

/// Ordinary least squares in closed form: the (w, b) minimising Σᵢ (xᵢ·w + b − yᵢ)².
///
/// Solves the normal equations (AᵀA)θ = Aᵀy with A = [X | 1] by Gaussian elimination with partial
/// pivoting in Double. Throws when the features are collinear (AᵀA singular).
public enum LeastSquares {
    public static func solve(_ data: RegressionData) throws -> (weights: [Double], bias: Double) {
        let d = data.featureCount, m = d + 1
        guard data.count >= m else {
            throw ModelError.invalidArgument("least squares needs at least \(m) samples for \(d) features, got \(data.count)")
        }
        // Augmented normal-equation matrix [AᵀA | Aᵀy], m × (m + 1).
        var a = [Double](repeating: 0, count: m * (m + 1))
        var row = [Double](repeating: 1, count: m)
        for i in 0..<data.count {
            for j in 0..<d { row[j] = data.features[i * d + j] }
            let y = data.targets[i]
            for r in 0..<m {
                for c in 0..<m { a[r * (m + 1) + c] += row[r] * row[c] }
                a[r * (m + 1) + m] += row[r] * y
            }
        }
        let theta = try gaussianElimination(&a, size: m)
        return (Array(theta[0..<d]), theta[d])
    }

    /// Solves the m × m system stored as an augmented m × (m + 1) matrix.
    static func gaussianElimination(_ a: inout [Double], size m: Int) throws -> [Double] {
        let w = m + 1
        let scale = (0..<m).map { abs(a[$0 * w + $0]) }.max() ?? 1
        for col in 0..<m {
            var pivot = col
            for r in (col + 1)..<max(col + 1, m) where abs(a[r * w + col]) > abs(a[pivot * w + col]) { pivot = r }
            guard abs(a[pivot * w + col]) > 1e-12 * max(scale, 1e-300) else {
                throw ModelError.invalidArgument("least squares: the features are collinear (the normal equations are singular)")
            }
            if pivot != col { for c in 0..<w { a.swapAt(col * w + c, pivot * w + c) } }
            for r in 0..<m where r != col {
                let f = a[r * w + col] / a[col * w + col]
                if f == 0 { continue }
                for c in col..<w { a[r * w + c] -= f * a[col * w + c] }
            }
        }
        return (0..<m).map { a[$0 * w + m] / a[$0 * w + $0] }
    }
}
