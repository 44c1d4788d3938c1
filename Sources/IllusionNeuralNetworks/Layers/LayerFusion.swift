/// Adjacent layers of a ``Sequential`` that run as one pass over memory instead of two, with the
/// same values and gradients bit for bit (tests: LayerFusionTests):
/// - `BatchNorm` → `ReLU` / `LeakyReLU(slope ≥ 0)`: the rectifier is applied in BatchNorm's output
///   loop and its derivative taken on the fly in BatchNorm's backward (``batchNorm(_:weight:bias:runningMean:runningVar:training:momentum:eps:rectifierSlope:)``),
///   so the normalised values and their gradient are never written.
/// - `ReLU` → `MaxPool2D`: max-pooling first, then ReLU on the pooled (4× smaller for 2×2) map.
///   Exact because ReLU is monotone: the maximum of the rectified window is the rectified maximum,
///   and the gradient reaches the same element (if the maximum is ≤ 0 both give 0 to the window).
///   Not done for LeakyReLU: slope·x can round two different inputs to one value and move a tie.
enum LayerFusion {
    /// The output of `first` then `second` on `x` as one fused op, or nil when the pair has no fusion.
    static func forward(_ first: Layer, then second: Layer, _ x: Tensor) -> Tensor? {
        if let norm = first as? BatchNormalization {
            if second is ReLU { return norm.forward(x, rectifierSlope: 0) }
            if let leaky = second as? LeakyReLU, leaky.slope >= 0 { return norm.forward(x, rectifierSlope: leaky.slope) }
            return nil
        }
        if first is ReLU, let pool = second as? MaxPool2D, x.rank == 4 {
            return pool.forward(x).relu()
        }
        return nil
    }
}
