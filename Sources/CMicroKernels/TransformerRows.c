// The transformer row kernels of TransformerRows.h: one body, compiled three times (baseline,
// AVX2 + FMA, AVX-512F) and auto-vectorised by the compiler at each width. Contraction is off so
// every width rounds as the Swift reference does (a·b + c stays two roundings).
#include "TransformerRows.h"
#include <stdint.h>
#include <string.h>

#pragma STDC FP_CONTRACT OFF

/// e^x for x ≤ 0 as the Swift `fastExp` (GELU.swift): Cephes' expf, n = round(x·log₂e) by the
/// 1.5·2²³ trick, degree-6 polynomial, 2ⁿ in the exponent bits; 0 below −87.
static inline __attribute__((always_inline)) float tr_exp(float x) {
    float c = -87.0f >= x ? -87.0f : x;
    float shifted = c * 1.44269504f + 12582912.0f;
    float n = shifted - 12582912.0f;
    float r = c - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    float z = r * r;
    float p = ((((((1.9875691500e-4f * r + 1.3981999507e-3f) * r + 8.3334519073e-3f) * r + 4.1665795894e-2f) * r
                 + 1.6666665459e-1f) * r + 5.0000001201e-1f) * z + r + 1);
    uint32_t bits;
    memcpy(&bits, &shifted, 4);
    uint32_t e = (bits - 0x4B400000u + 127u) << 23;
    float scale;
    memcpy(&scale, &e, 4);
    return x < -87.0f ? 0.0f : p * scale;
}

/// erf(z) by Abramowitz & Stegun 7.1.26 given gaussian = e^{−z²}, as the Swift `fastErf`.
static inline __attribute__((always_inline)) float tr_erf(float z, float gaussian) {
    float a = z < 0 ? -z : z;
    float t = 1 / (1 + 0.3275911f * a);
    float poly = t * (0.254829592f + t * (-0.284496736f + t * (1.421413741f + t * (-1.453152027f + t * 1.061405429f))));
    float e = 1 - poly * gaussian;
    return z < 0 ? -e : e;
}

#define IC_GELU(NAME, ATTR)                                                                            \
    static ATTR void NAME(const float *restrict x, float *restrict y, float *restrict s, long n) {     \
        for (long i = 0; i < n; i++) {                                                                 \
            float v = x[i];                                                                            \
            float gauss = tr_exp(-0.5f * v * v);                                                       \
            float cdf = 0.5f * (1 + tr_erf(v * 0.70710678f, gauss));                                  \
            y[i] = v * cdf;                                                                            \
            s[i] = cdf + v * 0.39894228f * gauss;                                                      \
        }                                                                                              \
    }

#define IC_SOFTMAX(NAME, ATTR)                                                                         \
    static ATTR void NAME(float *restrict w, int t, int s, int causal) {                               \
        for (int row = 0; row < t; row++) {                                                            \
            float *restrict p = w + (long)row * s;                                                     \
            int visible = causal ? (row + 1 < s ? row + 1 : s) : s;                                    \
            float m = -__builtin_inff();                                                               \
            for (int j = 0; j < visible; j++) m = p[j] >= m ? p[j] : m;                               \
            for (int j = 0; j < visible; j++) p[j] = tr_exp(p[j] - m);                                \
            float sum = 0;                                                                             \
            for (int j = 0; j < visible; j++) sum += p[j];                                            \
            float inv = 1 / sum;                                                                       \
            for (int j = 0; j < visible; j++) p[j] *= inv;                                            \
            for (int j = visible; j < s; j++) p[j] = 0;                                               \
        }                                                                                              \
    }

IC_GELU(gelu_portable, )
IC_SOFTMAX(softmax_portable, )
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
IC_GELU(gelu_avx2, __attribute__((target("avx2,fma"))))
IC_SOFTMAX(softmax_avx2, __attribute__((target("avx2,fma"))))
IC_GELU(gelu_avx512, __attribute__((target("avx512f"))))
IC_SOFTMAX(softmax_avx512, __attribute__((target("avx512f"))))
#define IC_X86_TRANSFORMER 1
#endif

void ic_gelu_forward(int kernel, const float *x, float *y, float *slope, long n) {
#ifdef IC_X86_TRANSFORMER
    if (kernel == 2) { gelu_avx512(x, y, slope, n); return; }
    if (kernel == 1) { gelu_avx2(x, y, slope, n); return; }
#endif
    gelu_portable(x, y, slope, n);
}

void ic_softmax_rows(int kernel, float *w, int rows, int columns, int causal) {
#ifdef IC_X86_TRANSFORMER
    if (kernel == 2) { softmax_avx512(w, rows, columns, causal); return; }
    if (kernel == 1) { softmax_avx2(w, rows, columns, causal); return; }
#endif
    softmax_portable(w, rows, columns, causal);
}
