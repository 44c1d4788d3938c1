import Foundation

/// A dense, contiguous, row-major tensor of `Float` values with an optional place on the autograd tape.
///
/// Layout: the last axis varies fastest. Images are NCHW: `[batch, channels, height, width]`.
/// A tensor created by an op on tensors that require gradients records a ``TapeNode``; calling
/// ``backward()`` on a scalar result walks that tape in reverse and accumulates into ``grad``.
public final class Tensor {
    /// Size of each axis. `[]` is a scalar (one element).
    public internal(set) var shape: [Int]
    /// The values, row-major. Every mutation bumps ``version``; modifying a tensor that a recorded
    /// op still needs makes the backward pass stop with a message naming that op.
    public var storage: [Float] { didSet { version &+= 1 } }
    /// Counts mutations of ``storage`` (in-place safety of the tape, as PyTorch's version counter).
    public private(set) var version: UInt64 = 0
    /// When true, ``backward()`` accumulates into ``grad`` for this tensor.
    public var requiresGrad: Bool
    /// The accumulated gradient (same element count as `storage`), or nil before any backward pass.
    public var grad: [Float]?
    /// The op that produced this tensor, when it is on the tape.
    public internal(set) var node: TapeNode?
    /// Optional human-readable name (parameters use it for checkpoints and error messages).
    public var name: String?

    /// Creates a tensor from values and a shape; the element count must match the shape.
    public init(shape: [Int], storage: [Float], requiresGrad: Bool = false) {
        require(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shape)")
        require(shape.reduce(1, *) == storage.count,
                     "Tensor: shape \(shape) needs \(shape.reduce(1, *)) values, got \(storage.count)")
        self.shape = shape
        self.storage = storage
        self.requiresGrad = requiresGrad
    }

    /// Throwing constructor for values that come from outside the program (files, user input).
    public static func checked(shape: [Int], storage: [Float]) throws -> Tensor {
        guard shape.allSatisfy({ $0 >= 0 }) else { throw TensorError.invalidShape(shape) }
        var product = 1
        for d in shape {
            let (r, overflow) = product.multipliedReportingOverflow(by: d)
            guard !overflow else { throw TensorError.invalidShape(shape) }
            product = r
        }
        guard product == storage.count else {
            throw TensorError.countMismatch(shape: shape, count: storage.count)
        }
        return Tensor(shape: shape, storage: storage)
    }

    /// Number of elements.
    @inlinable public var count: Int { storage.count }
    /// Number of axes.
    public var rank: Int { shape.count }

    /// The single value of a one-element tensor.
    public var scalar: Float {
        require(storage.count == 1, "Tensor.scalar: tensor of shape \(shape) is not a scalar")
        return storage[0]
    }

    /// The gradient as a tensor of this tensor's shape (nil before backward).
    public var gradient: Tensor? { grad.map { Tensor(shape: shape, storage: $0) } }

    /// Sets the gradient to nil (optimizers call this before each step's backward).
    public func zeroGrad() { grad = nil }

    /// A copy that shares no tape history and does not require gradients.
    public func detached() -> Tensor { Tensor(shape: shape, storage: storage) }

    /// Adds `g` (same element count) into ``grad``, creating it when absent.
    @inlinable public func accumulateGrad(_ g: UnsafeBufferPointer<Float>) {
        require(g.count == storage.count, "accumulateGrad: \(g.count) values for tensor of shape \(shape)")
        if grad == nil {
            grad = Array(g)
        } else {
            grad!.withUnsafeMutableBufferPointer { dst in
                guard let d = dst.baseAddress, let s = g.baseAddress else { return }
                ParallelLoops.forEachPart(dst.count) { r in for i in r { d[i] += s[i] } }
            }
        }
    }

    /// Adds `g` into ``grad``; when there is no gradient yet, `g` becomes it without a copy.
    @inlinable public func accumulateGrad(_ g: [Float]) {
        if grad == nil {
            require(g.count == storage.count, "accumulateGrad: \(g.count) values for tensor of shape \(shape)")
            grad = g
            return
        }
        g.withUnsafeBufferPointer { accumulateGrad($0) }
    }
}

/// Errors raised by throwing tensor APIs (values coming from files or users).
public enum TensorError: Error, CustomStringConvertible, Equatable {
    /// A shape with a negative dimension.
    case invalidShape([Int])
    /// `count` values were given for a shape that holds a different number of elements.
    case countMismatch(shape: [Int], count: Int)
    /// Two shapes that an operation needs to agree do not (the message names both).
    case shapeMismatch(String)
    /// A tensor that a recorded op needs was modified before the backward pass reached the op.
    case modifiedInPlace(String)

    public var description: String {
        switch self {
        case .invalidShape(let s): return "invalid tensor shape \(s)"
        case .countMismatch(let s, let c): return "shape \(s) needs \(s.reduce(1, *)) values, got \(c)"
        case .shapeMismatch(let m), .modifiedInPlace(let m): return m
        }
    }
}

// MARK: - Creation

extension Tensor {
    /// A scalar tensor (shape `[]`).
    public convenience init(_ value: Float, requiresGrad: Bool = false) {
        self.init(shape: [], storage: [value], requiresGrad: requiresGrad)
    }

    /// A tensor filled with `value`.
    public convenience init(repeating value: Float, shape: [Int], requiresGrad: Bool = false) {
        self.init(shape: shape, storage: [Float](repeating: value, count: shape.reduce(1, *)), requiresGrad: requiresGrad)
    }

    /// A tensor of `shape` filled with 0 (`torch.zeros`); `requiresGrad` makes it a leaf that collects gradients.
    public static func zeros(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        Tensor(repeating: 0, shape: shape, requiresGrad: requiresGrad)
    }

    /// A tensor of `shape` filled with 1 (`torch.ones`).
    public static func ones(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        Tensor(repeating: 1, shape: shape, requiresGrad: requiresGrad)
    }

    /// Uniform values in `[low, high)` drawn from `rng`.
    public static func uniform(_ shape: [Int], low: Float = 0, high: Float = 1,
                               rng: inout RandomGenerator, requiresGrad: Bool = false) -> Tensor {
        let n = shape.reduce(1, *)
        var values = [Float](repeating: 0, count: n)
        for i in 0..<n { values[i] = low + (high - low) * rng.nextFloat() }
        return Tensor(shape: shape, storage: values, requiresGrad: requiresGrad)
    }

    /// Normal values with the given mean and standard deviation drawn from `rng` (Box–Muller).
    public static func normal(_ shape: [Int], mean: Float = 0, std: Float = 1,
                              rng: inout RandomGenerator, requiresGrad: Bool = false) -> Tensor {
        let n = shape.reduce(1, *)
        var values = [Float](repeating: 0, count: n)
        values.withUnsafeMutableBufferPointer { rng.fillNormal($0, mean: mean, std: std) }
        return Tensor(shape: shape, storage: values, requiresGrad: requiresGrad)
    }

    /// `[0, 1, …, n-1]` as floats.
    public static func arange(_ n: Int) -> Tensor {
        Tensor(shape: [n], storage: (0..<n).map(Float.init))
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let head = storage.prefix(8).map { String(format: "%.4g", Double($0)) }.joined(separator: ", ")
        return "Tensor(shape: \(shape), [\(head)\(storage.count > 8 ? ", …" : "")])"
    }
}

/// Elementwise comparison helper for tests and checks: max |a−b| / max(1, |b|).
public func maxRelativeDifference(_ a: [Float], _ b: [Float]) -> Float {
    require(a.count == b.count, "maxRelativeDifference: \(a.count) vs \(b.count) values")
    var worst: Float = 0
    for i in 0..<a.count {
        let d = abs(a[i] - b[i]) / max(1, abs(b[i]))
        if d.isNaN { return .nan }
        worst = max(worst, d)
    }
    return worst
}
