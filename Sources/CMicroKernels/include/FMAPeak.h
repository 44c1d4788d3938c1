// Peak fp32 FMA throughput probe: the denominator of "share of peak" in `make bench`.
#ifndef IC_FMA_PEAK_H
#define IC_FMA_PEAK_H

/// Lanes per FMA of `kernel` (0 portable: 1, 1 AVX2: 8, 2 AVX-512: 16); kernels as ic_best_kernel().
int ic_fma_probe_lanes(int kernel);

/// Runs `iterations` rounds of twelve independent FMA chains a_i ← a_i·b + c (a_i starting at i,
/// b = 0.9999999, c = 1e-7, every lane alike) on `kernel`, the widest unit the caller chose, and
/// writes each chain's final value to `chains[0..<12]`. Returns the floating-point operations done
/// (2 per lane per FMA). `kernel` must be ≤ ic_best_kernel().
double ic_fma_probe(int kernel, long iterations, float *chains);

#endif
