import ArgumentParser
import Foundation
import IllusionModels
import IllusionReinforcement

/// The built-in environments of `--env` (or a path to an MDP JSON file).
enum BuiltInEnvironment: String, CaseIterable, ExpressibleByArgument {
    case gridworld, frozenlake4, frozenlake8, carRental = "car-rental", cartpole
}

/// `--env`: a built-in name or FILE.json.
enum EnvironmentChoice: ExpressibleByArgument {
    case builtIn(BuiltInEnvironment)
    case file(String)

    init?(argument: String) {
        if let b = BuiltInEnvironment(rawValue: argument) { self = .builtIn(b) } else if argument.hasSuffix(".json") {
            self = .file(argument)
        } else { return nil }
    }

    static var allValueStrings: [String] { BuiltInEnvironment.allCases.map(\.rawValue) + ["FILE.json"] }
}

enum SweepModeOption: String, CaseIterable, ExpressibleByArgument {
    case synchronous, inPlace = "in-place"
    var mode: SweepMode { self == .synchronous ? .synchronous : .inPlace }
}

struct RLEnvironmentOptions: ParsableArguments {
    @Option(help: "Environment: a built-in one or an MDP JSON file (see MDPFile for the format).")
    var env: EnvironmentChoice

    @Option(help: "Discount γ in (0, 1] (default: the environment's own: gridworld 1, FrozenLake 0.99, car rental 0.9, file's).")
    var gamma: Double?

    @Flag(inversion: .prefixedNo, help: "FrozenLake: slippery ice (intended move or either perpendicular one, 1/3 each).")
    var slippery = true

    @Option(help: "Random seed.")
    var seed: UInt64 = 0

    @Option(help: "Output folder (result.json and pictures).")
    var out: String

    @Flag(help: "Print the result as one JSON object on stdout.")
    var json = false

    /// The finite MDP (throws for cartpole, whose states are continuous).
    func mdp() throws -> MarkovDecisionProcess {
        let base: MarkovDecisionProcess
        switch env {
        case .builtIn(.gridworld): base = try Gridworld.make()
        case .builtIn(.frozenlake4): base = try FrozenLake.make(map: "4x4", slippery: slippery)
        case .builtIn(.frozenlake8): base = try FrozenLake.make(map: "8x8", slippery: slippery)
        case .builtIn(.carRental): base = try CarRental.make()
        case .builtIn(.cartpole):
            throw ModelError.invalidArgument("--env cartpole has continuous states; it works with `illusion rl reinforce` only")
        case .file(let path): base = try MDPFile.load(path: path)
        }
        guard let gamma else { return base }
        guard gamma > 0 && gamma <= 1 else { throw ModelError.invalidArgument("--gamma must be in (0, 1], got \(gamma)") }
        return try base.withGamma(gamma)
    }

    var isCarRental: Bool { if case .builtIn(.carRental) = env { return true } else { return false } }

    /// Gymnasium's time limit for FrozenLake, 100 steps otherwise.
    var timeLimit: Int { if case .builtIn(.frozenlake8) = env { return 200 } else { return 100 } }

    func folder() throws -> String {
        do { try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true) } catch {
            throw ModelError.invalidArgument("--out \(out): cannot create the folder (\(error.localizedDescription))")
        }
        return out
    }
}

/// Shared writing of results: result.json in the folder and, with --json, the same object on stdout.
enum RLOutput {
    static func finish(_ result: [String: Any], options: RLEnvironmentOptions, folder: String) throws {
        let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys, .prettyPrinted])
        try data.write(to: URL(fileURLWithPath: folder).appendingPathComponent("result.json"), options: .atomic)
        if options.json { printJSON(result) }
    }

    static func log(_ message: String) { FileHandle.standardError.write(Data((message + "\n").utf8)) }

    static func path(_ folder: String, _ name: String) -> String { (folder as NSString).appendingPathComponent(name) }

    /// JSON-safe numbers (NaN/∞ → nil).
    static func finite(_ values: [Double]) -> [Any] { values.map { $0.isFinite ? $0 as Any : NSNull() } }

    /// The policy as action names per state.
    static func policyNames(_ mdp: MarkovDecisionProcess, choices: [Int]) -> [String] {
        choices.enumerated().map { s, k in k < 0 ? "" : mdp.actionNames[mdp.actions[s][k]] }
    }

    static func valueTable(_ mdp: MarkovDecisionProcess, _ values: [Double], policy: [Int]) -> [String: Any] {
        ["states": mdp.stateNames, "values": finite(values), "policy": policyNames(mdp, choices: policy)]
    }

    /// Panels of value tables (grid picture), one per (title, values).
    static func writeValuePanels(_ mdp: MarkovDecisionProcess, title: String, tables: [(String, [Double])],
                                 to file: String, digits: Int? = nil) throws {
        // Two decimals for small values (FrozenLake's probabilities), one otherwise.
        let digits = digits ?? ((tables.flatMap(\.1).filter(\.isFinite).map(abs).max() ?? 0) < 2 ? 2 : 1)
        let cell = (mdp.layout?.columns ?? mdp.stateCount) > 10 ? 30 : 56
        let panels = tables.map { ValueGridPanel.values(mdp, values: $0.1, title: $0.0, digits: digits) }
        try ValueGridPanels(title: title, panels: panels, cellSize: cell, panelsPerRow: 3).writePNG(to: file)
    }

    /// Jack's policies as in Figure 4.2: cars moved (−5…5) per state, lot 1's count upwards, lot 2's to the right.
    static func carRentalPolicyPanel(_ mdp: MarkovDecisionProcess, choices: [Int], title: String) -> ValueGridPanel {
        let side = mdp.layout!.columns
        var values = [Double](repeating: 0, count: side * side), texts = [String](repeating: "", count: side * side)
        for n1 in 0..<side {
            for n2 in 0..<side {
                let s = n1 * side + n2, cell = (side - 1 - n1) * side + n2
                let moved = mdp.actions[s][choices[s]] - 5
                values[cell] = Double(moved)
                texts[cell] = String(moved)
            }
        }
        return ValueGridPanel(title: title, rows: side, columns: side, values: values, texts: texts)
    }

    static func carRentalValuePanel(_ mdp: MarkovDecisionProcess, values v: [Double], title: String) -> ValueGridPanel {
        let side = mdp.layout!.columns
        var values = [Double](repeating: 0, count: side * side), texts = [String](repeating: "", count: side * side)
        for n1 in 0..<side {
            for n2 in 0..<side {
                let cell = (side - 1 - n1) * side + n2
                values[cell] = v[n1 * side + n2]
                texts[cell] = String(format: "%.0f", v[n1 * side + n2])
            }
        }
        return ValueGridPanel(title: title, rows: side, columns: side, values: values, texts: texts)
    }

    /// A line chart PNG.
    static func writeLines(_ title: String, xLabel: String, yLabel: String, series: [LineChart.Series], logY: Bool = false,
                           to file: String) throws {
        try LineChart(title: title, xLabel: xLabel, yLabel: yLabel, series: series, logarithmicY: logY).writePNG(to: file)
    }
}
