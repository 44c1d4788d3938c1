/// StackGAN's residual block (Zhang et al. 2017, after He et al. 2016): y = ReLU(block(x) + x) with
/// block = Conv 3×3 (no bias) → BatchNorm → ReLU → Conv 3×3 (no bias) → BatchNorm, channels and side kept.
/// x: `[N, C, H, W]` → `[N, C, H, W]`.
///
/// State dict as StackGAN-Pytorch's `ResBlock`: `block.0.weight`, `block.1.{weight, bias, running_mean,
/// running_var}`, `block.3.weight`, `block.4.*` (the ReLU after the sum has no state).
public final class ResidualBlock: Layer {
    public let channels: Int
    /// conv-BN-ReLU-conv-BN, a `torch.nn.Sequential` (children "0" … "4").
    public let block: Sequential
    let residual: Residual
    public var isTraining = true

    /// Two 3×3 convolutions of `channels` channels (PyTorch's default init, as `Conv2D`).
    public init(channels: Int, rng: inout RandomGenerator) {
        self.channels = channels
        block = Sequential([Conv2D(channels, channels, kernelSize: 3, padding: 1, bias: false, rng: &rng), BatchNorm2D(channels), ReLU(),
                            Conv2D(channels, channels, kernelSize: 3, padding: 1, bias: false, rng: &rng), BatchNorm2D(channels)])
        residual = Residual(block, bodyName: "block")
    }

    public var children: [(name: String, layer: Layer)] { [("block", block)] }

    public var summaryName: String { "ResidualBlock(\(channels), conv-BN-ReLU-conv-BN + x, ReLU)" }

    public func forward(_ x: Tensor) -> Tensor { residual(x).relu() }
}
