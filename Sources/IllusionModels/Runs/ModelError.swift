/// Errors from model construction, runs and checkpoints; descriptions are one line for the CLI.
public enum ModelError: Error, CustomStringConvertible {
    case invalidArgument(String)
    case invalidRun(String)
    case trainingDiverged(String)

    public var description: String {
        switch self {
        case .invalidArgument(let m), .invalidRun(let m), .trainingDiverged(let m): return m
        }
    }
}
