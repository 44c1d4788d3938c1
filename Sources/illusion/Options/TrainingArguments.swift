import ArgumentParser
import Foundation
import IllusionModels

extension ScheduleKind: ExpressibleByArgument {}
extension VAEArchitecture: ExpressibleByArgument {}
extension GeneratorLossKind: ExpressibleByArgument {}

/// The datasets a training command can name (`--dataset`); `--help` lists them.
enum DatasetName: String, CaseIterable, ExpressibleByArgument {
    case fashionMNIST = "fashion-mnist"
    case mnist
    case celeba
    case facesSynthetic = "faces-synthetic"
    case folder

    var isGrey: Bool { self == .fashionMNIST || self == .mnist }
}

/// `--threads`: how many threads our kernels use (shared by every trainer and `eval`).
struct ComputeArguments: ParsableArguments {
    @Option(parsing: .unconditional, help: "Threads of our own kernels, with OpenBLAS single-threaded inside them (default: every core, or ILLUSION_THREADS).")
    var threads: Int?

    /// Applies `--threads` (before any model is built).
    func apply() throws {
        guard let threads else { return }
        guard threads >= 1 && threads <= 1024 else { throw ValidationError("--threads must be in 1…1024, got \(threads)") }
        ComputeThreads.configure(threads)
    }
}

/// Checkpoint and resume flags of every trainer (the shared training loop's).
struct CheckpointArguments: ParsableArguments {
    @Flag(help: "Continue the run in --out from its newest verified checkpoint (weights, optimizers, random streams, position in the epoch). Only --epochs and the flags of this group may be given with it.")
    var resume = false
    @Option(name: .customLong("resume-from"), help: "Continue from this checkpoint folder (e.g. RUN/checkpoints/step-000001200) instead of the newest.")
    var resumeFrom: String?
    @Option(name: .customLong("checkpoint-every"), parsing: .unconditional, help: "Also commit a resumable checkpoint every N optimisation steps (default 0: at epoch ends only).")
    var checkpointEvery: Int = 0
    @Option(name: .customLong("keep-checkpoints"), parsing: .unconditional, help: "How many step checkpoints to keep in RUN/checkpoints (the best is kept besides).")
    var keepCheckpoints: Int = 2

    var isResuming: Bool { resume || resumeFrom != nil }

    /// Flags that may be given with --resume: they change neither the model nor the data.
    static let allowedWithResume: Set<String> = [
        "--resume", "--resume-from", "--out", "--epochs", "--quiet", "--json", "--threads", "--checkpoint-every",
        "--keep-checkpoints", "--iwae-samples", "--fd-classifier", "--tensorboard", "--data-cache",
    ]

    /// With --resume, refuses flags that would change the run (the run's config.json decides them).
    func checkResumeFlags(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) throws {
        guard isResuming else { return }
        try Self.refuseFlagsThatChangeTheRun(arguments)
    }

    /// The check of ``checkResumeFlags(_:)`` for commands with their own resume flags (`train
    /// char-lm`); `alsoAllowed` adds flags the command verifies against the run itself.
    static func refuseFlagsThatChangeTheRun(_ arguments: [String] = Array(CommandLine.arguments.dropFirst()),
                                            alsoAllowed: Set<String> = []) throws {
        let allowedWithResume = Self.allowedWithResume.union(alsoAllowed)
        let given = arguments.filter { $0.hasPrefix("--") }.map { String($0.split(separator: "=", maxSplits: 1)[0]) }
        let refused = given.filter { !allowedWithResume.contains($0) }
        guard refused.isEmpty else {
            throw ModelError.invalidArgument("--resume continues the run with its own config.json: \(refused.joined(separator: ", ")) would change the model, the data or the optimisation (allowed with --resume: --epochs, --threads, --checkpoint-every, --keep-checkpoints, --quiet, --json)")
        }
    }

    /// `--epochs` when the user typed it (a resumed run keeps its own otherwise).
    static func typedEpochs(_ epochs: Int, arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> Int? {
        arguments.contains { $0 == "--epochs" || $0.hasPrefix("--epochs=") } ? epochs : nil
    }
}

/// Optimisation flags of the shared loop that every trainer takes.
struct OptimizationArguments: ParsableArguments {
    @Option(name: .customLong("clip-grad-norm"), parsing: .unconditional, help: "Clip the global L2 norm of the gradients to this before each update (default: no clipping).")
    var clipGradNorm: Float?
    @Option(help: "Learning-rate schedule per epoch, from each optimizer's own rate (default: constant; cosine for the CNN).")
    var schedule: ScheduleKind?
    @Option(parsing: .unconditional, help: "Early stopping: epochs without a better validation figure before training stops (default 0: never; 5 for the CNN).")
    var patience: Int?
    @Option(name: .customLong("log-every"), parsing: .unconditional, help: "Also write the mean step figures every N steps to metrics.jsonl (and --tensorboard) (default 0: epoch lines only; 50 for the GANs).")
    var logEvery: Int?

    /// The shared loop's options from these flags and the checkpoint group.
    func loopOptions(_ checkpoints: CheckpointArguments) throws -> TrainingLoopOptions {
        try loopOptions(checkpointEvery: checkpoints.checkpointEvery, keepCheckpoints: checkpoints.keepCheckpoints)
    }

    func loopOptions(checkpointEvery: Int, keepCheckpoints: Int = 2) throws -> TrainingLoopOptions {
        var loop = TrainingLoopOptions()
        loop.checkpointEvery = checkpointEvery
        loop.keepCheckpoints = keepCheckpoints
        loop.clipGradNorm = clipGradNorm
        loop.schedule = schedule
        loop.patience = patience ?? 0
        loop.logEvery = logEvery ?? 0
        try loop.validate()
        return loop
    }
}

/// `--limit` / `--eval-limit`: quick runs on part of the data.
struct DataLimitArguments: ParsableArguments {
    @Option(parsing: .unconditional, help: "Use at most this many training images; unless --eval-limit is given the test split is cut to a sixth as many (an eighth for celeba).")
    var limit: Int?
    @Option(name: .customLong("eval-limit"), parsing: .unconditional, help: "Use at most this many test images (default: all, or the --limit share).")
    var evalLimit: Int?
}

/// `--out`, `--json`, `--quiet`: where a trainer writes and what it prints.
struct RunOutputArguments: ParsableArguments {
    @Option(help: "Run folder (created; config.json, checkpoints, metrics.jsonl, pictures, report.html).") var out: String
    @Flag(help: "Print the final figures as one JSON object on stdout.") var json = false
    @Flag(help: "No progress output (warnings are still printed).") var quiet = false
}

/// A command (or argument group) with the `--out`/`--json`/`--quiet` group: reads them as `out`, `json`, `quiet`.
protocol RunOutputCommand {
    var output: RunOutputArguments { get }
}

extension RunOutputCommand {
    var out: String { output.out }
    var json: Bool { output.json }
    var quiet: Bool { output.quiet }
}

/// `--tensorboard DIR`: TensorBoard event files beside metrics.jsonl (every trainer on the shared loop).
struct TensorBoardArguments: ParsableArguments {
    @Option(help: ArgumentHelp("Also write TensorBoard event files into DIR: every metrics.jsonl figure as a scalar (step/… each logged step, epoch/… each epoch) and the epoch's sample grids as images (`tensorboard --logdir DIR`).", valueName: "DIR"))
    var tensorboard: String?

    /// Opens a new event file in DIR and makes it the log sink of every trainer created afterwards
    /// (under mpirun on rank 0 only, which alone writes the run's files).
    func start() throws {
        guard let tensorboard, DataParallel.isRoot else { return }
        TrainingLog.sinks = [try TensorBoardWriter(directory: tensorboard)]
    }
}
