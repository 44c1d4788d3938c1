import Foundation

/// Least-squares polynomials of a given degree on x ∈ [−1, 1], in the Legendre basis.
///
/// The Legendre polynomials P₀…P_d span exactly the polynomials of degree ≤ d (so the fit is the
/// same as with monomials 1, x, …, x^d), but their normal equations stay well conditioned up to
/// degree ≈ 20 where the monomials' Hilbert-like matrix is singular in Double. Fitted in closed form:
/// (AᵀA)θ = Aᵀy by Gaussian elimination with partial pivoting (``LeastSquares``).
public struct PolynomialFit: Sendable {
    public let degree: Int
    /// Coefficients of P₀…P_degree.
    public let coefficients: [Double]

    /// Fits a polynomial of `degree` to the points (xs, ys); needs more points than the degree.
    public init(degree: Int, xs: [Double], ys: [Double]) throws {
        guard degree >= 0 else { throw ModelError.invalidArgument("polynomial degree must be ≥ 0, got \(degree)") }
        guard xs.count == ys.count, xs.count > degree else {
            throw ModelError.invalidArgument("a degree-\(degree) polynomial needs at least \(degree + 1) points, got \(xs.count)")
        }
        let m = degree + 1, w = m + 1
        var a = [Double](repeating: 0, count: m * w)
        for (x, y) in zip(xs, ys) {
            let p = PolynomialFit.legendre(x, degree: degree)
            for r in 0..<m {
                for c in 0..<m { a[r * w + c] += p[r] * p[c] }
                a[r * w + m] += p[r] * y
            }
        }
        coefficients = try LeastSquares.gaussianElimination(&a, size: m)
        self.degree = degree
    }

    /// The fitted polynomial at x.
    public func callAsFunction(_ x: Double) -> Double {
        zip(PolynomialFit.legendre(x, degree: degree), coefficients).reduce(0) { $0 + $1.0 * $1.1 }
    }

    /// P₀(x)…P_degree(x) by Bonnet's recursion (k+1)P_{k+1} = (2k+1)x·P_k − k·P_{k−1}.
    public static func legendre(_ x: Double, degree: Int) -> [Double] {
        var p = [Double](repeating: 1, count: degree + 1)
        if degree >= 1 { p[1] = x }
        if degree >= 2 {
            for k in 1..<degree { p[k + 1] = (Double(2 * k + 1) * x * p[k] - Double(k) * p[k - 1]) / Double(k + 1) }
        }
        return p
    }

    /// Mean squared error of the fit on (xs, ys).
    public func meanSquaredError(xs: [Double], ys: [Double]) -> Double {
        zip(xs, ys).reduce(0) { let e = self($1.0) - $1.1; return $0 + e * e } / Double(max(xs.count, 1))
    }
}

/// The regression problem of the capacity and bias–variance experiments: y = sin(πx) + ε,
/// x ~ U[−1, 1], ε ~ N(0, σ²) (one period of a sine, as Bishop's sin(2πx) on [0, 1]).
public struct NoisySine: Sendable {
    public var noise: Double
    public init(noise: Double) { self.noise = noise }

    /// The noise-free function f(x) = sin(πx).
    public func truth(_ x: Double) -> Double { sin(Double.pi * x) }

    /// `count` samples (x, y) from a generator.
    public func sample(count: Int, generator g: inout RandomGenerator) -> (xs: [Double], ys: [Double]) {
        var xs: [Double] = [], ys: [Double] = []
        for _ in 0..<count {
            let x = 2 * g.nextDouble() - 1
            xs.append(x)
            ys.append(truth(x) + noise * Double(g.nextNormal()))
        }
        return (xs, ys)
    }
}

extension PolynomialFit {
    /// The flags every polynomial experiment shares: a degree ≥ 0 and more samples than the degree.
    static func validate(maxDegree: Int, samples: Int) throws {
        guard maxDegree >= 0 else { throw ModelError.invalidArgument("--max-degree must be ≥ 0, got \(maxDegree)") }
        guard samples >= 1 else { throw ModelError.invalidArgument("--samples must be ≥ 1, got \(samples)") }
        guard samples > maxDegree else {
            throw ModelError.invalidArgument("--samples \(samples) must exceed --max-degree \(maxDegree) (a degree-d fit needs d + 1 points)")
        }
    }
}
