/// One recorded operation on the autograd tape: its inputs and the function that turns the
/// gradient of its output into gradients of its inputs (accumulated into each input's `grad`).
///
/// The closure receives the output tensor and the output's gradient rather than capturing the
/// output, so the graph has no reference cycles.
public final class TapeNode {
    public let name: String
    public let inputs: [Tensor]
    public let backward: (_ output: Tensor, _ gradOutput: [Float]) -> Void

    public init(name: String, inputs: [Tensor], backward: @escaping (Tensor, [Float]) -> Void) {
        self.name = name
        self.inputs = inputs
        self.backward = backward
    }
}

/// Whether ops record themselves on the tape. Disabled inside ``noGrad(_:)``.
public enum GradMode {
    nonisolated(unsafe) public static var isEnabled = true
}

/// Runs `body` without recording any op on the tape (evaluation, sampling, optimizer updates).
@discardableResult
public func noGrad<T>(_ body: () throws -> T) rethrows -> T {
    let previous = GradMode.isEnabled
    GradMode.isEnabled = false
    defer { GradMode.isEnabled = previous }
    return try body()
}

extension Tensor {
    /// True when this tensor needs a tape entry: it requires gradients itself or depends on one that does.
    @inlinable public var isOnTape: Bool { requiresGrad || node != nil }

    /// Builds the result of an op. Records `backward` on the tape when gradients are enabled and
    /// any input is on the tape; otherwise the closure is dropped.
    public static func result(_ name: String, shape: [Int], storage: [Float], inputs: [Tensor],
                              backward: @escaping (_ output: Tensor, _ gradOutput: [Float]) -> Void) -> Tensor {
        let out = Tensor(shape: shape, storage: storage)
        if GradMode.isEnabled && inputs.contains(where: { $0.isOnTape }) {
            out.node = TapeNode(name: name, inputs: inputs, backward: backward)
        }
        return out
    }

    /// Reverse-mode differentiation from this scalar: accumulates d(self)/d(t) into `t.grad` for
    /// every tensor `t` with `requiresGrad` that this one depends on.
    ///
    /// Intermediate gradients are freed as soon as they are used and the tape is released, so a
    /// graph can be walked once (as in PyTorch without `retain_graph`).
    public func backward() {
        require(count == 1, "backward(): needs a scalar, got shape \(shape)")
        backward(gradient: [1])
    }

    /// Reverse-mode differentiation seeded with `gradient` (same element count as this tensor).
    public func backward(gradient seed: [Float]) {
        require(seed.count == count, "backward(gradient:): \(seed.count) values for shape \(shape)")
        // Topological order by iterative depth-first search over tensors that have nodes.
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Tensor, Bool)] = [(self, false)]
        while let (t, expanded) = stack.popLast() {
            if expanded { order.append(t); continue }
            if visited.contains(ObjectIdentifier(t)) { continue }
            visited.insert(ObjectIdentifier(t))
            stack.append((t, true))
            if let node = t.node {
                for input in node.inputs where input.node != nil && !visited.contains(ObjectIdentifier(input)) {
                    stack.append((input, false))
                }
            }
        }
        accumulateGrad(seed)
        for t in order.reversed() {
            guard let node = t.node else { continue }
            if let g = t.grad {
                node.backward(t, g)
            }
            // Free the graph behind us: non-leaf gradients and the recorded closure.
            if !t.requiresGrad { t.grad = nil }
            t.node = nil
        }
    }
}
