import ArgumentParser
import Foundation
import IllusionModels
import IllusionReinforcement

/// Options shared by `illusion rl q-learning` and `illusion rl sarsa`.
struct TabularOptions: ParsableArguments {
    @Option(help: "Training episodes.") var episodes = 20_000
    @Option(help: "Step size α.") var learningRate = 0.05
    @Option(help: "ε at the first episode.") var epsilonStart = 1.0
    @Option(help: "ε after the decay.") var epsilonEnd = 0.05
    @Option(help: "Episodes over which ε falls linearly (default: half of --episodes).") var epsilonDecay: Int?
    @Option(help: "Compare the greedy policy with the optimum every this many episodes.") var checkpointEvery = 1000
    @Option(help: "Truncate episodes after this many steps (default: Gymnasium's 100 / 200 for FrozenLake, 100 otherwise).")
    var timeLimit: Int?
    @Flag(help: "Exploring starts: begin each episode in a random non-terminal state.") var exploringStarts = false
}

enum TabularCommand {
    static func run(_ method: TabularMethod, options: RLEnvironmentOptions, tabular: TabularOptions) throws {
        let mdp = try options.mdp()
        guard tabular.episodes > 0 else { throw ModelError.invalidArgument("--episodes must be positive, got \(tabular.episodes)") }
        guard tabular.learningRate > 0 && tabular.learningRate <= 1 else {
            throw ModelError.invalidArgument("--learning-rate must be in (0, 1], got \(tabular.learningRate)")
        }
        guard (0...1).contains(tabular.epsilonStart), (0...1).contains(tabular.epsilonEnd) else {
            throw ModelError.invalidArgument("--epsilon-start and --epsilon-end must be in [0, 1]")
        }
        guard tabular.checkpointEvery > 0 else { throw ModelError.invalidArgument("--checkpoint-every must be positive") }
        let folder = try options.folder()
        let optimum = try ValueIteration.run(mdp)
        let settings = TabularLearningSettings(
            method: method, episodes: tabular.episodes, learningRate: tabular.learningRate,
            exploration: EpsilonGreedy(start: tabular.epsilonStart, end: tabular.epsilonEnd,
                                       decayEpisodes: tabular.epsilonDecay ?? tabular.episodes / 2),
            timeLimit: tabular.timeLimit ?? options.timeLimit, checkpointEvery: tabular.checkpointEvery, seed: options.seed)
        var configured = settings
        configured.exploringStarts = tabular.exploringStarts
        let result = try TabularLearning.train(mdp, settings: configured, optimum: optimum.values)
        let last = result.checkpoints.last!
        RLOutput.log("\(method.rawValue) \(mdp.name): \(tabular.episodes) episodes, \(result.totalSteps) steps; greedy return within "
                     + "\(settings.timeLimit) steps \(last.greedyReturnWithinLimit) (optimal \(result.optimalReturnWithinLimit)), "
                     + "start-value gap \(last.startValueGap), optimal actions in \(Int((100 * last.optimalActionShare).rounded()))% of states")
        let episodes = result.checkpoints.map { Double($0.episode) }
        try RLOutput.writeLines(
            "\(method.rawValue) on \(mdp.name): greedy policy vs the DP optimum", xLabel: "episode", yLabel: "",
            series: [.init(name: "greedy return within limit", values: result.checkpoints.map(\.greedyReturnWithinLimit), xs: episodes),
                     .init(name: "optimal", values: episodes.map { _ in result.optimalReturnWithinLimit }, xs: episodes),
                     .init(name: "share of optimal actions", values: result.checkpoints.map(\.optimalActionShare), xs: episodes),
                     .init(name: "mean training return", values: result.checkpoints.map(\.meanTrainingReturn), xs: episodes)],
            to: RLOutput.path(folder, "learning_curve.png"))
        try RLOutput.writeLines(
            "\(method.rawValue) on \(mdp.name): v*(start) - v_greedy(start)", xLabel: "episode", yLabel: "value gap",
            series: [.init(name: "gap", values: result.checkpoints.map { max($0.startValueGap, 1e-12) }, xs: episodes)],
            logY: true, to: RLOutput.path(folder, "value_gap.png"))
        var pictures = ["learning_curve.png", "value_gap.png"]
        let greedyValues = result.q.map { $0.max() ?? 0 }
        if mdp.layout != nil && !options.isCarRental {
            try RLOutput.writeValuePanels(mdp, title: "\(method.rawValue): max_a Q(s, a) vs v*",
                                          tables: [("max_a Q", greedyValues), ("v* (value iteration)", optimum.values)],
                                          to: RLOutput.path(folder, "q_values.png"), digits: 2)
            pictures.append("q_values.png")
        }
        var out: [String: Any] = ["command": method.rawValue, "env": mdp.name, "gamma": mdp.gamma, "seed": options.seed,
                                  "episodes": tabular.episodes, "learning_rate": tabular.learningRate,
                                  "time_limit": settings.timeLimit, "total_steps": result.totalSteps,
                                  "optimal_return_within_limit": result.optimalReturnWithinLimit, "pictures": pictures]
        out["result"] = RLOutput.valueTable(mdp, greedyValues, policy: result.greedyChoices)
        out["q"] = result.q
        out["checkpoints"] = result.checkpoints.map {
            ["episode": $0.episode, "start_value_gap": $0.startValueGap, "optimal_action_share": $0.optimalActionShare,
             "greedy_return_within_limit": $0.greedyReturnWithinLimit, "mean_training_return": $0.meanTrainingReturn] as [String: Any]
        }
        out["first_checkpoint_at_optimal_return"] = result.checkpoints.first {
            $0.greedyReturnWithinLimit >= result.optimalReturnWithinLimit - 1e-9 }?.episode ?? NSNull()
        try RLOutput.finish(out, options: options, folder: folder)
    }
}

struct RLQLearning: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "q-learning", abstract: "Tabular Q-learning with ε-greedy exploration.")
    @OptionGroup var options: RLEnvironmentOptions
    @OptionGroup var tabular: TabularOptions
    func run() throws { try runReportingErrors { try TabularCommand.run(.qLearning, options: options, tabular: tabular) } }
}

struct RLSarsa: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sarsa", abstract: "Tabular SARSA with ε-greedy exploration.")
    @OptionGroup var options: RLEnvironmentOptions
    @OptionGroup var tabular: TabularOptions
    func run() throws { try runReportingErrors { try TabularCommand.run(.sarsa, options: options, tabular: tabular) } }
}
