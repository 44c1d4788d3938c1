import Foundation

/// Training progress through ``Log`` (the CLI: stderr): a live bar (rewritten in place) when the
/// sink is a terminal, plain lines every `interval` seconds otherwise (logs, CI). Figures: images/s,
/// ETA and running losses.
public final class ProgressReporter {
    let total: Int
    let label: String
    let isTerminal: Bool
    let interval: Double
    let quiet: Bool
    let unit: String
    var start = Date()
    var lastPrint = Date.distantPast

    /// `unit`: what the counted items are ("img" prints img/s; "chars" prints chars/s).
    public init(label: String, total: Int, interval: Double = 10, quiet: Bool = false, unit: String = "img") {
        self.unit = unit
        self.label = label
        self.total = max(total, 1)
        self.isTerminal = Log.progressIsLive
        self.interval = interval
        self.quiet = quiet
    }

    public func restart() { start = Date(); lastPrint = .distantPast }

    /// Reports that `done` of `total` steps are finished, `images` images processed, with figures.
    public func update(done: Int, images: Int, figures: [(String, Double)]) {
        if quiet { return }
        let now = Date()
        let minGap = isTerminal ? 0.1 : interval
        guard now.timeIntervalSince(lastPrint) >= minGap || done == total else { return }
        lastPrint = now
        let elapsed = now.timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(images) / elapsed : 0
        let eta = done > 0 ? elapsed / Double(done) * Double(total - done) : 0
        let figureText = figures.map { "\($0.0) \(String(format: "%.3f", $0.1))" }.joined(separator: "  ")
        if isTerminal {
            let width = 24, filled = Int(Double(width) * Double(done) / Double(total))
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            let line = "\r\(label) \(bar) \(done)/\(total)  \(Int(rate)) \(unit)/s  ETA \(Self.clock(eta))  \(figureText)\u{1B}[K"
            Log.progress(line)
            if done == total { Log.progress("\n") }
        } else {
            logLine("\(label) \(done)/\(total)  \(Int(rate)) \(unit)/s  ETA \(Self.clock(eta))  \(figureText)")
        }
    }

    static func clock(_ s: Double) -> String {
        let t = Int(s.rounded())
        return t >= 3600 ? String(format: "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60) : String(format: "%d:%02d", t / 60, t % 60)
    }
}

