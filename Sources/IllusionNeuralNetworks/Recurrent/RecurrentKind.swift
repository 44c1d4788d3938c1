/// The recurrent cells, with PyTorch's gate order (the rows of `weight_ih` / `weight_hh`):
///
/// - `rnnTanh` / `rnnReLU` (`torch.nn.RNN`, one gate): h' = act(W_ih x + b_ih + W_hh h + b_hh).
/// - `lstm` (`torch.nn.LSTM`, gates i, f, g, o): i, f, o = σ(·), g = tanh(·) of W_i· x + b_i· + W_h· h + b_h·;
///   c' = f ⊙ c + i ⊙ g, h' = o ⊙ tanh(c').
/// - `gru` (`torch.nn.GRU`, gates r, z, n): r, z = σ(W_i· x + b_i· + W_h· h + b_h·),
///   n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), h' = (1 − z) ⊙ n + z ⊙ h.
///   The reset gate multiplies (W_hn h + b_hn), *after* the matrix product, as PyTorch and cuDNN do;
///   Cho et al. (2014) apply it to h before the product — the two are different functions.
public enum RecurrentKind: String, Sendable, CaseIterable, Codable {
    case rnnTanh = "rnn_tanh", rnnReLU = "rnn_relu", lstm, gru

    /// Number of stacked gates G in the weight matrices `[G·H, ·]`.
    public var gateCount: Int {
        switch self {
        case .rnnTanh, .rnnReLU: return 1
        case .lstm: return 4
        case .gru: return 3
        }
    }

    /// Whether the cell carries a cell state c beside h.
    public var hasCellState: Bool { self == .lstm }

    public var displayName: String {
        switch self {
        case .rnnTanh: return "RNN(tanh)"
        case .rnnReLU: return "RNN(relu)"
        case .lstm: return "LSTM"
        case .gru: return "GRU"
        }
    }
}
