/// A picture drawn 1:1 inside a frame with labelled axes — e.g. a VAE's decoded latent manifold,
/// whose columns and rows sit at given latent coordinates.
///
/// Ticks are given as (position, label) with the position a fraction 0…1 of the image's width
/// (left to right) or height (top to bottom), so unevenly spaced coordinates (normal quantiles)
/// are labelled where they are.
public struct ImageAxesChart: Chart, Sendable {
    public var image: PixelImage
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var xTicks: [(position: Double, label: String)]
    public var yTicks: [(position: Double, label: String)]

    public init(image: PixelImage, title: String = "", xLabel: String, yLabel: String,
                xTicks: [(position: Double, label: String)], yTicks: [(position: Double, label: String)]) {
        self.image = image
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.xTicks = xTicks
        self.yTicks = yTicks
    }

    /// Margins around the image, in pixels.
    var left: Int { 12 + (yLabel.isEmpty ? 0 : 17) + (yTicks.map { BitmapFont.width(of: $0.label) }.max() ?? 0) + 8 }
    var top: Int { title.isEmpty ? 12 : 40 }
    var right: Int { 16 }
    var bottom: Int { 6 + 7 + (xLabel.isEmpty ? 0 : 17) + 12 }

    public func figure() -> Figure {
        let left = left, top = top
        let width = left + image.width + right, height = top + image.height + bottom
        var figure = Figure(width: width, height: height)
        figure.add(.image(image, x: left, y: top))
        let l = Double(left), t = Double(top), w = Double(image.width), h = Double(image.height)
        figure.addRectangle(x: l - 1, y: t - 1, width: w + 2, height: h + 2, fill: nil, stroke: PlotFrame.axisColor, strokeWidth: 1)
        var marks: [FigurePoint] = []
        for tick in xTicks {
            let px = PlotFrame.crisp(l + tick.position * w)
            marks += [FigurePoint(x: px, y: t + h + 1), FigurePoint(x: px, y: t + h + 4)]
            figure.addText(tick.label, x: px, y: t + h + 7, color: PlotFrame.textColor, anchor: .middle)
        }
        for tick in yTicks {
            let py = PlotFrame.crisp(t + tick.position * h)
            marks += [FigurePoint(x: l - 5, y: py), FigurePoint(x: l - 2, y: py)]
            figure.addText(tick.label, x: l - 8, y: py - 3.5, color: PlotFrame.textColor, anchor: .end)
        }
        figure.add(.segments(marks, color: PlotFrame.axisColor, width: 1))
        if !xLabel.isEmpty {
            figure.addText(xLabel, x: l + w / 2, y: t + h + 7 + 7 + 10, color: PlotFrame.textColor, anchor: .middle)
        }
        if !yLabel.isEmpty {
            figure.addText(yLabel, x: 12, y: t + h / 2, color: PlotFrame.textColor, anchor: .middle, rotated: true)
        }
        if !title.isEmpty { figure.addText(title, x: Double(width) / 2, y: 12, scale: 2, color: .black, anchor: .middle) }
        return figure
    }
}
