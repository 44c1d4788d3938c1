import Foundation

/// One panel of a ``ValueGridPanels`` picture: a grid of cells coloured by value, an optional text per
/// cell and arrows for the actions drawn there (e.g. every greedy action, as in Sutton & Barto's Figure 4.1).
/// Cell (r, c) is `values[r * columns + c]`, row 0 at the top; NaN cells (terminal or absent) are grey.
public struct ValueGridPanel: Sendable {
    public var title: String
    public var rows: Int
    public var columns: Int
    public var values: [Double]
    public var texts: [String]?
    public var arrows: [[GridDirection]]?

    public init(title: String, rows: Int, columns: Int, values: [Double], texts: [String]? = nil, arrows: [[GridDirection]]? = nil) {
        self.title = title
        self.rows = rows
        self.columns = columns
        self.values = values
        self.texts = texts
        self.arrows = arrows
    }
}

/// Several value/policy grids side by side (wrapping after `panelsPerRow`), sharing one colour scale.
public struct ValueGridPanels: Chart, Sendable {
    public var title: String
    public var panels: [ValueGridPanel]
    public var cellSize: Int
    public var panelsPerRow: Int
    public var colormap: Colormap
    /// Shared colour range; nil uses the finite min…max over all panels.
    public var valueRange: ClosedRange<Double>?

    public init(title: String, panels: [ValueGridPanel], cellSize: Int = 56, panelsPerRow: Int = 3,
                colormap: Colormap = .viridis, valueRange: ClosedRange<Double>? = nil) {
        self.title = title
        self.panels = panels
        self.cellSize = cellSize
        self.panelsPerRow = max(1, panelsPerRow)
        self.colormap = colormap
        self.valueRange = valueRange
    }

    public func figure() -> Figure {
        let margin = 16, titleHeight = 28, panelTitle = 18
        let gridW = (panels.map(\.columns).max() ?? 1) * cellSize, gridH = (panels.map(\.rows).max() ?? 1) * cellSize
        let perRow = min(panelsPerRow, max(1, panels.count))
        let panelRows = (panels.count + perRow - 1) / perRow
        let width = margin + perRow * (gridW + margin)
        let height = titleHeight + panelRows * (panelTitle + gridH + margin) + margin
        var figure = Figure(width: width, height: height)
        figure.addText(title, x: Double(width) / 2, y: 8, scale: 2, color: Self.textColor, anchor: .middle)
        let finite = panels.flatMap(\.values).filter(\.isFinite)
        let low = valueRange?.lowerBound ?? finite.min() ?? 0
        var high = valueRange?.upperBound ?? finite.max() ?? 1
        if !(high > low) { high = low + 1 }
        for (i, panel) in panels.enumerated() {
            let left = Double(margin + (i % perRow) * (gridW + margin))
            let top = Double(titleHeight + (i / perRow) * (panelTitle + gridH + margin))
            figure.addText(panel.title, x: left + Double(panel.columns * cellSize) / 2, y: top + 3,
                           color: Self.textColor, anchor: .middle)
            let gridTop = top + Double(panelTitle)
            let cell = Double(cellSize)
            for r in 0..<panel.rows {
                for c in 0..<panel.columns {
                    let k = r * panel.columns + c
                    guard k < panel.values.count else { continue }
                    let v = panel.values[k]
                    let fill = v.isFinite ? colormap.color((v - low) / (high - low)) : RGBColor(grey: 215)
                    let x = left + Double(c) * cell, y = gridTop + Double(r) * cell
                    figure.addRectangle(x: x, y: y, width: cell, height: cell, fill: fill, stroke: RGBColor(grey: 255), strokeWidth: 1)
                    let ink = Self.ink(on: fill)
                    if let texts = panel.texts, k < texts.count, !texts[k].isEmpty {
                        let arrowsHere = !(panel.arrows?[k].isEmpty ?? true)
                        figure.addText(texts[k], x: x + cell / 2, y: arrowsHere ? y + 3 : y + cell / 2 - 3.5, color: ink, anchor: .middle)
                    }
                    if let arrows = panel.arrows, k < arrows.count {
                        for d in arrows[k] { drawArrow(d, centerX: x + cell / 2, centerY: y + cell / 2 + (panel.texts == nil ? 0 : 4), cell: cell, color: ink, into: &figure) }
                    }
                }
            }
        }
        return figure
    }

    static let textColor = RGBColor(hex: 0x222222)

    /// Black text on light cells, white on dark ones.
    static func ink(on fill: RGBColor) -> RGBColor {
        let luminance = 0.299 * Double(fill.red) + 0.587 * Double(fill.green) + 0.114 * Double(fill.blue)
        return luminance > 140 ? .black : .white
    }

    private func drawArrow(_ d: GridDirection, centerX: Double, centerY: Double, cell: Double, color: RGBColor, into figure: inout Figure) {
        let length = cell * 0.3, head = max(3, cell * 0.1)
        let dx = Double(d.dColumn), dy = Double(d.dRow)
        let tip = FigurePoint(x: centerX + dx * length, y: centerY + dy * length)
        let base = FigurePoint(x: centerX + dx * length * 0.15, y: centerY + dy * length * 0.15)
        // Perpendicular (−dy, dx) for the two barbs.
        let back = FigurePoint(x: tip.x - dx * head, y: tip.y - dy * head)
        let barb1 = FigurePoint(x: back.x - dy * head * 0.7, y: back.y + dx * head * 0.7)
        let barb2 = FigurePoint(x: back.x + dy * head * 0.7, y: back.y - dx * head * 0.7)
        figure.add(.segments([base, tip, tip, barb1, tip, barb2], color: color, width: 1.5))
    }
}

extension ValueGridPanel {
    /// A panel of an MDP's value table with its greedy actions as arrows (every tied best action when
    /// `allTies`), values printed with `digits` decimals. Needs `mdp.layout`; terminal cells are grey.
    public static func values(_ mdp: MarkovDecisionProcess, values: [Double], title: String, digits: Int = 1,
                              allTies: Bool = true, arrows: Bool = true) -> ValueGridPanel {
        let layout = mdp.layout ?? GridLayout(rows: 1, columns: mdp.stateCount)
        let sets = GreedyPolicy.optimalChoiceSets(mdp, values: values, tolerance: allTies ? 1e-6 * max(1, values.map(abs).max() ?? 1) : nil)
        let choice = GreedyPolicy.choices(mdp, values: values)
        let cells = (0..<mdp.stateCount).map { mdp.isTerminal[$0] ? Double.nan : values[$0] }
        let texts = (0..<mdp.stateCount).map { mdp.isTerminal[$0] ? "" : String(format: "%.\(digits)f", values[$0]) }
        let arrowCells: [[GridDirection]]? = arrows ? (0..<mdp.stateCount).map { s in
            guard !mdp.isTerminal[s] else { return [] }
            let ks = allTies ? sets[s].sorted() : [choice[s]]
            return ks.compactMap { mdp.actionDirections[mdp.actions[s][$0]] }
        } : nil
        return ValueGridPanel(title: title, rows: layout.rows, columns: layout.columns, values: cells, texts: texts, arrows: arrowCells)
    }
}
