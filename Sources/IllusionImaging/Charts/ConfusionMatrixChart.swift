/// A confusion matrix picture: rows are true classes, columns predicted classes, each cell shows its count
/// and is shaded (``Colormap/blues``) by the count's fraction of its row. Per-class recall is listed at
/// the right of each row and overall accuracy in the subtitle.
public struct ConfusionMatrixChart: Chart, Sendable {
    public var title: String
    /// `counts[trueClass][predictedClass]`, square.
    public var counts: [[Int]]
    public var classNames: [String]
    /// Cell edge in pixels; nil sizes cells to fit counts and labels.
    public var cellSize: Int?

    public init(title: String = "Confusion matrix", counts: [[Int]], classNames: [String]? = nil, cellSize: Int? = nil) {
        self.title = title
        self.counts = counts
        self.classNames = classNames ?? counts.indices.map(String.init)
        self.cellSize = cellSize
    }

    public func figure() -> Figure {
        let k = counts.count
        let names = (0..<k).map { $0 < classNames.count ? classNames[$0] : String($0) }
        let widestCount = counts.flatMap { $0 }.map { BitmapFont.width(of: String($0)) }.max() ?? 6
        let cell = Double(cellSize ?? Swift.max(36, widestCount + 12))
        let nameWidth = Double(names.map { BitmapFont.width(of: $0) }.max() ?? 0)
        let left = 12 + 7 + 10 + nameWidth + 8
        let top = 12 + 14 + 10 + 7 + 14 + 7 + 10 + nameWidth + 8
        let recallWidth = Double(BitmapFont.width(of: "recall")) + 16
        let width = Int(left + cell * Double(k) + recallWidth + 16)
        let height = Int(top + cell * Double(k) + 16)
        var figure = Figure(width: Swift.max(width, BitmapFont.width(of: title, scale: 2) + 24), height: height)
        let rowsValid = counts.allSatisfy { $0.count == k }
        let total = rowsValid ? counts.flatMap { $0 }.reduce(0, +) : 0
        let correct = rowsValid ? (0..<k).map { counts[$0][$0] }.reduce(0, +) : 0
        figure.addText(title, x: Double(figure.width) / 2, y: 12, scale: 2, anchor: .middle)
        let subtitle = total > 0 ? "accuracy \(AxisScale.format(100 * Double(correct) / Double(total), step: 0.01))% of \(total)"
                                 : (rowsValid ? "no samples" : "counts must be a square matrix")
        figure.addText(subtitle, x: Double(figure.width) / 2, y: 12 + 14 + 8, color: PlotFrame.textColor, anchor: .middle)
        guard rowsValid, k > 0 else { return figure }
        figure.addText("predicted", x: left + cell * Double(k) / 2, y: 12 + 14 + 10 + 7 + 14, color: PlotFrame.textColor,
                       anchor: .middle)
        figure.addText("true", x: 12, y: top + cell * Double(k) / 2, color: PlotFrame.textColor, anchor: .middle, rotated: true)
        figure.addText("recall", x: left + cell * Double(k) + 8, y: top - 12, color: PlotFrame.textColor)
        for i in 0..<k {
            let y = top + cell * Double(i)
            figure.addText(names[i], x: left - 8, y: y + cell / 2 - 3.5, color: PlotFrame.textColor, anchor: .end)
            figure.addText(names[i], x: left + cell * (Double(i) + 0.5) - 3.5, y: top - 8, color: PlotFrame.textColor,
                           anchor: .start, rotated: true)
            let rowTotal = counts[i].reduce(0, +)
            for j in 0..<k {
                let fraction = rowTotal > 0 ? Double(counts[i][j]) / Double(rowTotal) : 0
                let color = Colormap.blues.color(fraction)
                let x = left + cell * Double(j)
                figure.addRectangle(x: x, y: y, width: cell, height: cell, fill: color)
                figure.addText(String(counts[i][j]), x: x + cell / 2, y: y + cell / 2 - 3.5,
                               color: color.luma < 140 ? .white : .black, anchor: .middle)
            }
            let recall = rowTotal > 0 ? AxisScale.format(100 * Double(counts[i][i]) / Double(rowTotal), step: 0.1) + "%" : "-"
            figure.addText(recall, x: left + cell * Double(k) + 8, y: y + cell / 2 - 3.5, color: PlotFrame.textColor)
        }
        figure.addRectangle(x: left, y: top, width: cell * Double(k), height: cell * Double(k), fill: nil,
                            stroke: PlotFrame.axisColor, strokeWidth: 1)
        return figure
    }
}
