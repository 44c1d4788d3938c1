/// Gymnasium's `FrozenLake-v1` (toy_text/frozen_lake.py) with its built-in maps.
///
/// Tiles: S start, F frozen, H hole, G goal; states row by row. Actions as Gymnasium numbers them:
/// 0 left, 1 down, 2 right, 3 up. A move off the map stays put. Slippery: the intended direction or
/// either perpendicular one ((a − 1) mod 4, a, (a + 1) mod 4), each with probability 1/3. Reward 1
/// on entering G, 0 otherwise; H and G end the episode (Gymnasium keeps them absorbing with reward 0,
/// here they are terminal states of value 0, which is the same thing). Gymnasium's time limit is
/// 100 steps on 4×4 and 200 on 8×8 (`timeLimit`).
public enum FrozenLake {
    public static let maps: [String: [String]] = [
        "4x4": ["SFFF", "FHFH", "FFFH", "HFFG"],
        "8x8": ["SFFFFFFF", "FFFFFFFF", "FFFHFFFF", "FFFFFHFF", "FFFHFFFF", "FHHFFFHF", "FHFFHFHF", "FFFHFFFG"],
    ]
    public static let actionNames = ["left", "down", "right", "up"]
    public static let directions: [GridDirection?] = [.left, .down, .right, .up]

    /// Gymnasium's `max_episode_steps` for the map.
    public static func timeLimit(map: String) -> Int { map == "8x8" ? 200 : 100 }

    public static func make(map: String = "4x4", slippery: Bool = true, gamma: Double = 0.99) throws -> MarkovDecisionProcess {
        guard let rows = maps[map] else { throw MDPError.invalid("FrozenLake: unknown map '\(map)' (expected 4x4 or 8x8)") }
        let tiles = rows.map { Array($0) }
        let nrow = tiles.count, ncol = tiles[0].count, n = nrow * ncol
        let letter = { (s: Int) in tiles[s / ncol][s % ncol] }
        let terminal = (0..<n).map { letter($0) == "H" || letter($0) == "G" }
        func move(_ s: Int, _ a: Int) -> Int {
            var r = s / ncol, c = s % ncol
            switch a {
            case 0: c = max(c - 1, 0)
            case 1: r = min(r + 1, nrow - 1)
            case 2: c = min(c + 1, ncol - 1)
            default: r = max(r - 1, 0)
            }
            return r * ncol + c
        }
        var actions: [[Int]] = [], models: [[ActionModel]] = []
        for s in 0..<n {
            if terminal[s] { actions.append([]); models.append([]); continue }
            actions.append([0, 1, 2, 3])
            models.append((0..<4).map { a in
                let tries = slippery ? [(a + 3) % 4, a, (a + 1) % 4] : [a]
                var merged: [Outcome] = []
                for b in tries {
                    let next = move(s, b)
                    let p = 1 / Double(tries.count)
                    if let i = merged.firstIndex(where: { $0.next == next }) {
                        merged[i].probability += p
                    } else {
                        merged.append(Outcome(next: next, probability: p, reward: letter(next) == "G" ? 1 : 0))
                    }
                }
                return ActionModel(outcomes: merged)
            })
        }
        let start = (0..<n).first { letter($0) == "S" } ?? 0
        return try MarkovDecisionProcess(
            name: "frozenlake\(map == "8x8" ? 8 : 4)\(slippery ? "" : "-not-slippery")",
            stateNames: (0..<n).map { "\($0)(\(letter($0)))" }, actionNames: actionNames, actions: actions,
            models: models, isTerminal: terminal, gamma: gamma, startState: start,
            layout: GridLayout(rows: nrow, columns: ncol), actionDirections: directions)
    }
}
