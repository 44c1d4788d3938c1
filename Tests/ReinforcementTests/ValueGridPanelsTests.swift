import XCTest
@testable import IllusionReinforcement

/// The value-grid picture: cells take the colormap colour of their value on the shared scale, terminal
/// (NaN) cells are grey, arrows are drawn in the cell's ink colour.
final class ValueGridPanelsTests: XCTestCase {
    func testCellsAreColouredByValueOnASharedScale() {
        let cell = 40
        let a = ValueGridPanel(title: "a", rows: 1, columns: 2, values: [0, .nan])
        let b = ValueGridPanel(title: "b", rows: 1, columns: 2, values: [10, 5], arrows: [[.right], []])
        let chart = ValueGridPanels(title: "t", panels: [a, b], cellSize: cell, panelsPerRow: 2)
        let image = chart.image()
        // Layout: margin 16, title 28, panel title 18; panel i starts at x = 16 + i·(2·cell + 16).
        let top = 28 + 18
        func centre(panel: Int, column: Int) -> RGBColor? {
            image.color(x: 16 + panel * (2 * cell + 16) + column * cell + 5, y: top + 5)
        }
        XCTAssertEqual(centre(panel: 0, column: 0), Colormap.viridis.color(0))
        XCTAssertEqual(centre(panel: 0, column: 1), RGBColor(grey: 215))
        XCTAssertEqual(centre(panel: 1, column: 0), Colormap.viridis.color(1))
        XCTAssertEqual(centre(panel: 1, column: 1), Colormap.viridis.color(0.5))
        // The arrow to the right passes through the cell's centre row, right of the centre, in black (on yellow).
        let arrowPixel = image.color(x: 16 + (2 * cell + 16) + cell / 2 + 8, y: top + cell / 2)
        XCTAssertEqual(arrowPixel.map { Int($0.red) + Int($0.green) + Int($0.blue) < 200 }, true)
    }

    func testGridworldPanelsShowEveryTiedGreedyAction() throws {
        let mdp = try Gridworld.make()
        let values = try PolicyEvaluation.evaluate(mdp, policy: .uniform(mdp)).values
        let panel = ValueGridPanel.values(mdp, values: values, title: "v")
        // Figure 4.1, k = ∞: state 1 only left; state 5 up and left (equal); terminals none.
        XCTAssertEqual(panel.arrows?[1], [.left])
        XCTAssertEqual(Set((panel.arrows?[5] ?? []).map { "\($0.dRow),\($0.dColumn)" }), ["-1,0", "0,-1"])
        XCTAssertEqual(panel.arrows?[0], [])
        XCTAssertEqual(panel.texts?[3], "-22.0")
    }
}
