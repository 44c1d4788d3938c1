import Foundation

/// An MDP written by a user as JSON:
///
///     {
///       "name": "two-states",              (optional)
///       "gamma": 0.9,
///       "states": ["A", "B", "end"],
///       "terminal": ["end"],              (optional; terminal states have no transitions)
///       "start": "A",                     (optional; default the first state)
///       "grid": {"rows": 1, "columns": 3}, (optional; for pictures)
///       "transitions": [
///         {"state": "A", "action": "go", "next": "B", "probability": 0.8, "reward": 1},
///         {"state": "A", "action": "go", "next": "A", "probability": 0.2, "reward": 0},
///         ...
///       ]
///     }
///
/// A state's actions are those its transitions name, in order of first appearance; every
/// non-terminal state needs at least one. Checks (each failure one line naming the state and action):
/// probabilities of each (state, action) non-negative and summing to 1 within 1e-6, every named
/// state known, γ ∈ (0, 1].
public enum MDPFile {
    struct Document: Decodable {
        struct Grid: Decodable { var rows: Int; var columns: Int }
        struct Row: Decodable {
            var state: String
            var action: String
            var next: String
            var probability: Double
            var reward: Double?
        }
        var name: String?
        var gamma: Double
        var states: [String]
        var terminal: [String]?
        var start: String?
        var grid: Grid?
        var transitions: [Row]
    }

    public static func load(path: String) throws -> MarkovDecisionProcess {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MDPError.invalid("\(path): cannot read the MDP file")
        }
        do {
            return try parse(data, source: path)
        } catch let e as MDPError {
            throw MDPError.invalid("\(path): \(e)")
        }
    }

    public static func parse(_ data: Data, source: String = "MDP file") throws -> MarkovDecisionProcess {
        let doc: Document
        do { doc = try JSONDecoder().decode(Document.self, from: data) } catch {
            throw MDPError.invalid("not a valid MDP JSON document (\(describe(error)))")
        }
        guard doc.gamma > 0 && doc.gamma <= 1 else { throw MDPError.gammaOutOfRange(doc.gamma) }
        var index: [String: Int] = [:]
        for (i, s) in doc.states.enumerated() {
            guard index[s] == nil else { throw MDPError.invalid("state '\(s)' is listed twice") }
            index[s] = i
        }
        guard !doc.states.isEmpty else { throw MDPError.invalid("\"states\" is empty") }
        var terminal = Array(repeating: false, count: doc.states.count)
        for t in doc.terminal ?? [] {
            guard let i = index[t] else { throw MDPError.invalid("terminal state '\(t)' is not in \"states\"") }
            terminal[i] = true
        }
        var actionNames: [String] = [], actionIndex: [String: Int] = [:]
        var actions = Array(repeating: [Int](), count: doc.states.count)
        var rows = Array(repeating: [[Outcome]](), count: doc.states.count)
        for row in doc.transitions {
            guard let s = index[row.state] else {
                throw MDPError.unknownState(state: row.state, action: row.action, next: row.state)
            }
            guard let next = index[row.next] else {
                throw MDPError.unknownState(state: row.state, action: row.action, next: row.next)
            }
            guard !terminal[s] else {
                throw MDPError.invalid("state '\(row.state)', action '\(row.action)': terminal states have no transitions")
            }
            guard row.probability >= 0 else {
                throw MDPError.negativeProbability(state: row.state, action: row.action, next: row.next, probability: row.probability)
            }
            let a: Int
            if let known = actionIndex[row.action] { a = known } else {
                a = actionNames.count
                actionNames.append(row.action)
                actionIndex[row.action] = a
            }
            let k: Int
            if let known = actions[s].firstIndex(of: a) { k = known } else {
                k = actions[s].count
                actions[s].append(a)
                rows[s].append([])
            }
            rows[s][k].append(Outcome(next: next, probability: row.probability, reward: row.reward ?? 0))
        }
        let start = try doc.start.map { name -> Int in
            guard let i = index[name] else { throw MDPError.invalid("start state '\(name)' is not in \"states\"") }
            return i
        } ?? 0
        return try MarkovDecisionProcess(
            name: doc.name ?? source, stateNames: doc.states, actionNames: actionNames, actions: actions,
            models: rows.map { $0.map { ActionModel(outcomes: $0) } }, isTerminal: terminal, gamma: doc.gamma,
            startState: start, layout: doc.grid.map { GridLayout(rows: $0.rows, columns: $0.columns) })
    }

    private static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let c):
            return "missing \"\(key.stringValue)\"" + path(c.codingPath)
        case DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c):
            return "wrong type" + path(c.codingPath) + ": " + c.debugDescription
        case DecodingError.dataCorrupted(let c):
            return c.debugDescription
        default:
            return "\(error)"
        }
    }

    private static func path(_ p: [CodingKey]) -> String {
        p.isEmpty ? "" : " at " + p.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}
