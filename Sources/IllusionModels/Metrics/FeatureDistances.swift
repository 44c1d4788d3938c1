import Foundation

/// Euclidean distances between rows of two feature matrices, computed block by block so that
/// 10 000 × 10 000 never needs a full matrix: ‖a − b‖² = ‖a‖² + ‖b‖² − 2a·b with the products by
/// GEMM (Float) and the norms in Double; clamped at 0 against cancellation.
///
/// Decisions that compare two distances (is b inside a's k-NN ball?) are not left to that
/// approximation where it could decide them: its rounding depends on where a row falls in
/// OpenBLAS's tiles (so on the CPU, and on the order of the rows), and a tie — a fake that IS a
/// real's k-th neighbour — could go either way. Within ``approximationBound(_:_:_:)`` of the
/// threshold the distance is recomputed as ``exactDistance(_:to:_:)`` (Σ (a − b)² in Double, the
/// same value for the same pair of vectors wherever they sit), and the k-th neighbour distance is
/// taken among exact distances. The figures are then the same on every CPU and thread count.
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
    /// at distance 0, is not counted): prdc's `compute_nearest_neighbour_distances`. Exact
    /// (``exactDistance(_:to:_:)``): the GEMM distances choose the candidates — every row whose
    /// squared distance could be at most the k + 1-th smallest (self included) within the bound.
    public func kthNeighbourDistances(k: Int) -> [Double] {
        require(k >= 1 && k < count, "FeatureRows: k = \(k) needs more than \(k) rows, got \(count)")
        var radii = [Double](repeating: 0, count: count)
        let largestNorm = squaredNorms.max() ?? 0
        forEachDistanceBlock(to: self) { start, d in
            let rows = d.count / count
            for i in 0..<rows {
                let row = start + i
                let largest = approximationBound(squaredNorms[row], largestNorm)
                // The k + 1 smallest approximate values of the row, self included (distance 0).
                var smallest = [Double](repeating: .infinity, count: k + 1)
                for j in 0..<count {
                    let v = row == j ? 0 : d[i * count + j]
                    if v < smallest[k] {
                        var p = k
                        while p > 0 && smallest[p - 1] > v { smallest[p] = smallest[p - 1]; p -= 1 }
                        smallest[p] = v
                    }
                }
                // The k + 1-th smallest exact distance E satisfies E² ≤ smallest[k]² + B (B: the largest
                // bound of row against any row), so only rows j with approx² − bound_j ≤ that can be
                // among the k + 1 nearest: those are the candidates, measured exactly.
                let cut = smallest[k] * smallest[k] + largest
                var exact: [Double] = [0]
                for j in 0..<count where j != row {
                    let v = d[i * count + j]
                    if v * v <= cut + approximationBound(row, self, j) { exact.append(exactDistance(row, to: self, j)) }
                }
                exact.sort()
                radii[row] = exact[k]
            }
        }
        return radii
    }

    /// Whether row `i` of this matrix is strictly closer than `radius` (an exact distance) to row
    /// `j` of `other`, given their approximate distance `approximate` from ``forEachDistanceBlock``:
    /// the approximation decides unless it is within its bound of the radius, then the exact distance.
    @inline(__always)
    public func isCloser(_ i: Int, to other: FeatureRows, _ j: Int, approximate: Double, than radius: Double) -> Bool {
        let gap = approximate * approximate - radius * radius
        let bound = approximationBound(i, other, j)
        if gap < -bound { return true }
        if gap > bound { return false }
        return exactDistance(i, to: other, j) < radius
    }

    /// ‖a − b‖ for row `i` of this matrix and row `j` of `other`, summed in Double in column order.
    public func exactDistance(_ i: Int, to other: FeatureRows, _ j: Int) -> Double {
        var sum = 0.0
        values.withUnsafeBufferPointer { a in other.values.withUnsafeBufferPointer { b in
            let pa = a.baseAddress! + i * columns, pb = b.baseAddress! + j * columns
            for c in 0..<columns { let t = Double(pa[c]) - Double(pb[c]); sum += t * t }
        } }
        return sum.squareRoot()
    }

    /// A bound on |approximate² − exact²| for rows i and j: the Float GEMM's a·b is off by at most
    /// K·u·‖a‖‖b‖ (K columns, u = 2⁻²⁴) ≤ K·u·(‖a‖² + ‖b‖²)/2, doubled in ‖a‖² + ‖b‖² − 2a·b; twice
    /// that again for margin, plus the Double arithmetic.
    @inline(__always)
    func approximationBound(_ i: Int, _ other: FeatureRows, _ j: Int) -> Double {
        approximationBound(squaredNorms[i], other.squaredNorms[j])
    }

    /// ``approximationBound(_:_:_:)`` for two rows of squared norms `a` and `b`.
    @inline(__always)
    func approximationBound(_ a: Double, _ b: Double) -> Double {
        (Double(columns) * 2.4e-7 + 1e-13) * (a + b) + 1e-300
    }
}
