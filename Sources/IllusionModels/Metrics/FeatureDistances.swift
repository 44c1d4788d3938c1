import Foundation

/// Euclidean distances between rows of two feature matrices, computed block by block so that
/// 10 000 × 10 000 never needs a full matrix: ‖a − b‖² = ‖a‖² + ‖b‖² − 2a·b with the products by
/// GEMM (Float) and the norms in Double; clamped at 0 against cancellation.
public struct FeatureRows {
    /// `[count, columns]` row-major.
    public let values: [Float]
    public let count: Int
    public let columns: Int
    let squaredNorms: [Double]

    public init(values: [Float], rows: Int, columns: Int) {
        require(values.count == rows * columns && rows >= 1 && columns >= 1,
                "FeatureRows: \(values.count) values for \(rows) rows × \(columns) columns")
        self.values = values; self.count = rows; self.columns = columns
        squaredNorms = (0..<rows).map { r in (0..<columns).reduce(0.0) { $0 + Double(values[r * columns + $1]) * Double(values[r * columns + $1]) } }
    }

    /// Calls `body(firstRow, distances)` for consecutive blocks of this matrix's rows against every
    /// row of `other`; `distances` is `[blockRows, other.count]` row-major.
    public func forEachDistanceBlock(to other: FeatureRows, blockRows: Int = 1000, _ body: (Int, [Double]) -> Void) {
        require(columns == other.columns, "FeatureRows: \(columns) columns against \(other.columns)")
        let b = Tensor(shape: [other.count, columns], storage: other.values).transposed()
        var start = 0
        while start < count {
            let end = min(count, start + blockRows)
            let a = Tensor(shape: [end - start, columns], storage: Array(values[(start * columns)..<(end * columns)]))
            let products = noGrad { a.matmul(b) }.storage
            var d = [Double](repeating: 0, count: (end - start) * other.count)
            for i in 0..<(end - start) {
                for j in 0..<other.count {
                    d[i * other.count + j] = max(0, squaredNorms[start + i] + other.squaredNorms[j] - 2 * Double(products[i * other.count + j])).squareRoot()
                }
            }
            body(start, d)
            start = end
        }
    }

    /// The distance from each row to its k-th nearest *other* row of the same matrix (the row itself,
    /// at distance 0, is not counted): prdc's `compute_nearest_neighbour_distances`.
    public func kthNeighbourDistances(k: Int) -> [Double] {
        require(k >= 1 && k < count, "FeatureRows: k = \(k) needs more than \(k) rows, got \(count)")
        var radii = [Double](repeating: 0, count: count)
        forEachDistanceBlock(to: self) { start, d in
            let rows = d.count / count
            for i in 0..<rows {
                // The k + 1 smallest values of the row, self included (distance ≈ 0).
                var smallest = [Double](repeating: .infinity, count: k + 1)
                for j in 0..<count {
                    let v = start + i == j ? 0 : d[i * count + j]
                    if v < smallest[k] {
                        var p = k
                        while p > 0 && smallest[p - 1] > v { smallest[p] = smallest[p - 1]; p -= 1 }
                        smallest[p] = v
                    }
                }
                radii[start + i] = smallest[k]
            }
        }
        return radii
    }
}
