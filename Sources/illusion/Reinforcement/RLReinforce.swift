import ArgumentParser
import Foundation
import IllusionModels
import IllusionReinforcement

/// `illusion rl reinforce --env cartpole`: REINFORCE with a learned baseline, trained by our Adam.
struct RLReinforce: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reinforce",
        abstract: "REINFORCE with a learned baseline on CartPole-v1; stops when solved (mean return ≥ 475 over 100 episodes).")

    @OptionGroup var options: RLEnvironmentOptions
    @Option(help: "Budget: at most this many episodes.") var episodes = 3000
    @Option(help: "Hidden layer sizes of both MLPs, comma separated.") var hidden = "64"
    @Option(help: "Adam learning rate of the policy.") var learningRate: Float = 0.005
    @Option(help: "Adam learning rate of the baseline.") var baselineLearningRate: Float = 0.005
    @Option(help: "Episodes per gradient step.") var episodesPerUpdate = 1
    @Flag(help: "Keep training after the solved criterion is met (until --episodes).") var noStop = false

    func run() throws {
        try runReportingErrors {
            guard case .builtIn(.cartpole) = options.env else {
                throw ModelError.invalidArgument("reinforce works with --env cartpole (the finite MDPs are solved exactly by value-iteration)")
            }
            let sizes = hidden.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !sizes.isEmpty, sizes.allSatisfy({ ($0 ?? 0) > 0 }) else {
                throw ModelError.invalidArgument("--hidden expects positive sizes separated by commas, got '\(hidden)'")
            }
            guard episodes > 0, episodesPerUpdate > 0 else { throw ModelError.invalidArgument("--episodes and --episodes-per-update must be positive") }
            if let g = options.gamma, !(g > 0 && g <= 1) { throw ModelError.invalidArgument("--gamma must be in (0, 1], got \(g)") }
            let folder = try options.folder()
            var settings = ReinforceSettings()
            settings.episodes = episodes
            settings.hidden = sizes.map { $0! }
            settings.learningRate = learningRate
            settings.baselineLearningRate = baselineLearningRate
            settings.episodesPerUpdate = episodesPerUpdate
            settings.gamma = options.gamma ?? 0.99
            settings.stopWhenSolved = !noStop
            settings.seed = options.seed
            let start = Date()
            var lastLog = Date.distantPast
            let result = Reinforce.train(settings: settings) { episode, ret, average in
                if Date().timeIntervalSince(lastLog) > 5 {
                    lastLog = Date()
                    RLOutput.log("episode \(episode): return \(Int(ret)), mean of last 100 \(String(format: "%.1f", average))")
                }
            }
            let seconds = Date().timeIntervalSince(start)
            let evaluationMean = result.evaluationReturns.reduce(0, +) / Double(max(1, result.evaluationReturns.count))
            RLOutput.log((result.solvedAtEpisode.map { "solved at episode \($0)" } ?? "not solved within \(episodes) episodes")
                         + String(format: " (%.1f s, %d steps); final policy: mean return %.1f over %d fresh episodes",
                                  seconds, result.totalSteps, evaluationMean, result.evaluationReturns.count))
            let n = Double(result.episodeReturns.count)
            try RLOutput.writeLines("REINFORCE with baseline on CartPole-v1 (seed \(options.seed))", xLabel: "episode", yLabel: "return",
                                    series: [.init(name: "return", values: result.episodeReturns),
                                             .init(name: "mean of last 100", values: result.movingAverage),
                                             .init(name: "solved: 475", values: [475, 475], xs: [1, n])],
                                    to: RLOutput.path(folder, "learning_curve.png"))
            let out: [String: Any] = [
                "command": "reinforce", "env": "cartpole", "seed": options.seed, "gamma": settings.gamma,
                "hidden": settings.hidden, "learning_rate": Double(String(learningRate))!, "baseline_learning_rate": Double(String(baselineLearningRate))!,
                "episodes_per_update": episodesPerUpdate, "budget_episodes": episodes,
                "episodes": result.episodeReturns.count, "updates": result.updates, "total_steps": result.totalSteps,
                "solved_at_episode": result.solvedAtEpisode ?? NSNull(),
                "final_mean_return_last_100": result.movingAverage.last ?? 0, "seconds": seconds,
                "returns": result.episodeReturns, "pictures": ["learning_curve.png"],
                "evaluation_episodes": result.evaluationReturns.count,
                "evaluation_mean_return": result.evaluationReturns.isEmpty ? 0 : result.evaluationReturns.reduce(0, +) / Double(result.evaluationReturns.count),
                "evaluation_min_return": result.evaluationReturns.min() ?? 0,
            ]
            try RLOutput.finish(out, options: options, folder: folder)
        }
    }
}
