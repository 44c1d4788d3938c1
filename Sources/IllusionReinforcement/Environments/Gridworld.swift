/// Sutton & Barto's Example 4.1: a 4×4 grid, states numbered row by row, the top-left and bottom-right
/// corners terminal (one terminal state shown twice in the book), actions up, down, right, left;
/// a move off the grid leaves the state unchanged; reward −1 on every transition; undiscounted (γ = 1).
public enum Gridworld {
    public static let actionNames = ["up", "down", "right", "left"]
    public static let directions: [GridDirection?] = [.up, .down, .right, .left]

    public static func make(size: Int = 4, gamma: Double = 1) throws -> MarkovDecisionProcess {
        let n = size * size
        let terminal = (0..<n).map { $0 == 0 || $0 == n - 1 }
        var actions: [[Int]] = [], models: [[ActionModel]] = []
        for s in 0..<n {
            if terminal[s] { actions.append([]); models.append([]); continue }
            let r = s / size, c = s % size
            actions.append([0, 1, 2, 3])
            models.append(directions.map { d in
                let nr = r + d!.dRow, nc = c + d!.dColumn
                let next = (nr < 0 || nr >= size || nc < 0 || nc >= size) ? s : nr * size + nc
                return ActionModel(outcomes: [Outcome(next: next, probability: 1, reward: -1)])
            })
        }
        return try MarkovDecisionProcess(
            name: "gridworld", stateNames: (0..<n).map { "s\($0)" }, actionNames: actionNames, actions: actions,
            models: models, isTerminal: terminal, gamma: gamma, startState: 1,
            layout: GridLayout(rows: size, columns: size), actionDirections: directions)
    }
}
