import ArgumentParser

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a model into a run folder.",
        subcommands: [TrainVAE.self])
}
