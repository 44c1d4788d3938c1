import ArgumentParser
import Foundation
import IllusionReinforcement

/// `illusion rl policy-iteration`: evaluate, improve, repeat until stable; every policy π₀…π_K is kept
/// (Jack's car rental: Figure 4.2's π₀…π₄ and v_{π₄}).
struct RLPolicyIteration: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy-iteration", abstract: "Policy iteration: the sequence of policies to the optimum.")

    @OptionGroup var options: RLEnvironmentOptions
    @Option(help: "Policy evaluation stops when a sweep changes no value by this much.") var theta = 1e-10
    @Option(help: "Sweep limit of each evaluation.") var maxSweeps = 100_000
    @Option(help: "How each evaluation sweep updates the table.")
    var sweepMode = SweepModeOption.inPlace

    func run() throws {
        try runReportingErrors {
            let mdp = try options.mdp()
            let folder = try options.folder()
            // π₀: Jack never moves cars (the book's start); elsewhere the uniform random policy.
            let initial: Policy? = options.isCarRental ? .deterministic(mdp, choices: CarRental.noMoveChoices(mdp)) : nil
            let result = try PolicyIteration.run(mdp, initial: initial, theta: theta, maxSweeps: maxSweeps, mode: sweepMode.mode)
            let residual = GreedyPolicy.bellmanOptimalityResidual(mdp, values: result.finalValues)
            RLOutput.log("policy iteration \(mdp.name): \(result.improvements) improvements, evaluation sweeps \(result.evaluationSweeps), "
                         + "changed states \(result.changedStates), Bellman optimality residual \(residual)")
            let picture = RLOutput.path(folder, "policy_iteration.png")
            if options.isCarRental {
                var panels = result.policies.enumerated().map { k, p in
                    RLOutput.carRentalPolicyPanel(mdp, choices: p.choices, title: "pi_\(k) (cars moved 1 -> 2)")
                }
                panels.append(RLOutput.carRentalValuePanel(mdp, values: result.finalValues, title: "v_pi_\(result.improvements)"))
                try ValueGridPanels(title: "Jack's car rental: rows = cars at lot 1 (20 at top), columns = cars at lot 2",
                                    panels: panels, cellSize: 26, panelsPerRow: 3, colormap: .viridis).writePNG(to: picture)
            } else {
                let tables = result.values.enumerated().map { ("v_pi_\($0.offset)", $0.element) }
                try RLOutput.writeValuePanels(mdp, title: "policy iteration, \(mdp.name): v_pi_k and greedy actions",
                                              tables: tables, to: picture)
            }
            var out: [String: Any] = ["command": "policy-iteration", "env": mdp.name, "gamma": mdp.gamma, "theta": theta,
                                      "improvements": result.improvements, "evaluation_sweeps": result.evaluationSweeps,
                                      "changed_states": result.changedStates, "smallest_gains": result.smallestGains, "largest_gains": result.largestGains,
                                      "bellman_optimality_residual": residual, "pictures": ["policy_iteration.png"]]
            out["result"] = RLOutput.valueTable(mdp, result.finalValues, policy: result.finalPolicy)
            // A stochastic π₀ (the uniform random policy) is written as "random" in every state.
            out["policies"] = result.policies.map { p in
                p.probabilities.contains { $0.filter { $0 > 0 }.count > 1 }
                    ? mdp.stateNames.indices.map { mdp.isTerminal[$0] ? "" : "random" } : RLOutput.policyNames(mdp, choices: p.choices)
            }
            try RLOutput.finish(out, options: options, folder: folder)
        }
    }
}
