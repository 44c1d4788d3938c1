import Foundation
import IllusionModels

/// GFLOP/s of single Conv2D / Conv2DTranspose layers (forward, and backward = input + weight
/// gradients) at the VAE layer shapes, beside the raw SGEMM of the forward's GEMM shape.
/// Fashion-VAE shapes run at batch 100, face-VAE shapes (256×256 input) at batch 32.
enum LayerBenchmarks {
    static func run(quick: Bool) -> [[String: Any]] {
        let repeats = quick ? 2 : 5
        return ConvolutionBenchmark.vaeCases.map { c in
            let batch = c.name.hasPrefix("fashion") ? 100 : 32
            let r = ConvolutionBenchmark.measure(c, batch: batch, repeats: repeats)
            return ["layer": r.layer, "batch": r.batch, "shape": r.shape,
                    "forward_ms": r.forwardMilliseconds, "backward_ms": r.backwardMilliseconds,
                    "forward_gflops": r.forwardGFLOPS, "backward_gflops": r.backwardGFLOPS,
                    "gemm": r.gemm, "gemm_gflops": r.gemmGFLOPS]
        }
    }

    static func table(_ rows: [[String: Any]]) -> String {
        var t = TextTableBuilder(["layer", "N", "shape", "fwd ms", "fwd GF/s", "bwd ms", "bwd GF/s", "SGEMM", "SGEMM GF/s"])
        for r in rows {
            t.add([r["layer"] as? String ?? "", "\(r["batch"] as? Int ?? 0)", r["shape"] as? String ?? "",
                   fmt(r["forward_ms"], 2), fmt(r["forward_gflops"], 1), fmt(r["backward_ms"], 2), fmt(r["backward_gflops"], 1),
                   r["gemm"] as? String ?? "", fmt(r["gemm_gflops"], 1)])
        }
        return t.render()
    }
}

func fmt(_ v: Any?, _ digits: Int) -> String {
    guard let d = v as? Double, d.isFinite else { return "—" }
    return String(format: "%.\(digits)f", d)
}

/// A plain monospaced table (first column left-aligned, the rest right-aligned).
struct TextTableBuilder {
    let header: [String]
    var rows: [[String]] = []
    init(_ header: [String]) { self.header = header }
    mutating func add(_ row: [String]) { rows.append(row) }

    func render() -> String {
        let all = [header] + rows
        let widths = header.indices.map { i in all.map { $0[i].count }.max() ?? 0 }
        func line(_ r: [String]) -> String {
            r.enumerated().map { i, s in
                let pad = String(repeating: " ", count: widths[i] - s.count)
                return i == 0 ? s + pad : pad + s
            }.joined(separator: "  ")
        }
        let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        return ([line(header), rule] + rows.map(line)).joined(separator: "\n")
    }
}
