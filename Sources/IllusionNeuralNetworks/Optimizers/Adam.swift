import Foundation
import CMicroKernels

/// Adam (Kingma & Ba 2015) exactly as written in the paper, with PyTorch's defaults
/// (β₁ = 0.9, β₂ = 0.999, ε = 1e-8). At step t, per parameter θ with gradient g:
///
///     g = g + λθ                       (L2 weight decay λ, coupled — `torch.optim.Adam(weight_decay=λ)`)
///     m = β₁·m + (1 − β₁)·g            (buffer `exp_avg`)
///     v = β₂·v + (1 − β₂)·g²           (buffer `exp_avg_sq`)
///     m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)
///     θ = θ − η·m̂ / (√v̂ + ε)
///
/// AMSGrad (Reddi et al. 2018, `amsgrad=True`) keeps the running maximum v̄ = max(v̄, v) (buffer
/// `max_exp_avg_sq`) and divides by √(v̄ / (1 − β₂ᵗ)) + ε instead.
///
/// t is the optimizer's ``stepCount`` (shared by all parameters; PyTorch counts per parameter,
/// which differs only for parameters that skip steps). See ``AdamW`` for decoupled decay and
/// ``ParameterGroup`` for per-group learning rates and weight decay.
public class Adam: Optimizer {
    public let parameters: [Tensor]
    public var learningRate: Float
    /// β₁: decay of the first-moment average (default 0.9; DCGAN uses 0.5).
    public var beta1: Float
    /// β₂: decay of the second-moment average (default 0.999).
    public var beta2: Float
    /// ε added to √v̂ (default 1e-8).
    public var epsilon: Float
    /// λ: L2 on the gradient (Adam) or decoupled θ ← θ − ηλθ (AdamW).
    public var weightDecay: Float
    /// Per-parameter weight decay (PyTorch's parameter groups), one λ per entry of ``parameters``;
    /// nil means ``weightDecay`` for all. nanoGPT decays the ≥ 2-D weights only.
    public var parameterWeightDecays: [Float]? {
        didSet { require(parameterWeightDecays.map { $0.count == parameters.count } ?? true,
                         "Adam: \(parameterWeightDecays?.count ?? 0) weight decays for \(parameters.count) parameters") }
    }
    /// When true, decay is applied to θ directly (θ = θ − ηλθ) instead of being added to g (AdamW).
    public let decoupledWeightDecay: Bool
    /// AMSGrad: divide by the running maximum of the second moment.
    public let amsgrad: Bool
    public private(set) var stepCount = 0
    /// The parameter groups (one group holding every parameter unless created with `groups:`).
    public var groups: [ParameterGroup] { table.groups }
    let table: ParameterGroupTable
    var firstMoments: ParameterBuffers
    var secondMoments: ParameterBuffers
    var maxSecondMoments: ParameterBuffers

    /// `torch.optim.Adam(params, lr, betas, eps, weight_decay, amsgrad)` over one group; `decoupledWeightDecay`
    /// makes it AdamW.
    public convenience init(parameters: [Tensor], learningRate: Float = 0.001, beta1: Float = 0.9, beta2: Float = 0.999,
                            epsilon: Float = 1e-8, weightDecay: Float = 0, decoupledWeightDecay: Bool = false,
                            amsgrad: Bool = false) {
        self.init(groups: [ParameterGroup(parameters: parameters)], learningRate: learningRate, beta1: beta1, beta2: beta2,
                  epsilon: epsilon, weightDecay: weightDecay, decoupledWeightDecay: decoupledWeightDecay, amsgrad: amsgrad)
    }

    /// Adam over parameter groups; `learningRate` and `weightDecay` apply to groups that set none.
    public init(groups: [ParameterGroup], learningRate: Float = 0.001, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0, decoupledWeightDecay: Bool = false, amsgrad: Bool = false) {
        require(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1, "Adam: betas must be in [0, 1), got (\(beta1), \(beta2))")
        table = ParameterGroupTable(groups, learningRate: learningRate, optimizer: decoupledWeightDecay ? "AdamW" : "Adam")
        parameters = table.parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupledWeightDecay = decoupledWeightDecay
        self.amsgrad = amsgrad
        firstMoments = ParameterBuffers("exp_avg", count: parameters.count)
        secondMoments = ParameterBuffers("exp_avg_sq", count: parameters.count)
        maxSecondMoments = ParameterBuffers("max_exp_avg_sq", count: parameters.count)
    }

    public func step() {
        stepCount += 1
        let t = Double(stepCount)
        let b1 = beta1, b2 = beta2, eps = epsilon, amsgrad = amsgrad
        let correction1 = Float(1 - Foundation.pow(Double(b1), t)), correction2 = Float(1 - Foundation.pow(Double(b2), t))
        for (i, p) in parameters.enumerated() {
            guard let grad = p.grad else { continue }
            require(grad.count == p.count, "Adam: gradient of \(grad.count) values for parameter of shape \(p.shape)")
            let lr = table.learningRate(i, current: learningRate)
            let wd = parameterWeightDecays?[i] ?? table.weightDecay(i, current: weightDecay)
            let coupled: Float = decoupledWeightDecay ? 0 : wd
            let shrink: Float = decoupledWeightDecay ? 1 - lr * wd : 1
            firstMoments.allocate(i, count: p.count)
            secondMoments.allocate(i, count: p.count)
            if amsgrad { maxSecondMoments.allocate(i, count: p.count) }
            grad.withUnsafeBufferPointer { g in p.storage.withUnsafeMutableBufferPointer { w in
                firstMoments.values[i].withUnsafeMutableBufferPointer { m in
                    secondMoments.values[i].withUnsafeMutableBufferPointer { v in
                        maxSecondMoments.values[i].withUnsafeMutableBufferPointer { vMax in
                            guard let gp = g.baseAddress, let wp = w.baseAddress, let mp = m.baseAddress, let vp = v.baseAddress
                            else { return }
                            let vMaxp = vMax.baseAddress
                            // elementwise, so parallel parts give the serial loop's bits; without
                            // AMSGrad the update is explicit SIMD8 code (``adamUpdate``)
                            if !amsgrad {
                                ParallelLoops.forEachPart(w.count, cost: 4) { r in
                                    adamUpdate(r, gradient: gp, parameter: wp, firstMoment: mp, secondMoment: vp,
                                               AdamConstants(lr: lr, beta1: b1, beta2: b2, epsilon: eps, coupledDecay: coupled,
                                                             shrink: shrink, correction1: correction1, correction2: correction2))
                                }
                                return
                            }
                            ParallelLoops.forEachPart(w.count, cost: 4) { r in
                                for j in r {
                                    let d = gp[j] + coupled * wp[j]
                                    wp[j] *= shrink
                                    mp[j] = b1 * mp[j] + (1 - b1) * d
                                    vp[j] = b2 * vp[j] + (1 - b2) * d * d
                                    var second = vp[j]
                                    if amsgrad, let vMaxp {
                                        vMaxp[j] = Swift.max(vMaxp[j], vp[j])
                                        second = vMaxp[j]
                                    }
                                    let mHat = mp[j] / correction1, vHat = second / correction2
                                    wp[j] -= lr * mHat / (vHat.squareRoot() + eps)
                                }
                            }
                        }
                    }
                }
            } }
        }
    }

    var activeBuffers: [ParameterBuffers] {
        [firstMoments, secondMoments] + (amsgrad ? [maxSecondMoments] : [])
    }

    public func state() -> [String: Tensor] {
        exportOptimizerState(parameters: parameters, stepCount: stepCount, buffers: activeBuffers)
    }

    public func loadState(_ state: [String: Tensor]) throws {
        let (step, values) = try importOptimizerState(state, parameters: parameters, buffers: activeBuffers)
        stepCount = step
        firstMoments.values = values[0]
        secondMoments.values = values[1]
        if amsgrad { maxSecondMoments.values = values[2] }
    }
}

/// AdamW (Loshchilov & Hutter 2019): Adam with decoupled weight decay, as `torch.optim.AdamW`
/// (default λ = 0.01): θ = θ·(1 − ηλ) first, then the Adam update with the raw gradient.
public final class AdamW: Adam {
    /// `torch.optim.AdamW(params, lr, betas, eps, weight_decay=0.01, amsgrad)` over one group.
    public init(parameters: [Tensor], learningRate: Float = 0.001, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0.01, amsgrad: Bool = false) {
        super.init(groups: [ParameterGroup(parameters: parameters)], learningRate: learningRate, beta1: beta1, beta2: beta2,
                   epsilon: epsilon, weightDecay: weightDecay, decoupledWeightDecay: true, amsgrad: amsgrad)
    }

    /// AdamW over parameter groups (e.g. `weightDecay: 0` for biases and norms); `learningRate` and
    /// `weightDecay` apply to groups that set none.
    public init(groups: [ParameterGroup], learningRate: Float = 0.001, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0.01, amsgrad: Bool = false) {
        super.init(groups: groups, learningRate: learningRate, beta1: beta1, beta2: beta2,
                   epsilon: epsilon, weightDecay: weightDecay, decoupledWeightDecay: true, amsgrad: amsgrad)
    }
}

/// The scalars of one Adam step for one parameter (see ``Adam``).
struct AdamConstants {
    var lr, beta1, beta2, epsilon: Float
    /// λ added to the gradient (coupled decay; 0 for AdamW).
    var coupledDecay: Float
    /// 1 − ηλ (decoupled decay; 1 for Adam).
    var shrink: Float
    /// 1 − β₁ᵗ and 1 − β₂ᵗ.
    var correction1, correction2: Float
}

/// The Adam update without AMSGrad over `range`, in the C kernel `ic_adam_update` (16 values per
/// instruction on AVX-512, 8 on AVX2, chosen at run time): per value
///
///     d = g + λθ;  m = β₁m + (1 − β₁)d;  v = β₂v + (1 − β₂)d²;  θ = θ(1 − ηλ) − η·(m/c₁)/(√(v/c₂) + ε)
///
/// Every operation is IEEE elementwise in the same order as ``referenceAdamUpdate`` (tested bit for
/// bit on every kernel this CPU runs).
@inline(__always)
func adamUpdate(_ range: Range<Int>, gradient g: UnsafePointer<Float>, parameter w: UnsafeMutablePointer<Float>,
                firstMoment m: UnsafeMutablePointer<Float>, secondMoment v: UnsafeMutablePointer<Float>, _ c: AdamConstants,
                kernel: PackedKernel = .best) {
    let j = range.lowerBound
    ic_adam_update(kernel.rawValue, g + j, w + j, m + j, v + j, range.count, c.lr, c.beta1, c.beta2, 1 - c.beta1, 1 - c.beta2,
                   c.epsilon, c.coupledDecay, c.shrink, c.correction1, c.correction2)
}

/// ``adamUpdate`` one value at a time (the reference it is tested against).
func referenceAdamUpdate(_ range: Range<Int>, gradient g: UnsafePointer<Float>, parameter w: UnsafeMutablePointer<Float>,
                         firstMoment m: UnsafeMutablePointer<Float>, secondMoment v: UnsafeMutablePointer<Float>, _ c: AdamConstants) {
    for j in range {
        let d = g[j] + c.coupledDecay * w[j]
        let m1 = c.beta1 * m[j] + (1 - c.beta1) * d, v1 = c.beta2 * v[j] + (1 - c.beta2) * d * d
        m[j] = m1; v[j] = v1
        w[j] = w[j] * c.shrink - c.lr * (m1 / c.correction1) / ((v1 / c.correction2).squareRoot() + c.epsilon)
    }
}
