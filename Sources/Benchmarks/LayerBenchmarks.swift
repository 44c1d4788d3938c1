import Foundation
import IllusionModels

/// GFLOP/s of single Conv2D / Conv2DTranspose layers (forward, and backward = input + weight
/// gradients) at the VAE layer shapes, beside the raw SGEMM of the forward's GEMM shape.
/// Fashion-VAE shapes run at batch 100, face-VAE shapes (256×256 input) at batch 32. Each row also
/// gives its share of the fp32 FMA peak measured in the same process at the same thread count
/// (``FMAPeak``), and the forward GEMM's inner dimension K (the issue's "K ≥ 288" rows).
enum LayerBenchmarks {
    /// The rows and the peak (GFLOP/s) they are shares of.
    static func run(quick: Bool, threads: Int) -> (rows: [[String: Any]], peak: Double) {
        let repeats = quick ? 2 : 5
        let peak = FMAPeak.gigaflops(threads: threads)
        let rows: [[String: Any]] = ConvolutionBenchmark.vaeCases.map { c in
            let batch = c.name.hasPrefix("fashion") ? 100 : 32
            let r = ConvolutionBenchmark.measure(c, batch: batch, repeats: repeats)
            return ["layer": r.layer, "batch": r.batch, "shape": r.shape,
                    "forward_ms": r.forwardMilliseconds, "backward_ms": r.backwardMilliseconds,
                    "forward_gflops": r.forwardGFLOPS, "backward_gflops": r.backwardGFLOPS,
                    "forward_share_of_peak": r.forwardGFLOPS / peak, "backward_share_of_peak": r.backwardGFLOPS / peak,
                    "gemm": r.gemm, "gemm_k": gemmK(c), "gemm_gflops": r.gemmGFLOPS]
        }
        return (rows, peak)
    }

    /// Inner dimension of the forward GEMM: C·k² for a Conv2D, Cin for a transposed one (see ConvolutionBenchmark).
    static func gemmK(_ c: ConvolutionBenchmark.Case) -> Int {
        c.transposed ? c.inChannels : c.inChannels * c.kernel * c.kernel
    }

    static func table(_ rows: [[String: Any]], peak: Double?) -> String {
        var t = TextTableBuilder(["layer", "N", "shape", "K", "fwd ms", "fwd GF/s", "fwd % peak", "bwd ms", "bwd GF/s",
                                  "bwd % peak", "SGEMM", "SGEMM GF/s"])
        func percent(_ v: Any?) -> String { fmt((v as? Double).map { $0 * 100 }, 0) }
        for r in rows {
            t.add([r["layer"] as? String ?? "", "\(r["batch"] as? Int ?? 0)", r["shape"] as? String ?? "", "\(r["gemm_k"] as? Int ?? 0)",
                   fmt(r["forward_ms"], 2), fmt(r["forward_gflops"], 1), percent(r["forward_share_of_peak"]),
                   fmt(r["backward_ms"], 2), fmt(r["backward_gflops"], 1), percent(r["backward_share_of_peak"]),
                   r["gemm"] as? String ?? "", fmt(r["gemm_gflops"], 1)])
        }
        let note = peak.map { String(format: "\n%% peak = share of the fp32 FMA peak measured in the same process (%.0f GFLOP/s at this thread count).", $0) } ?? ""
        return t.render() + note
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
