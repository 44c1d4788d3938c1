import Foundation

/// Gymnasium's `CartPole-v1` (classic_control/cartpole.py) in Double precision, operation for operation
/// as NumPy's float64 code: Euler integration with τ = 0.02 s, force ±10 N, the episode terminates when
/// |x| > 2.4 or |θ| > 12° and is truncated after 500 steps (the TimeLimit wrapper); reward 1 per step,
/// including the terminating one. Reset draws each state variable from U(−0.05, 0.05) with our seeded
/// generator (Gymnasium's NumPy draws differ, so tests replay its recorded initial states via ``reset(to:)``).
///
/// State: [x, ẋ, θ, θ̇] (cart position m, velocity m/s, pole angle rad, angular velocity rad/s).
/// Action: 0 pushes left, 1 pushes right.
public struct CartPole: Sendable {
    public static let gravity = 9.8
    public static let massCart = 1.0
    public static let massPole = 0.1
    public static let totalMass = massPole + massCart
    public static let length = 0.5
    public static let poleMassLength = massPole * length
    public static let forceMagnitude = 10.0
    public static let tau = 0.02
    public static let thetaThreshold = 12 * 2 * Double.pi / 360
    public static let xThreshold = 2.4
    public static let timeLimit = 500

    public private(set) var state: [Double] = [0, 0, 0, 0]
    public private(set) var steps = 0
    public var maxSteps: Int

    public init(maxSteps: Int = CartPole.timeLimit) { self.maxSteps = maxSteps }

    /// Starts an episode from U(−0.05, 0.05)⁴ and returns the state.
    @discardableResult
    public mutating func reset(rng: inout RandomGenerator) -> [Double] {
        reset(to: (0..<4).map { _ in -0.05 + 0.1 * rng.nextDouble() })
    }

    /// Starts an episode from a given state.
    @discardableResult
    public mutating func reset(to initial: [Double]) -> [Double] {
        require(initial.count == 4, "CartPole.reset: a state has 4 numbers, got \(initial.count)")
        state = initial
        steps = 0
        return state
    }

    /// One step; returns the new state, reward 1, and whether the episode terminated or was truncated.
    public mutating func step(_ action: Int) -> (state: [Double], reward: Double, terminated: Bool, truncated: Bool) {
        require(action == 0 || action == 1, "CartPole.step: action must be 0 or 1, got \(action)")
        var x = state[0], xDot = state[1], theta = state[2], thetaDot = state[3]
        let force = action == 1 ? Self.forceMagnitude : -Self.forceMagnitude
        let cosTheta = cos(theta), sinTheta = sin(theta)
        let temp = (force + Self.poleMassLength * (thetaDot * thetaDot) * sinTheta) / Self.totalMass
        let thetaAcc = (Self.gravity * sinTheta - cosTheta * temp)
            / (Self.length * (4.0 / 3.0 - Self.massPole * (cosTheta * cosTheta) / Self.totalMass))
        let xAcc = temp - Self.poleMassLength * thetaAcc * cosTheta / Self.totalMass
        x = x + Self.tau * xDot
        xDot = xDot + Self.tau * xAcc
        theta = theta + Self.tau * thetaDot
        thetaDot = thetaDot + Self.tau * thetaAcc
        state = [x, xDot, theta, thetaDot]
        steps += 1
        let terminated = x < -Self.xThreshold || x > Self.xThreshold || theta < -Self.thetaThreshold || theta > Self.thetaThreshold
        return (state, 1, terminated, !terminated && steps >= maxSteps)
    }
}
