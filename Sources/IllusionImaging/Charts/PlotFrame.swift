import Foundation

/// How a legend entry's swatch is drawn.
enum LegendSwatch { case line, dot, square }

/// Shared layout for x/y charts: title on top, y-axis label (rotated) and tick labels on the left,
/// x tick labels and label below, an optional legend (or colour bar) reserved on the right.
/// Pixel coordinates; the plot rectangle is `[plotLeft, plotRight] × [plotTop, plotBottom]`.
struct PlotFrame {
    let width: Double
    let height: Double
    let plotLeft: Double
    let plotTop: Double
    let plotRight: Double
    let plotBottom: Double
    let xScale: AxisScale
    let yScale: AxisScale
    let title: String
    let xLabel: String
    let yLabel: String

    static let axisColor = RGBColor(hex: 0x333333)
    static let gridColor = RGBColor(hex: 0xE6E6E6)
    static let textColor = RGBColor(hex: 0x222222)

    init(width: Int, height: Int, title: String, xLabel: String, yLabel: String,
         xScale: AxisScale, yScale: AxisScale, rightReserve: Double) {
        self.width = Double(width)
        self.height = Double(height)
        self.xScale = xScale
        self.yScale = yScale
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        let yLabels = yScale.labels(for: yScale.ticks())
        let tickWidth = Double(yLabels.map { BitmapFont.width(of: $0) }.max() ?? 0)
        // Integer edges so raster layers (heat maps) line up with the border exactly.
        plotLeft = (12 + (yLabel.isEmpty ? 0 : 7 + 10) + tickWidth + 8).rounded()
        plotTop = title.isEmpty ? 16 : 12 + 14 + 14
        plotRight = Swift.max(plotLeft + 20, (self.width - Swift.max(16, rightReserve)).rounded())
        plotBottom = Swift.max(plotTop + 20, (self.height - (6 + 7 + (xLabel.isEmpty ? 0 : 10 + 7) + 12)).rounded())
    }

    var plotWidth: Double { plotRight - plotLeft }
    var plotHeight: Double { plotBottom - plotTop }

    func x(_ value: Double) -> Double { plotLeft + xScale.fraction(value) * plotWidth }
    func y(_ value: Double) -> Double { plotBottom - yScale.fraction(value) * plotHeight }

    /// Pixel-centre position for crisp 1-pixel lines.
    static func crisp(_ v: Double) -> Double { v.rounded(.down) + 0.5 }

    /// Plot background and grid lines (draw before the data).
    func drawBackground(into figure: inout Figure, grid: Bool = true) {
        figure.addRectangle(x: plotLeft, y: plotTop, width: plotWidth, height: plotHeight, fill: .white)
        guard grid else { return }
        var lines: [FigurePoint] = []
        for t in xScale.ticks() {
            let px = Self.crisp(x(t))
            lines += [FigurePoint(x: px, y: plotTop), FigurePoint(x: px, y: plotBottom)]
        }
        for t in yScale.ticks() {
            let py = Self.crisp(y(t))
            lines += [FigurePoint(x: plotLeft, y: py), FigurePoint(x: plotRight, y: py)]
        }
        figure.add(.segments(lines, color: Self.gridColor, width: 1))
    }

    /// Border, ticks, tick labels, axis labels and title (draw after the data).
    func drawAxes(into figure: inout Figure) {
        figure.addRectangle(x: plotLeft.rounded(.down), y: plotTop.rounded(.down),
                            width: plotRight.rounded(.down) - plotLeft.rounded(.down) + 1,
                            height: plotBottom.rounded(.down) - plotTop.rounded(.down) + 1,
                            fill: nil, stroke: Self.axisColor, strokeWidth: 1)
        var marks: [FigurePoint] = []
        let xTicks = xScale.ticks()
        for (t, label) in zip(xTicks, xScale.labels(for: xTicks)) {
            let px = Self.crisp(x(t))
            marks += [FigurePoint(x: px, y: plotBottom + 1), FigurePoint(x: px, y: plotBottom + 4)]
            figure.addText(label, x: px, y: plotBottom + 7, color: Self.textColor, anchor: .middle)
        }
        let yTicks = yScale.ticks()
        for (t, label) in zip(yTicks, yScale.labels(for: yTicks)) {
            let py = Self.crisp(y(t))
            marks += [FigurePoint(x: plotLeft - 4, y: py), FigurePoint(x: plotLeft - 1, y: py)]
            figure.addText(label, x: plotLeft - 7, y: py - 3.5, color: Self.textColor, anchor: .end)
        }
        figure.add(.segments(marks, color: Self.axisColor, width: 1))
        if !xLabel.isEmpty {
            figure.addText(xLabel, x: (plotLeft + plotRight) / 2, y: plotBottom + 7 + 7 + 10,
                           color: Self.textColor, anchor: .middle)
        }
        if !yLabel.isEmpty {
            figure.addText(yLabel, x: 12, y: (plotTop + plotBottom) / 2, color: Self.textColor, anchor: .middle, rotated: true)
        }
        if !title.isEmpty {
            figure.addText(title, x: width / 2, y: 12, scale: 2, color: .black, anchor: .middle)
        }
    }

    /// Width to reserve on the right for a legend with these names.
    static func legendWidth(names: [String]) -> Double {
        guard !names.isEmpty else { return 0 }
        return 16 + 18 + 6 + Double(names.map { BitmapFont.width(of: $0) }.max() ?? 0) + 14
    }

    /// Legend to the right of the plot (or at `left`), top-aligned with the plot.
    func drawLegend(_ entries: [(name: String, color: RGBColor, swatch: LegendSwatch)], into figure: inout Figure,
                    left: Double? = nil) {
        guard !entries.isEmpty else { return }
        let left = left ?? plotRight + 16
        let rowHeight = 16.0
        let boxWidth = Self.legendWidth(names: entries.map(\.name)) - 16 - 4
        figure.addRectangle(x: left - 6, y: plotTop, width: boxWidth, height: Double(entries.count) * rowHeight + 8,
                            fill: .white, stroke: Self.gridColor, strokeWidth: 1)
        for (i, entry) in entries.enumerated() {
            let cy = plotTop + 4 + rowHeight * (Double(i) + 0.5)
            switch entry.swatch {
            case .line:
                figure.add(.polyline([FigurePoint(x: left, y: cy), FigurePoint(x: left + 18, y: cy)], color: entry.color, width: 2.5))
            case .dot:
                figure.add(.circle(center: FigurePoint(x: left + 9, y: cy), radius: 4.5, fill: entry.color, stroke: nil, opacity: 1))
            case .square:
                figure.addRectangle(x: left + 4, y: cy - 5, width: 10, height: 10, fill: entry.color)
            }
            figure.addText(entry.name, x: left + 24, y: cy - 3.5, color: Self.textColor)
        }
    }
}
