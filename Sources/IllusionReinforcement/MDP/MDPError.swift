import Foundation

/// Problems with an MDP (from a file or a flag) or with a computation on it; each description is one
/// line naming the state and action involved.
public enum MDPError: Error, CustomStringConvertible, Equatable {
    case invalid(String)
    case gammaOutOfRange(Double)
    case emptyActionSet(state: String)
    case unknownState(state: String, action: String, next: String)
    case negativeProbability(state: String, action: String, next: String, probability: Double)
    case probabilitiesDoNotSumToOne(state: String, action: String, sum: Double)
    /// Policy evaluation hit its sweep limit; the state whose value still changed most and the action
    /// the policy takes there (γ = 1 with a policy that never reaches a terminal state diverges).
    case evaluationDidNotConverge(sweeps: Int, residual: Double, state: String, action: String, gamma: Double)
    case valueIterationDidNotConverge(sweeps: Int, residual: Double, state: String)

    public var description: String {
        switch self {
        case .invalid(let m): return m
        case .gammaOutOfRange(let g): return "gamma must be in (0, 1], got \(g)"
        case .emptyActionSet(let s): return "state '\(s)' is not terminal but has no actions (empty action set)"
        case .unknownState(let s, let a, let n):
            return "state '\(s)', action '\(a)': transition to unknown state '\(n)'"
        case .negativeProbability(let s, let a, let n, let p):
            return "state '\(s)', action '\(a)': probability \(p) of reaching '\(n)' is negative"
        case .probabilitiesDoNotSumToOne(let s, let a, let sum):
            return "state '\(s)', action '\(a)': probabilities sum to \(String(format: "%.10g", sum)), expected 1 (within 1e-6)"
        case .evaluationDidNotConverge(let n, let r, let s, let a, let g):
            let hint = g == 1 ? " (gamma = 1: the policy may never reach a terminal state from here)" : ""
            return "policy evaluation did not converge after \(n) sweeps (largest change \(r) at state '\(s)', action '\(a)')\(hint)"
        case .valueIterationDidNotConverge(let n, let r, let s):
            let hint = " (gamma = 1 needs every state to reach a terminal state)"
            return "value iteration did not converge after \(n) sweeps (largest change \(r) at state '\(s)')\(hint)"
        }
    }
}
