import CMicroKernels
import XCTest
@testable import IllusionTensors

/// The FMA peak probe behind `make bench`'s "share of peak": every kernel this CPU runs computes
/// the twelve fused chains a ← a·b + c exactly (a scalar `addingProduct` reference) and counts its flops.
final class FMAPeakProbeTests: XCTestCase {
    func testEveryKernelComputesTheFusedChainsAndCountsItsFlops() {
        let b: Float = 0.9999999, c: Float = 1e-7, iterations = 1_000
        var reference = (0..<12).map { Float($0) }
        for _ in 0..<iterations { for i in 0..<12 { reference[i] = c.addingProduct(reference[i], b) } }
        for kernel in PackedKernel.available {
            var chains = [Float](repeating: .nan, count: 12)
            let flops = ic_fma_probe(kernel.rawValue, iterations, &chains)
            XCTAssertEqual(chains, reference, "kernel \(kernel)")
            let lanes = Double(ic_fma_probe_lanes(kernel.rawValue))
            XCTAssertEqual(flops, 2 * 12 * lanes * Double(iterations), "kernel \(kernel)")
        }
        XCTAssertEqual(ic_fma_probe_lanes(0), 1)
        XCTAssertEqual(ic_fma_probe_lanes(2), 16)
    }
}
