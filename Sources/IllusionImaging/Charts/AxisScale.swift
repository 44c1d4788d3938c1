import Foundation

/// A linear or base-10 logarithmic mapping from data values to a pixel interval, with "nice" ticks.
public struct AxisScale: Sendable {
    /// Data domain (for log scales, both bounds are > 0).
    public private(set) var lower: Double
    public private(set) var upper: Double
    public let isLogarithmic: Bool
    /// Linear scales only: ticks at whole numbers (a step of at least 1), e.g. for epochs.
    public var wholeNumberTicks = false

    /// A scale covering `values` (non-finite values, and non-positive ones on log scales, are ignored).
    /// `padding` widens the domain by that fraction on each side; `nice` extends it to round tick values.
    public init(covering values: [Double], logarithmic: Bool = false, padding: Double = 0, nice: Bool = true) {
        isLogarithmic = logarithmic
        let usable = values.filter { $0.isFinite && (!logarithmic || $0 > 0) }
        var lo = usable.min() ?? (logarithmic ? 0.1 : 0)
        var hi = usable.max() ?? (logarithmic ? 1 : 1)
        if logarithmic {
            var a = log10(lo), b = log10(hi)
            if b - a < 1e-9 { a -= 0.5; b += 0.5 }
            let pad = (b - a) * padding
            a -= pad; b += pad
            lo = pow(10, a); hi = pow(10, b)
            if nice {
                // Extend to the nearest 1, 2 or 5 × 10^k (whole decades when the span is wide).
                let steps: [Double] = b - a > 2 ? [1] : [1, 2, 5]
                let la = a.rounded(.down), lb = b.rounded(.down)
                lo = steps.map { $0 * pow(10, la) }.filter { $0 <= lo * (1 + 1e-9) }.max() ?? pow(10, la)
                hi = (steps + [10]).map { $0 * pow(10, lb) }.filter { $0 >= hi * (1 - 1e-9) }.min() ?? pow(10, lb + 1)
            }
        } else {
            if hi - lo < 1e-12 * Swift.max(1, abs(hi)) {
                let half = Swift.max(abs(lo) * 0.1, 0.5)
                lo -= half; hi += half
            }
            let pad = (hi - lo) * padding
            lo -= pad; hi += pad
            if nice {
                let step = Self.niceStep(span: hi - lo, count: 5)
                lo = (lo / step).rounded(.down) * step
                hi = (hi / step).rounded(.up) * step
            }
        }
        lower = lo
        upper = hi
    }

    /// A linear scale over exactly `range` (used by maps whose image must fill the plot).
    public init(range: ClosedRange<Double>) {
        isLogarithmic = false
        let valid = range.lowerBound.isFinite && range.upperBound.isFinite && range.upperBound > range.lowerBound
        lower = valid ? range.lowerBound : 0
        upper = valid ? range.upperBound : 1
    }

    /// Position of `value` in the domain as a fraction 0…1 (may fall outside for out-of-domain values).
    public func fraction(_ value: Double) -> Double {
        if isLogarithmic {
            guard value > 0 else { return -.infinity }
            return (log10(value) - log10(lower)) / (log10(upper) - log10(lower))
        }
        return (value - lower) / (upper - lower)
    }

    /// Tick values inside the domain (about `count` for linear scales; powers of ten, plus 2 and 5 multiples
    /// when the domain spans few decades, for log scales).
    public func ticks(count: Int = 5) -> [Double] {
        if isLogarithmic {
            let a = Int(log10(lower).rounded(.down)), b = Int(log10(upper).rounded(.up))
            let multipliers: [Double] = (b - a) <= 2 ? [1, 2, 5] : [1]
            let stepDecades = Swift.max(1, (b - a) / 8)
            var out: [Double] = []
            for e in Swift.stride(from: a, through: b, by: stepDecades) {
                for m in multipliers {
                    let v = m * pow(10, Double(e))
                    if v >= lower * (1 - 1e-9) && v <= upper * (1 + 1e-9) { out.append(v) }
                }
            }
            return out
        }
        var step = Self.niceStep(span: upper - lower, count: count)
        if wholeNumberTicks { step = Swift.max(1, step.rounded(.up)) }
        let first = (lower / step - 1e-9).rounded(.up), last = (upper / step + 1e-9).rounded(.down)
        guard last >= first, last - first < 100 else { return [lower, upper] }
        // Integer multiples of the step, so labels don't pick up accumulated rounding error.
        return Swift.stride(from: first, through: last, by: 1).map { $0 * step }
    }

    /// Labels for `ticks`, with just enough decimals to tell neighbours apart.
    public func labels(for ticks: [Double]) -> [String] {
        let step = ticks.count > 1 ? abs(ticks[1] - ticks[0]) : Swift.max(abs(upper - lower), 1e-12)
        return ticks.map { Self.format($0, step: isLogarithmic ? $0 : step) }
    }

    /// A compact number: scientific for very large/small magnitudes, otherwise fixed with decimals from `step`.
    public static func format(_ value: Double, step: Double) -> String {
        guard value.isFinite else { return "nan" }
        if value == 0 { return "0" }
        let magnitude = abs(value)
        if magnitude >= 1e5 || magnitude < 1e-3 {
            var text = String(format: "%.1e", value)  // e.g. 1.0e-04
            text = text.replacingOccurrences(of: ".0e", with: "e")
            text = text.replacingOccurrences(of: "e-0", with: "e-").replacingOccurrences(of: "e+0", with: "e")
            return text.replacingOccurrences(of: "e+", with: "e")
        }
        let decimals = Swift.max(0, Swift.min(6, Int((-log10(abs(step))).rounded(.up))))
        return String(format: "%.\(decimals)f", value)
    }

    static func niceStep(span: Double, count: Int) -> Double {
        let raw = Swift.max(span, 1e-300) / Double(Swift.max(1, count))
        let magnitude = pow(10, log10(raw).rounded(.down))
        let normalized = raw / magnitude
        let nice: Double = normalized < 1.5 ? 1 : normalized < 3 ? 2 : normalized < 7 ? 5 : 10
        return nice * magnitude
    }
}
