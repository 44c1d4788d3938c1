/// A decision-boundary picture: each grid cell is tinted with its predicted class's palette colour
/// (``ColorPalette``, matching ``ScatterPlot``), stronger where the classifier is more confident,
/// with data points drawn on top.
///
/// Grid layout as in ``HeatMap``: `classes[row * columns + column]`, row 0 at `yRange.lowerBound`.
/// `confidence` (same layout, optional) is the predicted class's probability in 0…1; it is rescaled from
/// chance level (1 / number of classes) to 1 so a coin-flip cell is pale and a certain one is saturated.
public struct ClassRegionMap: Chart, Sendable {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var classes: [Int]
    public var confidence: [Double]?
    public var rows: Int
    public var columns: Int
    public var xRange: ClosedRange<Double>
    public var yRange: ClosedRange<Double>
    /// Legend names; their count is also the number of classes (else the largest index + 1).
    public var classNames: [String]?
    public var points: LabeledPoints?
    public var pointRadius: Double
    public var width: Int
    public var height: Int

    public init(title: String = "", xLabel: String = "", yLabel: String = "", classes: [Int], confidence: [Double]? = nil,
                rows: Int, columns: Int, xRange: ClosedRange<Double>, yRange: ClosedRange<Double>,
                classNames: [String]? = nil, points: LabeledPoints? = nil, pointRadius: Double = 3,
                width: Int = 640, height: Int = 520) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.classes = classes
        self.confidence = confidence
        self.rows = rows
        self.columns = columns
        self.xRange = xRange
        self.yRange = yRange
        self.classNames = classNames
        self.points = points
        self.pointRadius = pointRadius
        self.width = width
        self.height = height
    }

    /// Cell tint for class `k` at rescaled confidence `strength` (0 = chance, 1 = certain).
    public static func tint(class k: Int, strength: Double) -> RGBColor {
        RGBColor.white.mixed(with: ColorPalette.color(k), 0.15 + 0.55 * Swift.min(1, Swift.max(0, strength)))
    }

    public func figure() -> Figure {
        let classCount = Swift.max(2, classNames?.count ?? ((classes.max() ?? 0) + 1))
        let shownClasses = Array(Set(classes + (points?.labels ?? []))).filter { $0 >= 0 }.sorted()
        let names = shownClasses.map { k -> String in
            if let classNames, k < classNames.count { return classNames[k] }
            return points?.className(k) ?? String(k)
        }
        let frame = PlotFrame(width: width, height: height, title: title, xLabel: xLabel, yLabel: yLabel,
                              xScale: AxisScale(range: xRange), yScale: AxisScale(range: yRange),
                              rightReserve: PlotFrame.legendWidth(names: names))
        var figure = Figure(width: width, height: height)
        frame.drawBackground(into: &figure, grid: false)
        guard rows > 0, columns > 0, classes.count == rows * columns,
              confidence.map({ $0.count == rows * columns }) ?? true else {
            GridLayer.drawProblem("class grid has \(classes.count) cells, expected \(rows)x\(columns)", frame: frame, into: &figure)
            frame.drawAxes(into: &figure)
            return figure
        }
        let chance = 1 / Double(classCount)
        let layer = GridLayer.image(frame: frame, rows: rows, columns: columns) { u, v in
            let i = GridLayer.nearestIndex(rows: rows, columns: columns, u: u, v: v)
            let p = confidence?[i] ?? 1
            let strength = p.isFinite ? (p - chance) / (1 - chance) : 0
            return Self.tint(class: classes[i], strength: strength)
        }
        figure.add(.image(layer, x: Int(frame.plotLeft), y: Int(frame.plotTop)))
        if let points {
            ScatterPlot.drawPoints(points, in: frame, radius: pointRadius, opacity: 1, outline: RGBColor(hex: 0x333333),
                                   into: &figure)
        }
        frame.drawAxes(into: &figure)
        frame.drawLegend(zip(shownClasses, names).map { ($0.1, ColorPalette.color($0.0), .square) }, into: &figure)
        return figure
    }
}
