import Foundation
import IllusionTensors

/// A lookup table of `count` vectors of `dimension` values, as `torch.nn.Embedding`: parameter
/// `weight [count, dimension]`, initialised N(0, 1) like PyTorch (models re-initialise it).
/// ``lookup(_:)`` gathers rows; its backward scatter-adds into the rows used.
public final class Embedding: Layer {
    public let count: Int
    public let dimension: Int
    public let weight: Tensor
    public var isTraining = true

    public init(_ count: Int, _ dimension: Int, rng: inout RandomGenerator) {
        require(count > 0 && dimension > 0, "Embedding: sizes must be positive, got \(count)×\(dimension)")
        self.count = count
        self.dimension = dimension
        weight = Tensor.normal([count, dimension], rng: &rng, requiresGrad: true)
    }

    public var ownParameters: [(name: String, tensor: Tensor)] { [("weight", weight)] }
    public var summaryName: String { "Embedding(\(count), \(dimension))" }

    /// Rows `indices` (each in `0..<count`) → `[indices.count, dimension]`.
    public func lookup(_ indices: [Int]) -> Tensor { weight.gatherRows(indices) }

    /// x holds indices as floats, any shape → `x.shape + [dimension]`.
    public func forward(_ x: Tensor) -> Tensor {
        lookup(x.storage.map { Int($0) }).reshaped(x.shape + [dimension])
    }
}
