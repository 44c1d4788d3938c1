/// Iso-lines of a value grid by marching squares (saddles resolved by the cell-centre average).
public enum ContourLines {
    /// Segments where the grid crosses `level`, as a flat list of endpoint pairs in grid coordinates
    /// (`x` = column index, `y` = row index; sample (row r, column c) sits at (c, r)), linearly interpolated.
    /// `values` is row-major `rows × columns`; a wrong count or non-finite cells yield no segments there.
    public static func segments(values: [Double], rows: Int, columns: Int, level: Double) -> [FigurePoint] {
        guard rows >= 2, columns >= 2, values.count == rows * columns, level.isFinite else { return [] }
        var out: [FigurePoint] = []
        for r in 0..<(rows - 1) {
            for c in 0..<(columns - 1) {
                let v00 = values[r * columns + c], v10 = values[r * columns + c + 1]
                let v01 = values[(r + 1) * columns + c], v11 = values[(r + 1) * columns + c + 1]
                guard v00.isFinite, v10.isFinite, v01.isFinite, v11.isFinite else { continue }
                func crossing(_ a: Double, _ b: Double) -> Double? {
                    (a >= level) != (b >= level) ? (level - a) / (b - a) : nil
                }
                let x = Double(c), y = Double(r)
                // Edges in order around the cell: bottom (r), right (c+1), top (r+1), left (c).
                let e0 = crossing(v00, v10).map { FigurePoint(x: x + $0, y: y) }
                let e1 = crossing(v10, v11).map { FigurePoint(x: x + 1, y: y + $0) }
                let e2 = crossing(v11, v01).map { FigurePoint(x: x + 1 - $0, y: y + 1) }
                let e3 = crossing(v01, v00).map { FigurePoint(x: x, y: y + 1 - $0) }
                let found = [e0, e1, e2, e3].compactMap { $0 }
                if found.count == 2 {
                    out += found
                } else if found.count == 4, let e0, let e1, let e2, let e3 {
                    let centreAbove = (v00 + v10 + v01 + v11) / 4 >= level
                    if centreAbove == (v00 >= level) {
                        out += [e0, e1, e2, e3]
                    } else {
                        out += [e3, e0, e1, e2]
                    }
                }
            }
        }
        return out
    }
}
