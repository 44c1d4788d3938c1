import Foundation

/// One recorded operation on the autograd tape: its inputs and the function that turns the
/// gradient of its output into gradients of its inputs (accumulated into each input's `grad`).
///
/// The closure receives the output tensor and the output's gradient rather than capturing the
/// output, so the graph has no reference cycles.
///
/// In-place safety: the node remembers each input's ``Tensor/version`` when it is recorded. If an
/// input's storage is modified before the backward pass reaches the node, that pass stops with
/// a message naming the op and the input (PyTorch: "modified by an inplace operation").
public final class TapeNode {
    /// The op's name (`matmul`, `conv2d`…), used in error messages and tape dumps.
    public let name: String
    /// The tensors the op read; backward accumulates into their `grad` (those that require one).
    public let inputs: [Tensor]
    /// Each input's ``Tensor/version`` when the op was recorded.
    public let inputVersions: [UInt64]
    /// Given the output and ∂loss/∂output (flat, the output's shape), adds ∂loss/∂input to each input.
    public let backward: (_ output: Tensor, _ gradOutput: [Float]) -> Void

    /// Records `inputs`' current versions; ops normally go through `Tensor.result(_:shape:storage:inputs:backward:)` instead.
    public init(name: String, inputs: [Tensor], backward: @escaping (Tensor, [Float]) -> Void) {
        self.name = name
        self.inputs = inputs
        self.inputVersions = inputs.map(\.version)
        self.backward = backward
    }

    /// The first input whose storage changed since the op was recorded, as a one-line message.
    public func modifiedInputMessage() -> String? {
        for (i, (t, v)) in zip(inputs, inputVersions).enumerated() where t.version != v {
            let label = t.name.map { "'\($0)' " } ?? ""
            return "backward: input \(i) \(label)of shape \(t.shape) of '\(name)' was modified in place after the op was recorded (version \(v) → \(t.version)); its gradient would be wrong. Modify a copy, or do it after backward()"
        }
        return nil
    }
}

/// Whether ops record themselves on the tape, **per thread**: ``noGrad(_:)`` on one thread does not
/// stop another thread from recording. Threads start with recording enabled.
///
/// Stored in a POSIX thread-specific slot (no global mutable variable): nil means enabled.
public enum GradMode {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key, nil)
        require(status == 0, "GradMode: pthread_key_create failed (\(status))")
        return key
    }()

    /// True when ops on the calling thread record themselves on the tape.
    public static var isEnabled: Bool {
        get { pthread_getspecific(key) == nil }
        set { pthread_setspecific(key, newValue ? nil : UnsafeRawPointer(bitPattern: 1)) }
    }
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
    ///
    /// Stops with a message naming the op when a tensor that a recorded op still needs was modified
    /// in place (see ``TapeNode/inputVersions``); ``backwardChecked(gradient:)`` throws instead.
    public func backward(gradient seed: [Float]) {
        do { try backwardChecked(gradient: seed) } catch { requirementFailed(String(describing: error), file: #fileID, line: #line) }
    }

    /// ``backward()`` that throws ``TensorError/modifiedInPlace(_:)`` instead of stopping the program.
    public func backwardChecked() throws {
        require(count == 1, "backward(): needs a scalar, got shape \(shape)")
        try backwardChecked(gradient: [1])
    }

    /// ``backward(gradient:)`` that throws ``TensorError/modifiedInPlace(_:)`` instead of stopping.
    public func backwardChecked(gradient seed: [Float]) throws {
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
            if let message = node.modifiedInputMessage() {
                for u in order { u.node = nil; if !u.requiresGrad { u.grad = nil } }
                throw TensorError.modifiedInPlace(message)
            }
            if let g = t.grad {
                node.backward(t, g)
            }
            // Free the graph behind us: non-leaf gradients and the recorded closure.
            if !t.requiresGrad { t.grad = nil }
            t.node = nil
        }
    }
}
