/// A lookup table, as `torch.nn.Embedding`: weight `[count, dimension]`, row i is the vector of id i.
///
/// ids of any shape S → vectors `S + [dimension]`. Init N(0, 1) as PyTorch; with `paddingIndex`
/// that row starts at 0 and receives no gradient (it stays whatever it is).
public final class Embedding: Layer {
    /// Rows of the table: the number of ids (vocabulary size).
    public let count: Int
    /// Length of each vector.
    public let dimension: Int
    /// The id whose row is zero and frozen (PyTorch `padding_idx`), or nil.
    public let paddingIndex: Int?
    /// `[count, dimension]`, init N(0, 1).
    public let weight: Tensor
    public var isTraining = true

    /// `torch.nn.Embedding(num_embeddings, embedding_dim, padding_idx)`.
    public init(_ count: Int, _ dimension: Int, paddingIndex: Int? = nil, rng: inout RandomGenerator) {
        require(count > 0 && dimension > 0, "Embedding: sizes must be positive, got \(count)×\(dimension)")
        if let p = paddingIndex { require(p >= 0 && p < count, "Embedding: padding index \(p) out of range 0..<\(count)") }
        self.count = count
        self.dimension = dimension
        self.paddingIndex = paddingIndex
        weight = Tensor.normal([count, dimension], rng: &rng, requiresGrad: true)
        if let p = paddingIndex { for j in 0..<dimension { weight.storage[p * dimension + j] = 0 } }
    }

    public var ownParameters: [(name: String, tensor: Tensor)] { [("weight", weight)] }
    public var summaryName: String { "Embedding(\(count), \(dimension))" }

    /// ids given as a float tensor of whole numbers (the `Layer` interface); see ``forward(ids:shape:)``.
    public func forward(_ x: Tensor) -> Tensor { forward(ids: x.storage.map { Int($0) }, shape: x.shape) }

    /// ids `shape` → `shape + [dimension]`. Backward scatter-adds the rows' gradients into `weight`.
    public func forward(ids: [Int], shape: [Int]) -> Tensor {
        require(ids.count == shape.reduce(1, *), "Embedding: \(ids.count) ids for shape \(shape)")
        let d = dimension
        var values = [Float](repeating: 0, count: ids.count * d)
        weight.storage.withUnsafeBufferPointer { w in values.withUnsafeMutableBufferPointer { o in
            for (r, i) in ids.enumerated() {
                require(i >= 0 && i < count, "Embedding: id \(i) out of range 0..<\(count)")
                (o.baseAddress! + r * d).update(from: w.baseAddress! + i * d, count: d)
            }
        } }
        let padding = paddingIndex
        return Tensor.result("embedding", shape: shape + [d], storage: values, inputs: [weight]) { [weight] _, g in
            var dw = [Float](repeating: 0, count: weight.count)
            for (r, i) in ids.enumerated() where i != padding {
                for j in 0..<d { dw[i * d + j] += g[r * d + j] }
            }
            weight.accumulateGrad(dw)
        }
    }
}
