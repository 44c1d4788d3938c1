/// A residual block: y = body(x) + shortcut(x), with the identity as the default shortcut
/// (He et al. 2016). The two branches must produce the same shape. Children are named `body`
/// and `shortcut` (set the names the equivalent PyTorch module uses when building models).
public final class Residual: Layer {
    /// The residual branch F in y = F(x) + x.
    public let body: Layer
    /// The projection of x when shapes change (a 1×1 convolution, say); nil = identity.
    public let shortcut: Layer?
    public var isTraining = true
    let bodyName: String, shortcutName: String

    /// y = body(x) + (shortcut ?? identity)(x); the names are the children's state-dict prefixes.
    public init(_ body: Layer, shortcut: Layer? = nil, bodyName: String = "body", shortcutName: String = "shortcut") {
        self.body = body; self.shortcut = shortcut
        self.bodyName = bodyName; self.shortcutName = shortcutName
    }

    public var children: [(name: String, layer: Layer)] {
        [(bodyName, body)] + (shortcut.map { [(shortcutName, $0)] } ?? [])
    }

    public var summaryName: String { "Residual" }

    public func forward(_ x: Tensor) -> Tensor {
        residualAdd(body.forward(x), shortcut?.forward(x) ?? x)
    }
}

/// a + b for two tensors of the same shape (no broadcasting: a mismatch is a modelling error).
/// Backward: both inputs receive dy unchanged.
public func residualAdd(_ a: Tensor, _ b: Tensor) -> Tensor {
    require(a.shape == b.shape, "residualAdd: branch shapes \(a.shape) and \(b.shape) differ")
    var y = uninitializedFloats(a.count)
    a.storage.withUnsafeBufferPointer { ap in b.storage.withUnsafeBufferPointer { bp in y.withUnsafeMutableBufferPointer { yp in
        for i in 0..<yp.count { yp[i] = ap[i] + bp[i] }
    } } }
    return Tensor.result("residual_add", shape: a.shape, storage: y, inputs: [a, b]) { _, g in
        if a.isOnTape { a.accumulateGrad(g) }
        if b.isOnTape { b.accumulateGrad(g) }
    }
}
