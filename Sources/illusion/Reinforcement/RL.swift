import ArgumentParser

/// `illusion rl …`: Markov decision processes solved by dynamic programming, tabular agents and REINFORCE.
struct RL: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rl",
        abstract: "Reinforcement learning: policy evaluation, value/policy iteration, Q-learning, SARSA, REINFORCE.",
        subcommands: [RLEvaluate.self, RLValueIteration.self, RLPolicyIteration.self, RLQLearning.self, RLSarsa.self,
                      RLReinforce.self])
}
