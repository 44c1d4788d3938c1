/// Paints a row-major value grid (row 0 at the bottom) into the plot rectangle of a ``PlotFrame``
/// as an image, one colour per plot pixel. Shared by ``HeatMap`` and ``ClassRegionMap``.
enum GridLayer {
    /// Grid coordinates (column, row) of the centre of plot pixel (px, py), with cell centres at integers.
    static func gridPosition(px: Int, py: Int, frame: PlotFrame, rows: Int, columns: Int) -> (Double, Double) {
        let u = (Double(px) + 0.5) / frame.plotWidth * Double(columns) - 0.5
        let v = (frame.plotHeight - (Double(py) + 0.5)) / frame.plotHeight * Double(rows) - 0.5
        return (u, v)
    }

    /// Bilinear sample with edge clamping; non-finite neighbours are ignored (NaN if all are).
    static func bilinear(_ values: [Double], rows: Int, columns: Int, u: Double, v: Double) -> Double {
        let cu = Swift.min(Double(columns - 1), Swift.max(0, u)), cv = Swift.min(Double(rows - 1), Swift.max(0, v))
        let c0 = Int(cu), r0 = Int(cv)
        let c1 = Swift.min(columns - 1, c0 + 1), r1 = Swift.min(rows - 1, r0 + 1)
        let tu = cu - Double(c0), tv = cv - Double(r0)
        var sum = 0.0, weight = 0.0
        for (r, wr) in [(r0, 1 - tv), (r1, tv)] {
            for (c, wc) in [(c0, 1 - tu), (c1, tu)] {
                let value = values[r * columns + c], w = wr * wc
                if value.isFinite && w > 0 { sum += value * w; weight += w }
            }
        }
        return weight > 0 ? sum / weight : .nan
    }

    /// Index of the nearest cell.
    static func nearestIndex(rows: Int, columns: Int, u: Double, v: Double) -> Int {
        let c = Swift.min(columns - 1, Swift.max(0, Int((u + 0.5).rounded(.down))))
        let r = Swift.min(rows - 1, Swift.max(0, Int((v + 0.5).rounded(.down))))
        return r * columns + c
    }

    /// An RGB image of the plot rectangle's size; `color(u, v)` gives each pixel's colour from grid coordinates.
    static func image(frame: PlotFrame, rows: Int, columns: Int, color: (Double, Double) -> RGBColor) -> PixelImage {
        let w = Int(frame.plotWidth), h = Int(frame.plotHeight)
        var image = PixelImage(width: w, height: h, channels: 3, fill: .white)
        for py in 0..<h {
            for px in 0..<w {
                let (u, v) = gridPosition(px: px, py: py, frame: frame, rows: rows, columns: columns)
                image.setColor(color(u, v), x: px, y: py)
            }
        }
        return image
    }

    /// Converts flat grid-coordinate points (from ``ContourLines``) to plot pixels.
    static func pixels(_ points: [FigurePoint], frame: PlotFrame, rows: Int, columns: Int) -> [FigurePoint] {
        points.map {
            FigurePoint(x: frame.plotLeft + ($0.x + 0.5) / Double(columns) * frame.plotWidth,
                        y: frame.plotBottom - ($0.y + 0.5) / Double(rows) * frame.plotHeight)
        }
    }

    /// A problem message drawn in place of a map whose inputs are inconsistent.
    static func drawProblem(_ message: String, frame: PlotFrame, into figure: inout Figure) {
        figure.addText(message, x: (frame.plotLeft + frame.plotRight) / 2, y: (frame.plotTop + frame.plotBottom) / 2,
                       color: RGBColor(hex: 0xB00020), anchor: .middle)
    }
}
