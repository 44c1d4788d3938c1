/// A value grid over a plane rendered through a colormap (e.g. a density map of a latent space), with a
/// colour bar, optional contour lines (e.g. per-class densities) and optional scatter points on top.
///
/// Grid layout: `values[row * columns + column]`, row 0 at `yRange.lowerBound` (bottom), column 0 at
/// `xRange.lowerBound`; each value is the sample at its cell centre. Non-finite cells are drawn light grey.
public struct HeatMap: Chart, Sendable {
    /// Iso-lines of another grid with the same shape as the heat map's grid.
    public struct ContourOverlay: Sendable {
        public var values: [Double]
        /// Levels to trace; nil picks 25 %, 50 % and 75 % of the grid's maximum.
        public var levels: [Double]?
        public var color: RGBColor
        /// Legend name (nil: not in the legend).
        public var name: String?
        public var lineWidth: Double

        public init(values: [Double], levels: [Double]? = nil, color: RGBColor, name: String? = nil, lineWidth: Double = 1.5) {
            self.values = values
            self.levels = levels
            self.color = color
            self.name = name
            self.lineWidth = lineWidth
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var values: [Double]
    public var rows: Int
    public var columns: Int
    public var xRange: ClosedRange<Double>
    public var yRange: ClosedRange<Double>
    public var colormap: Colormap
    /// Values mapped to the ends of the colormap; nil uses the grid's finite min…max.
    public var valueRange: ClosedRange<Double>?
    /// Label beside the colour bar.
    public var colorbarLabel: String
    /// Bilinear smoothing between cell centres (false draws flat cells).
    public var smooth: Bool
    public var contours: [ContourOverlay]
    public var points: LabeledPoints?
    public var pointRadius: Double
    public var width: Int
    public var height: Int

    public init(title: String = "", xLabel: String = "", yLabel: String = "", values: [Double], rows: Int, columns: Int,
                xRange: ClosedRange<Double>, yRange: ClosedRange<Double>, colormap: Colormap = .viridis,
                valueRange: ClosedRange<Double>? = nil, colorbarLabel: String = "", smooth: Bool = true,
                contours: [ContourOverlay] = [], points: LabeledPoints? = nil, pointRadius: Double = 2.5,
                width: Int = 640, height: Int = 520) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.values = values
        self.rows = rows
        self.columns = columns
        self.xRange = xRange
        self.yRange = yRange
        self.colormap = colormap
        self.valueRange = valueRange
        self.colorbarLabel = colorbarLabel
        self.smooth = smooth
        self.contours = contours
        self.points = points
        self.pointRadius = pointRadius
        self.width = width
        self.height = height
    }

    public func figure() -> Figure {
        let finite = values.filter(\.isFinite)
        let low = valueRange?.lowerBound ?? finite.min() ?? 0
        var high = valueRange?.upperBound ?? finite.max() ?? 1
        if !(high > low) { high = low + 1 }
        let barScale = AxisScale(range: low...high)
        let barLabels = barScale.labels(for: barScale.ticks())
        let barWidth = 16 + 14 + 6 + Double(barLabels.map { BitmapFont.width(of: $0) }.max() ?? 0)
            + (colorbarLabel.isEmpty ? 8 : 8 + 7 + 8)
        let legend = legendEntries()
        let legendWidth = PlotFrame.legendWidth(names: legend.map(\.name))
        let frame = PlotFrame(width: width, height: height, title: title, xLabel: xLabel, yLabel: yLabel,
                              xScale: AxisScale(range: xRange), yScale: AxisScale(range: yRange),
                              rightReserve: barWidth + legendWidth)
        var figure = Figure(width: width, height: height)
        frame.drawBackground(into: &figure, grid: false)
        guard rows > 0, columns > 0, values.count == rows * columns else {
            GridLayer.drawProblem("grid has \(values.count) values, expected \(rows)x\(columns)", frame: frame, into: &figure)
            frame.drawAxes(into: &figure)
            return figure
        }
        let missing = RGBColor(grey: 220)
        let layer = GridLayer.image(frame: frame, rows: rows, columns: columns) { u, v in
            let value = smooth ? GridLayer.bilinear(values, rows: rows, columns: columns, u: u, v: v)
                               : values[GridLayer.nearestIndex(rows: rows, columns: columns, u: u, v: v)]
            return value.isFinite ? colormap.color((value - low) / (high - low)) : missing
        }
        figure.add(.image(layer, x: Int(frame.plotLeft), y: Int(frame.plotTop)))
        for overlay in contours where overlay.values.count == rows * columns {
            let peak = overlay.values.filter(\.isFinite).max() ?? 0
            let levels = overlay.levels ?? (peak > 0 ? [0.25, 0.5, 0.75].map { $0 * peak } : [])
            for level in levels {
                let segments = ContourLines.segments(values: overlay.values, rows: rows, columns: columns, level: level)
                figure.add(.segments(GridLayer.pixels(segments, frame: frame, rows: rows, columns: columns),
                                     color: overlay.color, width: overlay.lineWidth))
            }
        }
        if let points {
            ScatterPlot.drawPoints(points, in: frame, radius: pointRadius, opacity: 0.9, outline: .white, into: &figure)
        }
        frame.drawAxes(into: &figure)
        drawColorbar(frame: frame, scale: barScale, low: low, high: high, into: &figure)
        frame.drawLegend(legend, into: &figure, left: frame.plotRight + barWidth + 16)
        return figure
    }

    private func legendEntries() -> [(name: String, color: RGBColor, swatch: LegendSwatch)] {
        var entries: [(name: String, color: RGBColor, swatch: LegendSwatch)] = contours.compactMap { overlay in
            overlay.name.map { ($0, overlay.color, .line) }
        }
        if let points, points.labels != nil {
            entries += points.classesPresent.map { (points.className($0), ColorPalette.color($0), .dot) }
        }
        return entries
    }

    private func drawColorbar(frame: PlotFrame, scale: AxisScale, low: Double, high: Double, into figure: inout Figure) {
        let left = Int(frame.plotRight) + 16, top = Int(frame.plotTop), h = Int(frame.plotHeight)
        var bar = PixelImage(width: 14, height: h, channels: 3)
        for y in 0..<h {
            let color = colormap.color(1 - (Double(y) + 0.5) / Double(h))
            for x in 0..<14 { bar.setColor(color, x: x, y: y) }
        }
        figure.add(.image(bar, x: left, y: top))
        figure.addRectangle(x: Double(left), y: Double(top), width: 14, height: Double(h), fill: nil,
                            stroke: PlotFrame.axisColor, strokeWidth: 1)
        let ticks = scale.ticks()
        var marks: [FigurePoint] = []
        for (t, label) in zip(ticks, scale.labels(for: ticks)) {
            let y = PlotFrame.crisp(frame.plotBottom - (t - low) / (high - low) * frame.plotHeight)
            marks += [FigurePoint(x: Double(left + 14), y: y), FigurePoint(x: Double(left + 18), y: y)]
            figure.addText(label, x: Double(left + 21), y: y - 3.5, color: PlotFrame.textColor)
        }
        figure.add(.segments(marks, color: PlotFrame.axisColor, width: 1))
        if !colorbarLabel.isEmpty {
            let labelWidth = Double(scale.labels(for: ticks).map { BitmapFont.width(of: $0) }.max() ?? 0)
            figure.addText(colorbarLabel, x: Double(left + 21) + labelWidth + 8, y: (frame.plotTop + frame.plotBottom) / 2,
                           color: PlotFrame.textColor, anchor: .middle, rotated: true)
        }
    }
}
