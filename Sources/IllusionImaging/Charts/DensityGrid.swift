import Foundation

/// Density estimates on a regular grid, for heat maps and contour overlays.
public enum DensityGrid {
    /// Gaussian kernel density of the points, evaluated at the cell centres of a `rows × columns` grid
    /// spanning `xRange × yRange`. Row-major; row 0 is at `yRange.lowerBound`, column 0 at `xRange.lowerBound`.
    /// The result integrates to ~1 over the plane (units: 1 / (x-unit · y-unit)).
    /// `bandwidth` is the kernel standard deviation in data units; nil uses Scott's rule per axis.
    /// Non-finite points are ignored; an empty input gives all zeros.
    public static func gaussianKDE(xs: [Double], ys: [Double], xRange: ClosedRange<Double>, yRange: ClosedRange<Double>,
                                   rows: Int, columns: Int, bandwidth: Double? = nil) -> [Double] {
        let rows = Swift.max(1, rows), columns = Swift.max(1, columns)
        var grid = [Double](repeating: 0, count: rows * columns)
        let points = zip(xs, ys).filter { $0.0.isFinite && $0.1.isFinite }
        guard !points.isEmpty else { return grid }
        let n = Double(points.count)
        func spread(_ values: [Double]) -> Double {
            let mean = values.reduce(0, +) / n
            return (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Swift.max(1, n - 1)).squareRoot()
        }
        let scott = pow(n, -1.0 / 6.0)
        let xSpan = xRange.upperBound - xRange.lowerBound, ySpan = yRange.upperBound - yRange.lowerBound
        var hx = bandwidth ?? spread(points.map(\.0)) * scott
        var hy = bandwidth ?? spread(points.map(\.1)) * scott
        if !(hx > 0) { hx = Swift.max(xSpan, 1e-9) / 20 }
        if !(hy > 0) { hy = Swift.max(ySpan, 1e-9) / 20 }
        let dx = xSpan / Double(columns), dy = ySpan / Double(rows)
        guard dx > 0, dy > 0 else { return grid }
        let norm = 1 / (2 * Double.pi * hx * hy * n)
        let reachX = Int((4 * hx / dx).rounded(.up)), reachY = Int((4 * hy / dy).rounded(.up))
        for (px, py) in points {
            let cc = Int(((px - xRange.lowerBound) / dx).rounded(.down)), rc = Int(((py - yRange.lowerBound) / dy).rounded(.down))
            let r0 = Swift.max(0, rc - reachY), r1 = Swift.min(rows - 1, rc + reachY)
            let c0 = Swift.max(0, cc - reachX), c1 = Swift.min(columns - 1, cc + reachX)
            guard r0 <= r1, c0 <= c1 else { continue }
            for r in r0...r1 {
                let gy = (yRange.lowerBound + (Double(r) + 0.5) * dy - py) / hy
                for c in c0...c1 {
                    let gx = (xRange.lowerBound + (Double(c) + 0.5) * dx - px) / hx
                    grid[r * columns + c] += norm * exp(-0.5 * (gx * gx + gy * gy))
                }
            }
        }
        return grid
    }
}
