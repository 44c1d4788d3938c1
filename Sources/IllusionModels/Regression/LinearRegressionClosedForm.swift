import Foundation

/// Ordinary least squares in closed form: the (w, b) minimising Σᵢ (xᵢ·w + b − yᵢ)².
///
/// Solves min ‖Aθ − y‖ with A = [X | 1] through the SVD (LAPACK `dgelsd`, see
/// ``LinearAlgebra/leastSquares(_:rows:columns:_:rcond:)``) — not the normal equations, whose
/// AᵀA squares the condition number and overflows for features around 10¹⁵⁴. Throws when the
/// features are collinear (rank of A below d + 1), when a value is not finite, or when the solution
/// overflows; ``gaussianElimination(_:size:)`` on the normal equations stays as the tests' reference.
public enum LeastSquares {
    public static func solve(_ data: RegressionData) throws -> (weights: [Double], bias: Double) {
        let d = data.featureCount, m = d + 1
        guard data.count >= m else {
            throw ModelError.invalidArgument("least squares needs at least \(m) samples for \(d) features, got \(data.count)")
        }
        if let i = data.features.firstIndex(where: { !$0.isFinite }) {
            throw ModelError.invalidArgument("least squares: feature \(data.featureNames[i % d]) of sample \(i / d) is \(data.features[i])")
        }
        if let i = data.targets.firstIndex(where: { !$0.isFinite }) {
            throw ModelError.invalidArgument("least squares: target \(data.targetName) of sample \(i) is \(data.targets[i])")
        }
        // Each column scaled to a largest magnitude of 1 (so features of any unit compare with the
        // intercept column when the rank is judged), solved, and the solution scaled back.
        var scales = [Double](repeating: 0, count: m)
        for i in 0..<data.count { for j in 0..<d { scales[j] = max(scales[j], abs(data.features[i * d + j])) } }
        scales = scales.map { $0 > 0 ? $0 : 1 }
        scales[d] = 1
        var a = [Double](repeating: 1, count: data.count * m)
        for i in 0..<data.count { for j in 0..<d { a[i * m + j] = data.features[i * d + j] / scales[j] } }
        var fit = LinearAlgebra.leastSquares(a, rows: data.count, columns: m, data.targets)
        fit.solution = zip(fit.solution, scales).map { $0 / $1 }
        guard fit.singularValues.allSatisfy(\.isFinite), fit.solution.allSatisfy(\.isFinite) else {
            throw ModelError.invalidArgument("least squares: overflow (the features or targets are too large for Float64; rescale them)")
        }
        guard fit.rank == m else {
            throw ModelError.invalidArgument("least squares: the features are collinear (rank \(fit.rank) of \(m) columns including the intercept)")
        }
        return (Array(fit.solution[0..<d]), fit.solution[d])
    }

    /// Reference: the normal equations (AᵀA)θ = Aᵀy by Gaussian elimination with partial pivoting.
    static func normalEquations(_ data: RegressionData) throws -> (weights: [Double], bias: Double) {
        let d = data.featureCount, m = d + 1
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
        guard a.allSatisfy(\.isFinite) else {
            throw ModelError.invalidArgument("least squares: overflow in the normal equations (AᵀA is not finite; rescale the features)")
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
