/// 2-D points coloured by class (e.g. a latent space), with a legend naming the classes.
public struct ScatterPlot: Chart, Sendable {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var points: LabeledPoints
    /// Dot radius in pixels.
    public var pointRadius: Double
    /// Dot opacity 0…1 (below 1 shows density where points overlap).
    public var opacity: Double
    public var width: Int
    public var height: Int

    public init(title: String = "", xLabel: String = "", yLabel: String = "", points: LabeledPoints,
                pointRadius: Double = 3, opacity: Double = 0.8, width: Int = 640, height: Int = 520) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.points = points
        self.pointRadius = pointRadius
        self.opacity = opacity
        self.width = width
        self.height = height
    }

    public func figure() -> Figure {
        let n = points.count
        let xScale = AxisScale(covering: Array(points.xs.prefix(n)), padding: 0.04, nice: true)
        let yScale = AxisScale(covering: Array(points.ys.prefix(n)), padding: 0.04, nice: true)
        let classes = points.labels == nil ? [] : points.classesPresent
        let names = classes.map { points.className($0) }
        let frame = PlotFrame(width: width, height: height, title: title, xLabel: xLabel, yLabel: yLabel,
                              xScale: xScale, yScale: yScale, rightReserve: PlotFrame.legendWidth(names: names))
        var figure = Figure(width: width, height: height)
        frame.drawBackground(into: &figure)
        ScatterPlot.drawPoints(points, in: frame, radius: pointRadius, opacity: opacity, outline: nil, into: &figure)
        frame.drawAxes(into: &figure)
        frame.drawLegend(zip(classes, names).map { ($0.1, ColorPalette.color($0.0), .dot) }, into: &figure)
        return figure
    }

    /// Draws the points (skipping non-finite ones) in data coordinates of `frame`.
    static func drawPoints(_ points: LabeledPoints, in frame: PlotFrame, radius: Double, opacity: Double,
                           outline: RGBColor?, into figure: inout Figure) {
        for i in 0..<points.count {
            let x = points.xs[i], y = points.ys[i]
            guard x.isFinite, y.isFinite else { continue }
            figure.add(.circle(center: FigurePoint(x: frame.x(x), y: frame.y(y)), radius: radius,
                               fill: ColorPalette.color(points.label(at: i)), stroke: outline, opacity: opacity))
        }
    }
}
