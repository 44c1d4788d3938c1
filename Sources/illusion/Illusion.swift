import ArgumentParser
import Foundation
import IllusionModels

/// Entry point: sets up threading once (OpenBLAS single-threaded inside our own parallel
/// convolution loops — never two thread pools at once), then runs the command.
/// Freed tensors stay in the heap for the next step (``HeapTuning``).
/// `ILLUSION_THREADS=N` chooses the number of threads (default: every core).
@main
enum IllusionMain {
    static func main() {
        let environment = ProcessInfo.processInfo.environment
        // Under mpirun the cores are shared by the ranks on this machine (docs/distributed.md).
        let ranksHere = environment["OMPI_COMM_WORLD_LOCAL_SIZE"].flatMap(Int.init) ?? 1
        let threads = environment["ILLUSION_THREADS"].flatMap(Int.init) ?? ProcessInfo.processInfo.activeProcessorCount / max(1, ranksHere)
        ComputeThreads.configure(max(1, threads))
        HeapTuning.keepFreedMemoryForReuse()
        Log.installStandardError()   // the library logs through Log.sink; the CLI's destination is stderr
        do {
            try DataParallel.startIfLaunchedByMPI(arguments: CommandLine.arguments)
        } catch {
            FileHandle.standardError.write(Data("illusion: error: \(error)\n".utf8))
            Foundation.exit(1)
        }
        if !DataParallel.isRoot { Log.sink = { _ in } }  // rank 0 alone reports progress
        do {
            // `train KIND --config FILE`: the file's settings become flags before the typed ones.
            var command = try Illusion.parseAsRoot(try ConfigFileExpansion.expand(Array(CommandLine.arguments.dropFirst())))
            try command.run()
        } catch {
            let code = Illusion.exitCode(for: error)
            // Help, --version and commands that already printed their one line exit as ArgumentParser says.
            if code == .success || error is ExitCode { Illusion.exit(withError: error) }
            // Parse and validation errors: one line naming the flag, then a pointer to --help.
            let message = Illusion.message(for: error).split(whereSeparator: \.isNewline)
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: " ")
            FileHandle.standardError.write(Data("illusion: error: \(message) (see --help)\n".utf8))
            Foundation.exit(code.rawValue)
        }
    }
}

struct Illusion: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "illusion",
        abstract: "Train, sample and inspect generative models (VAE, autoencoder, DCGAN) and classic models, written from first principles.",
        version: BuildInfo.version,
        subcommands: [Train.self, Sample.self, Reconstruct.self, Interpolate.self, LatentPlot.self,
                      AttributeVector.self, Evaluate.self, Summary.self, Augment.self, Classify.self, RL.self, Export.self,
                      Generate.self, Experiment.self, DataCacheBenchmark.self])
}

/// Runs a command body, turning any error into one line on stderr and exit code 1
/// (never a trap or a stack trace).
func runReportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let e as ExitCode {
        throw e
    } catch let e as ValidationError {
        throw e
    } catch let e as TrainingInterrupted {
        FileHandle.standardError.write(Data("\n\(e)\n".utf8))
        throw ExitCode(130)
    } catch {
        if DataParallel.worldSize > 1 { DataParallel.abort("\(error)") }  // stops the other ranks too
        FileHandle.standardError.write(Data("illusion: error: \(error)\n".utf8))
        throw ExitCode(1)
    }
}

/// Prints one JSON object on stdout (the `--json` contract).
func printJSON(_ object: Any) {
    guard DataParallel.isRoot else { return }  // one JSON object on stdout, from rank 0
    guard JSONSerialization.isValidJSONObject(object),
          let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else {
        FileHandle.standardError.write(Data("illusion: error: could not encode the result as JSON\n".utf8))
        return
    }
    FileHandle.standardOutput.write(data + Data("\n".utf8))
}

func printJSON<T: Encodable>(encodable value: T) {
    guard DataParallel.isRoot else { return }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    if let data = try? encoder.encode(value) { FileHandle.standardOutput.write(data + Data("\n".utf8)) }
}
