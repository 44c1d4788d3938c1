/// Several named series against a shared x axis, e.g. training and validation loss per epoch.
///
/// Non-finite values are skipped (the line breaks there); with `logarithmicY`, values ≤ 0 are skipped too.
/// Points are marked with dots when a series has at most 40 points.
public struct LineChart: Chart, Sendable {
    public struct Series: Sendable {
        public var name: String
        /// y values.
        public var values: [Double]
        /// x values; nil means 1, 2, 3, … (epochs).
        public var xs: [Double]?
        /// nil picks `ColorPalette.color(index)`.
        public var color: RGBColor?

        /// `values` may be `[Double]` or `[Float]` (e.g. losses straight from training).
        public init<Value: BinaryFloatingPoint>(name: String, values: [Value], xs: [Double]? = nil, color: RGBColor? = nil) {
            self.name = name
            self.values = values.map { Double($0) }
            self.xs = xs
            self.color = color
        }

        func points() -> [(Double, Double)] {
            let n = xs.map { Swift.min($0.count, values.count) } ?? values.count
            return (0..<n).map { (xs?[$0] ?? Double($0 + 1), values[$0]) }
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    public var logarithmicY: Bool
    /// x ticks only at whole numbers (epochs).
    public var wholeNumberX: Bool
    /// Size in pixels.
    public var width: Int
    public var height: Int

    public init(title: String = "", xLabel: String = "epoch", yLabel: String = "", series: [Series],
                logarithmicY: Bool = false, width: Int = 720, height: Int = 440, wholeNumberX: Bool = false) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.logarithmicY = logarithmicY
        self.wholeNumberX = wholeNumberX
        self.width = width
        self.height = height
    }

    public func figure() -> Figure {
        let all = series.flatMap { $0.points() }
        var xScale = AxisScale(covering: all.map(\.0), padding: 0, nice: true)
        xScale.wholeNumberTicks = wholeNumberX
        let yScale = AxisScale(covering: all.map(\.1), logarithmic: logarithmicY, padding: 0.03, nice: true)
        let frame = PlotFrame(width: width, height: height, title: title, xLabel: xLabel, yLabel: yLabel,
                              xScale: xScale, yScale: yScale,
                              rightReserve: PlotFrame.legendWidth(names: series.map(\.name)))
        var figure = Figure(width: width, height: height)
        frame.drawBackground(into: &figure)
        for (index, s) in series.enumerated() {
            let color = s.color ?? ColorPalette.color(index)
            let points = s.points()
            // Split into runs of drawable points.
            var run: [FigurePoint] = []
            var runs: [[FigurePoint]] = []
            for (x, y) in points {
                if x.isFinite, y.isFinite, !(logarithmicY && y <= 0) {
                    run.append(FigurePoint(x: frame.x(x), y: frame.y(y)))
                } else if !run.isEmpty {
                    runs.append(run); run = []
                }
            }
            if !run.isEmpty { runs.append(run) }
            for r in runs { figure.add(.polyline(r, color: color, width: 2)) }
            if points.count <= 40 {
                for r in runs { for p in r { figure.add(.circle(center: p, radius: 3, fill: color, stroke: nil, opacity: 1)) } }
            }
        }
        frame.drawAxes(into: &figure)
        frame.drawLegend(series.enumerated().map { ($0.element.name, $0.element.color ?? ColorPalette.color($0.offset), .line) },
                         into: &figure)
        return figure
    }
}
