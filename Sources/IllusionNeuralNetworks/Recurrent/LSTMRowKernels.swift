import CMicroKernels
import IllusionTensors

/// The LSTM row kernels compiled in C for this CPU's vector width (`CMicroKernels/LSTMRows.c`:
/// baseline, AVX2 + FMA or AVX-512F, chosen at run time like ``PackedKernel``, never by a build
/// flag). Same formulas and contracts as ``lstmForwardRow`` and ``lstmBackwardRow``, their Swift
/// reference (the Swift build is baseline x86-64: four lanes; these run eight or sixteen).
enum VectorLSTMRows {
    /// The kernel ``recurrentSequence`` uses.
    static let best = PackedKernel.best

    /// ``lstmForwardRow`` (same arguments), on `kernel`.
    @inline(__always)
    static func forward(kernel: PackedKernel = best, gates: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>? = nil,
                        cPrev: UnsafePointer<Float>, cNext: UnsafeMutablePointer<Float>, tanhC: UnsafeMutablePointer<Float>,
                        hNext: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>, h: Int) {
        ic_lstm_forward_row(kernel.rawValue, gates, bias, cPrev, cNext, tanhC, hNext, out, Int32(h))
    }

    /// ``lstmBackwardRow`` (same arguments), on `kernel`; `dg` nil writes the gate gradients to `dx` only.
    @inline(__always)
    static func backward(kernel: PackedKernel = best, acts: UnsafePointer<Float>, cPrev: UnsafePointer<Float>,
                         tanhC: UnsafePointer<Float>, dh: UnsafePointer<Float>, dc: UnsafeMutablePointer<Float>,
                         dx: UnsafeMutablePointer<Float>, dg: UnsafeMutablePointer<Float>?, h: Int) {
        ic_lstm_backward_row(kernel.rawValue, acts, cPrev, tanhC, dh, dc, dx, dg, Int32(h))
    }
}
