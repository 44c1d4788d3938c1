import ArgumentParser
import Foundation
import IllusionReinforcement

/// `illusion rl evaluate`: iterative policy evaluation of the equiprobable random policy
/// (Sutton & Barto Figure 4.1: panels after sweeps k = 0, 1, 2, 3, 10 and ∞ with greedy arrows).
struct RLEvaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate", abstract: "Evaluate the uniform random policy (Bellman expectation sweeps).")

    @OptionGroup var options: RLEnvironmentOptions
    @Option(help: "Stop when a sweep changes no value by this much.") var theta = 1e-10
    @Option(help: "Give up after this many sweeps (γ = 1 with a never-ending policy does not converge).") var maxSweeps = 100_000
    @Option(help: "How a sweep updates the table.") var sweepMode = SweepModeOption.synchronous

    func run() throws {
        try runReportingErrors {
            let mdp = try options.mdp()
            let folder = try options.folder()
            let panels: Set<Int> = [0, 1, 2, 3, 10]
            let result = try PolicyEvaluation.evaluate(mdp, policy: .uniform(mdp), mode: sweepMode.mode, theta: theta,
                                                       maxSweeps: maxSweeps, recordSweeps: panels)
            let greedy = GreedyPolicy.choices(mdp, values: result.values)
            RLOutput.log("evaluate \(mdp.name): \(result.sweeps) \(sweepMode.rawValue) sweeps, residual \(result.residual)")
            var tables = panels.sorted().compactMap { k in result.snapshots[k].map { ("k = \(k)", $0) } }
            tables.append(("k = inf (\(result.sweeps) sweeps)", result.values))
            let picture = RLOutput.path(folder, "evaluation_sweeps.png")
            if options.isCarRental {
                try ValueGridPanels(title: "random policy, \(mdp.name)", panels: tables.map {
                    RLOutput.carRentalValuePanel(mdp, values: $0.1, title: $0.0) }, cellSize: 26, panelsPerRow: 3).writePNG(to: picture)
            } else {
                try RLOutput.writeValuePanels(mdp, title: "random policy, \(mdp.name): v_k and greedy actions", tables: tables, to: picture)
            }
            var out: [String: Any] = ["command": "evaluate", "env": mdp.name, "gamma": mdp.gamma, "theta": theta,
                                      "sweep_mode": sweepMode.rawValue, "sweeps": result.sweeps, "residual": result.residual,
                                      "pictures": ["evaluation_sweeps.png"]]
            out["result"] = RLOutput.valueTable(mdp, result.values, policy: greedy)
            out["snapshots"] = Dictionary(uniqueKeysWithValues: result.snapshots.map { ("\($0.key)", RLOutput.finite($0.value)) })
            try RLOutput.finish(out, options: options, folder: folder)
        }
    }
}
