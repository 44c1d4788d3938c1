import Foundation
let args = CommandLine.arguments
let which = args[1], d = Int(args[2])!, n = Int(args[3])!
var state: UInt64 = 12345
func normal() -> Float { // Box–Muller on a 64-bit LCG
    state = state &* 6364136223846793005 &+ 1442695040888963407
    let u1 = Double(state >> 11) / Double(1 << 53) + 1e-12
    state = state &* 6364136223846793005 &+ 1442695040888963407
    let u2 = Double(state >> 11) / Double(1 << 53)
    return Float((-2 * log(u1)).squareRoot() * cos(2 * .pi * u2))
}
let a = (0..<(n * d)).map { _ in normal() }
let b = (0..<(n * d)).map { i in normal() + (i % d == 0 ? 0.5 : 0) }
let t0 = Date()
let fd = which == "old" ? OldFrechetDistance.distance(features: a, rows: n, b, rows: n, columns: d)
                        : FrechetDistance.distance(features: a, rows: n, b, rows: n, columns: d)
print("\(which) d=\(d) n=\(n): FD \(fd)  \(String(format: "%.2f", Date().timeIntervalSince(t0))) s")
