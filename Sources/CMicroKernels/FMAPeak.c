// Peak fp32 FMA throughput of one core (contract in include/FMAPeak.h): twelve independent chains,
// enough to hide the FMA latency on every x86-64 core we know, in the widest unit the CPU has
// (chosen at run time by the caller through ic_best_kernel(); the build stays baseline x86-64).
// The portable kernel uses fmaf, so all three compute the same fused values.
#include "FMAPeak.h"
#include <math.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define IC_X86 1
#endif

#define CHAINS 12
static const float probe_b = 0.9999999f, probe_c = 1e-7f;

int ic_fma_probe_lanes(int kernel) { return kernel == 2 ? 16 : (kernel == 1 ? 8 : 1); }

static void probe_portable(long iterations, float *chains) {
    float a[CHAINS];
    for (int i = 0; i < CHAINS; i++) a[i] = (float)i;
    for (long t = 0; t < iterations; t++)
        for (int i = 0; i < CHAINS; i++) a[i] = fmaf(a[i], probe_b, probe_c);
    for (int i = 0; i < CHAINS; i++) chains[i] = a[i];
}

#ifdef IC_X86
#define IC_PROBE_BODY(V, SET1, FMA, STORE, LANES)                                                      \
    V b = SET1(probe_b), c = SET1(probe_c);                                                           \
    V a0 = SET1(0), a1 = SET1(1), a2 = SET1(2), a3 = SET1(3), a4 = SET1(4), a5 = SET1(5);           \
    V a6 = SET1(6), a7 = SET1(7), a8 = SET1(8), a9 = SET1(9), a10 = SET1(10), a11 = SET1(11);       \
    for (long t = 0; t < iterations; t++) {                                                           \
        a0 = FMA(a0, b, c); a1 = FMA(a1, b, c); a2 = FMA(a2, b, c); a3 = FMA(a3, b, c);               \
        a4 = FMA(a4, b, c); a5 = FMA(a5, b, c); a6 = FMA(a6, b, c); a7 = FMA(a7, b, c);               \
        a8 = FMA(a8, b, c); a9 = FMA(a9, b, c); a10 = FMA(a10, b, c); a11 = FMA(a11, b, c);           \
    }                                                                                                 \
    V all[CHAINS] = {a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11};                              \
    float lanes[LANES];                                                                               \
    for (int i = 0; i < CHAINS; i++) { STORE(lanes, all[i]); chains[i] = lanes[0]; }

__attribute__((target("avx2,fma"))) static void probe_avx2(long iterations, float *chains) {
    IC_PROBE_BODY(__m256, _mm256_set1_ps, _mm256_fmadd_ps, _mm256_storeu_ps, 8)
}

__attribute__((target("avx512f"))) static void probe_avx512(long iterations, float *chains) {
    IC_PROBE_BODY(__m512, _mm512_set1_ps, _mm512_fmadd_ps, _mm512_storeu_ps, 16)
}
#endif

double ic_fma_probe(int kernel, long iterations, float *chains) {
#ifdef IC_X86
    if (kernel == 2) probe_avx512(iterations, chains);
    else if (kernel == 1) probe_avx2(iterations, chains);
    else probe_portable(iterations, chains);
#else
    kernel = 0;
    probe_portable(iterations, chains);
#endif
    return 2.0 * CHAINS * ic_fma_probe_lanes(kernel) * (double)iterations;
}
