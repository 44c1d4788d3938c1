/// An optimizer updates a fixed list of parameters from their accumulated gradients.
///
/// Usage per training step: `optimizer.zeroGrad()`, forward, `loss.backward()`, `optimizer.step()`.
/// Parameters whose `grad` is nil at `step()` are skipped (their state is untouched), as in PyTorch.
///
/// State for checkpoints/resume (the second file beside `model.safetensors`) uses PyTorch's
/// per-parameter buffer names with the parameter's index appended — `exp_avg.0`, `exp_avg_sq.0`,
/// `momentum_buffer.1`, `sum.0`, `square_avg.2` — each tensor shaped like its parameter, plus a
/// scalar `step`. A buffer appears once its parameter has taken a step.
public protocol Optimizer: AnyObject {
    /// The tensors updated by ``step()``, in the order their state is indexed.
    var parameters: [Tensor] { get }
    /// Step size; a schedule may change it between steps.
    var learningRate: Float { get set }
    /// Number of completed ``step()`` calls (Adam's bias-correction t).
    var stepCount: Int { get }
    /// Applies one update from the current gradients.
    func step()
    /// Clears every parameter's gradient.
    func zeroGrad()
    /// The optimizer's internal state as named tensors (see the type documentation for names).
    func state() -> [String: Tensor]
    /// Restores state written by ``state()``; throws ``OptimizerError`` when it does not fit the
    /// parameters (missing or unexpected names, wrong shapes, invalid step). Nothing is changed on error.
    func loadState(_ state: [String: Tensor]) throws
}

extension Optimizer {
    public func zeroGrad() { for p in parameters { p.grad = nil } }

    /// Sets the learning rate from `schedule` for `epoch` (call once at the start of each epoch).
    public func applySchedule(_ schedule: LearningRateSchedule, epoch: Int) {
        learningRate = schedule.learningRate(epoch: epoch)
    }
}

/// Errors from ``Optimizer/loadState(_:)``.
public enum OptimizerError: Error, CustomStringConvertible, Equatable {
    /// A buffer the optimizer needs (e.g. `exp_avg.3`) is not in the saved state.
    case missingState(String)
    /// The saved state holds a buffer this optimizer does not have (another optimizer or parameter count).
    case unexpectedState(String)
    /// A saved buffer's shape differs from its parameter's.
    case stateShapeMismatch(name: String, expected: [Int], found: [Int])
    /// The saved `step` is not a non-negative whole number.
    case invalidStep(Float)

    public var description: String {
        switch self {
        case .missingState(let n): return "optimizer state: tensor '\(n)' is missing"
        case .unexpectedState(let n):
            return "optimizer state: unexpected tensor '\(n)' (state from a different optimizer or model?)"
        case .stateShapeMismatch(let n, let e, let f):
            return "optimizer state: tensor '\(n)' has shape \(f), its parameter has shape \(e)"
        case .invalidStep(let s): return "optimizer state: 'step' must be a non-negative whole number, got \(s)"
        }
    }
}

/// One kind of per-parameter buffer (e.g. Adam's `exp_avg`), allocated on a parameter's first step.
struct ParameterBuffers {
    let name: String
    /// One array per parameter; empty until that parameter's first update.
    var values: [[Float]]

    init(_ name: String, count: Int) {
        self.name = name
        values = [[Float]](repeating: [], count: count)
    }

    /// Allocates buffer `i` filled with `initial` if it does not exist yet; returns true when it was created.
    @discardableResult
    mutating func allocate(_ i: Int, count: Int, initial: Float = 0) -> Bool {
        if !values[i].isEmpty || count == 0 { return false }
        values[i] = [Float](repeating: initial, count: count)
        return true
    }
}

/// Writes `step` and every allocated buffer as `name.index` tensors shaped like their parameters.
func exportOptimizerState(parameters: [Tensor], stepCount: Int, buffers: [ParameterBuffers]) -> [String: Tensor] {
    var out: [String: Tensor] = ["step": Tensor(Float(stepCount))]
    for b in buffers {
        for (i, v) in b.values.enumerated() where !v.isEmpty {
            out["\(b.name).\(i)"] = Tensor(shape: parameters[i].shape, storage: v)
        }
    }
    return out
}

/// Validates `state` against the parameters and buffer names and returns the step and new buffer
/// contents (empty arrays where a buffer is absent). Throws before anything is modified.
func importOptimizerState(_ state: [String: Tensor], parameters: [Tensor],
                          buffers: [ParameterBuffers]) throws -> (step: Int, values: [[[Float]]]) {
    guard let stepTensor = state["step"] else { throw OptimizerError.missingState("step") }
    guard stepTensor.count == 1 else {
        throw OptimizerError.stateShapeMismatch(name: "step", expected: [], found: stepTensor.shape)
    }
    let s = stepTensor.storage[0]
    guard s.isFinite, s >= 0, s == s.rounded() else { throw OptimizerError.invalidStep(s) }
    var values = buffers.map { [[Float]](repeating: [], count: $0.values.count) }
    let slotIndex = Dictionary(uniqueKeysWithValues: buffers.enumerated().map { ($1.name, $0) })
    for (name, tensor) in state where name != "step" {
        guard let dot = name.lastIndex(of: "."),
              let slot = slotIndex[String(name[..<dot])],
              let i = Int(name[name.index(after: dot)...]), i >= 0, i < parameters.count else {
            throw OptimizerError.unexpectedState(name)
        }
        guard tensor.shape == parameters[i].shape else {
            throw OptimizerError.stateShapeMismatch(name: name, expected: parameters[i].shape, found: tensor.shape)
        }
        values[slot][i] = tensor.storage
    }
    // A buffer must exist for every parameter that has one in a sibling slot (they are created together).
    for i in parameters.indices {
        let present = values.indices.filter { !values[$0][i].isEmpty }
        if !present.isEmpty && present.count != values.count && parameters[i].count > 0 {
            let missing = values.indices.first { values[$0][i].isEmpty }!
            throw OptimizerError.missingState("\(buffers[missing].name).\(i)")
        }
    }
    return (Int(s), values)
}
