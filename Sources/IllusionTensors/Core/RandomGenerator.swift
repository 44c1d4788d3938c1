import Foundation

/// PCG32 (O'Neill's permuted congruential generator, XSH-RR variant): a small, fast, seedable
/// generator whose sequence is the same on every platform, so a `--seed` reproduces a run.
///
/// The full state is two `UInt64`s (``state`` and ``increment``) so it can be checkpointed.
public struct RandomGenerator: Sendable, Equatable {
    /// The 64-bit LCG state, advanced as state · 6364136223846793005 + increment at every draw.
    public var state: UInt64
    /// The LCG increment (always odd): it selects one of 2⁶³ independent streams for the same seed.
    public var increment: UInt64

    /// Seeds the generator; `stream` selects one of 2⁶³ independent sequences.
    public init(seed: UInt64, stream: UInt64 = 0x5851_F42D_4C95_7F2D) {
        state = 0
        increment = (stream << 1) | 1
        _ = nextUInt32()
        state &+= seed
        _ = nextUInt32()
    }

    /// Restores a generator from a checkpointed state.
    public init(state: UInt64, increment: UInt64) {
        self.state = state
        self.increment = increment | 1
    }

    /// The next 32 uniformly distributed bits.
    @inlinable public mutating func nextUInt32() -> UInt32 {
        let old = state
        state = old &* 6_364_136_223_846_793_005 &+ increment
        let xorShifted = UInt32(truncatingIfNeeded: ((old >> 18) ^ old) >> 27)
        let rot = UInt32(truncatingIfNeeded: old >> 59)
        return (xorShifted >> rot) | (xorShifted << ((~rot &+ 1) & 31))
    }

    /// Uniform in `[0, 1)` with 24 bits of precision (every value exactly representable).
    @inlinable public mutating func nextFloat() -> Float {
        Float(nextUInt32() >> 8) * (1.0 / 16_777_216.0)
    }

    /// Uniform in `[0, 1)` with 53 bits of precision.
    @inlinable public mutating func nextDouble() -> Double {
        let hi = UInt64(nextUInt32() >> 5), lo = UInt64(nextUInt32() >> 6)
        return Double(hi * 67_108_864 + lo) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// Uniform integer in `0..<bound` (Lemire's unbiased method).
    public mutating func nextInt(below bound: Int) -> Int {
        require(bound > 0, "RandomGenerator.nextInt: bound must be positive, got \(bound)")
        let b = UInt64(bound)
        while true {
            let x = (UInt64(nextUInt32()) << 32) | UInt64(nextUInt32())
            let (hi, lo) = x.multipliedFullWidth(by: b)
            if lo >= (0 &- b) % b { return Int(hi) }
        }
    }

    /// One standard normal draw (Box–Muller; uses two uniforms, discards the second normal).
    public mutating func nextNormal() -> Float {
        let u1 = max(nextDouble(), 1e-300), u2 = nextDouble()
        return Float((-2 * Foundation.log(u1)).squareRoot() * cos(2 * Double.pi * u2))
    }

    /// Fills a buffer with normal draws, using both outputs of each Box–Muller pair.
    public mutating func fillNormal(_ out: UnsafeMutableBufferPointer<Float>, mean: Float = 0, std: Float = 1) {
        var i = 0
        while i < out.count {
            let u1 = max(nextDouble(), 1e-300), u2 = nextDouble()
            let r = (-2 * Foundation.log(u1)).squareRoot(), t = 2 * Double.pi * u2
            out[i] = mean + std * Float(r * cos(t))
            if i + 1 < out.count { out[i + 1] = mean + std * Float(r * sin(t)) }
            i += 2
        }
    }

    /// Fisher–Yates shuffle of `0..<n`.
    public mutating func permutation(_ n: Int) -> [Int] {
        var p = Array(0..<n)
        if n < 2 { return p }
        for i in stride(from: n - 1, to: 0, by: -1) {
            p.swapAt(i, nextInt(below: i + 1))
        }
        return p
    }

    /// A Gamma(shape, 1) draw (Marsaglia–Tsang), used for Beta and Dirichlet sampling.
    public mutating func nextGamma(shape k: Double) -> Double {
        require(k > 0, "nextGamma: shape must be positive")
        if k < 1 { return nextGamma(shape: k + 1) * pow(max(nextDouble(), 1e-300), 1 / k) }
        let d = k - 1.0 / 3, c = 1 / (9 * d).squareRoot()
        while true {
            var x: Double, v: Double
            repeat { x = Double(nextNormal()); v = 1 + c * x } while v <= 0
            v = v * v * v
            let u = nextDouble()
            if u < 1 - 0.0331 * x * x * x * x { return d * v }
            if Foundation.log(max(u, 1e-300)) < 0.5 * x * x + d * (1 - v + Foundation.log(v)) { return d * v }
        }
    }

    /// A Beta(α, β) draw.
    public mutating func nextBeta(_ a: Double, _ b: Double) -> Double {
        let x = nextGamma(shape: a), y = nextGamma(shape: b)
        return x / (x + y)
    }
}
