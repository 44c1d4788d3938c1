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
    /// Elman RNN with tanh (`torch.nn.RNN(nonlinearity='tanh')`), one gate.
    case rnnTanh = "rnn_tanh"
    /// Elman RNN with ReLU (`nonlinearity='relu'`): unbounded activations, so clip gradients.
    case rnnReLU = "rnn_relu"
    /// LSTM: 4 gates (i, f, g, o) and a cell state.
    case lstm
    /// GRU: 3 gates (r, z, n), no cell state.
    case gru

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

    /// `RNN(tanh)`, `RNN(relu)`, `LSTM` or `GRU`, for summaries and reports.
    public var displayName: String {
        switch self {
        case .rnnTanh: return "RNN(tanh)"
        case .rnnReLU: return "RNN(relu)"
        case .lstm: return "LSTM"
        case .gru: return "GRU"
        }
    }
}
