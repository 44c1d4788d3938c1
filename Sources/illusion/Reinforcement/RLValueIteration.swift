import ArgumentParser
import Foundation
import IllusionReinforcement

/// `illusion rl value-iteration`: Bellman optimality sweeps to v*, the greedy policy, the residual per sweep.
struct RLValueIteration: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "value-iteration", abstract: "Value iteration to the optimal values and policy.")

    @OptionGroup var options: RLEnvironmentOptions
    @Option(help: "Stop when a sweep changes no value by this much.") var theta = 1e-10
    @Option(help: "Give up after this many sweeps.") var maxSweeps = 100_000
    @Option(help: "How a sweep updates the table.") var sweepMode = SweepModeOption.synchronous

    func run() throws {
        try runReportingErrors {
            let mdp = try options.mdp()
            let folder = try options.folder()
            let panels: Set<Int> = [1, 2, 3, 10]
            let result = try ValueIteration.run(mdp, theta: theta, maxSweeps: maxSweeps, mode: sweepMode.mode, recordSweeps: panels)
            let residual = GreedyPolicy.bellmanOptimalityResidual(mdp, values: result.values)
            RLOutput.log("value iteration \(mdp.name): \(result.sweeps) sweeps, Bellman optimality residual \(residual)")
            let picture = RLOutput.path(folder, "value_iteration.png")
            var tables = panels.sorted().compactMap { k in result.snapshots[k].map { ("sweep \(k)", $0) } }
            tables.append(("v* (\(result.sweeps) sweeps)", result.values))
            if options.isCarRental {
                try ValueGridPanels(title: "value iteration, \(mdp.name)", panels: [
                    RLOutput.carRentalPolicyPanel(mdp, choices: result.policy, title: "greedy policy (cars moved 1 -> 2)"),
                    RLOutput.carRentalValuePanel(mdp, values: result.values, title: "v*"),
                ], cellSize: 26, panelsPerRow: 2).writePNG(to: picture)
            } else {
                try RLOutput.writeValuePanels(mdp, title: "value iteration, \(mdp.name): V_k and greedy actions", tables: tables, to: picture)
            }
            try RLOutput.writeLines("value iteration residual, \(mdp.name)", xLabel: "sweep", yLabel: "max |V_k - V_k-1|",
                                    series: [.init(name: "residual", values: result.residuals),
                                             .init(name: "gamma^k * first", values: result.residuals.indices.map {
                                                 result.residuals[0] * Foundation.pow(mdp.gamma, Double($0)) })],
                                    logY: true, to: RLOutput.path(folder, "value_iteration_residual.png"))
            var out: [String: Any] = ["command": "value-iteration", "env": mdp.name, "gamma": mdp.gamma, "theta": theta,
                                      "sweep_mode": sweepMode.rawValue, "sweeps": result.sweeps,
                                      "bellman_optimality_residual": residual,
                                      "pictures": ["value_iteration.png", "value_iteration_residual.png"]]
            out["result"] = RLOutput.valueTable(mdp, result.values, policy: result.policy)
            out["residuals"] = result.residuals
            try RLOutput.finish(out, options: options, folder: folder)
        }
    }
}
