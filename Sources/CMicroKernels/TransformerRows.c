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

// Row reductions of the softmax passes over `n` values: the maximum, and sums in eight interleaved
// partial sums (value j goes to lane j mod 8), added as ((s₀ + s₁) + (s₂ + s₃)) + ((s₄ + s₅) + (s₆ + s₇)).
// The x86 versions hold the eight lanes in one __m256, so every width adds the same values in the
// same order as the scalar code.
#define LANES8_SCALAR(N, TERM)                                                                        \
    float s[8] = {0, 0, 0, 0, 0, 0, 0, 0};                                                            \
    for (int j = 0; j < (N); j++) s[j & 7] += TERM(j);                                                \
    return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));

#define T_P(j) (p[j])
#define T_DPW(j) (dp[j] * w[j])

static inline float row_max_portable(const float *p, int n) {
    float m = -__builtin_inff();
    for (int j = 0; j < n; j++) m = p[j] >= m ? p[j] : m;
    return m;
}
static inline float row_sum_portable(const float *p, int n) { LANES8_SCALAR(n, T_P) }
static inline float row_dot_portable(const float *dp, const float *w, int n) { LANES8_SCALAR(n, T_DPW) }

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define IC_AVX2T __attribute__((target("avx2,fma")))

#define LANES8_VECTOR(N, VTERM, TERM)                                                                 \
    __m256 acc = _mm256_setzero_ps();                                                                 \
    int j = 0;                                                                                        \
    for (; j + 8 <= (N); j += 8) acc = _mm256_add_ps(acc, VTERM(j));                                   \
    float s[8];                                                                                       \
    _mm256_storeu_ps(s, acc);                                                                         \
    for (int base = j; j < (N); j++) s[j - base] += TERM(j);                                          \
    return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));

#define V_P(j) _mm256_loadu_ps(p + (j))
#define V_DPW(j) _mm256_mul_ps(_mm256_loadu_ps(dp + (j)), _mm256_loadu_ps(w + (j)))

/// The maximum (a value: the same whatever the order, up to the sign of a zero, whose exponentials
/// below are equal), eight lanes at a time.
static inline __attribute__((always_inline)) IC_AVX2T float row_max_vector(const float *p, int n) {
    __m256 m8 = _mm256_set1_ps(-__builtin_inff());
    int j = 0;
    for (; j + 8 <= n; j += 8) {
        __m256 v = _mm256_loadu_ps(p + j);
        m8 = _mm256_blendv_ps(m8, v, _mm256_cmp_ps(v, m8, _CMP_GE_OQ));
    }
    float lanes[8];
    _mm256_storeu_ps(lanes, m8);
    float m = -__builtin_inff();
    for (int l = 0; l < 8; l++) m = lanes[l] >= m ? lanes[l] : m;
    for (; j < n; j++) m = p[j] >= m ? p[j] : m;
    return m;
}
static inline __attribute__((always_inline)) IC_AVX2T float row_sum_vector(const float *p, int n) { LANES8_VECTOR(n, V_P, T_P) }
static inline __attribute__((always_inline)) IC_AVX2T float row_dot_vector(const float *dp, const float *w, int n) {
    LANES8_VECTOR(n, V_DPW, T_DPW)
}
#endif

#define IC_SOFTMAX(NAME, BACKWARD, ATTR, RED)                                                         \
    static ATTR void NAME(float *restrict w, int t, int s, int causal) {                               \
        for (int row = 0; row < t; row++) {                                                            \
            float *restrict p = w + (long)row * s;                                                     \
            int visible = causal ? (row + 1 < s ? row + 1 : s) : s;                                    \
            float m = row_max_##RED(p, visible);                                                       \
            for (int j = 0; j < visible; j++) p[j] = tr_exp(p[j] - m);                                \
            float inv = 1 / row_sum_##RED(p, visible);                                                 \
            for (int j = 0; j < visible; j++) p[j] *= inv;                                            \
            for (int j = visible; j < s; j++) p[j] = 0;                                               \
        }                                                                                              \
    }                                                                                                  \
    static ATTR void BACKWARD(float *restrict dp, const float *restrict w, int t, int s, int causal) { \
        for (int row = 0; row < t; row++) {                                                            \
            float *restrict d = dp + (long)row * s;                                                    \
            const float *restrict p = w + (long)row * s;                                               \
            int visible = causal ? (row + 1 < s ? row + 1 : s) : s;                                    \
            float dot = row_dot_##RED(d, p, visible);                                                  \
            for (int j = 0; j < visible; j++) d[j] = p[j] * (d[j] - dot);                             \
            for (int j = visible; j < s; j++) d[j] = 0;                                               \
        }                                                                                              \
    }

IC_GELU(gelu_portable, )
IC_SOFTMAX(softmax_portable, softmax_backward_portable, , portable)
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
IC_GELU(gelu_avx2, __attribute__((target("avx2,fma"))))
IC_SOFTMAX(softmax_avx2, softmax_backward_avx2, __attribute__((target("avx2,fma"))), vector)
IC_GELU(gelu_avx512, __attribute__((target("avx512f"))))
IC_SOFTMAX(softmax_avx512, softmax_backward_avx512, __attribute__((target("avx512f"))), vector)
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

void ic_softmax_backward_rows(int kernel, float *dp, const float *w, int rows, int columns, int causal) {
#ifdef IC_X86_TRANSFORMER
    if (kernel == 2) { softmax_backward_avx512(dp, w, rows, columns, causal); return; }
    if (kernel == 1) { softmax_backward_avx2(dp, w, rows, columns, causal); return; }
#endif
    softmax_backward_portable(dp, w, rows, columns, causal);
}
