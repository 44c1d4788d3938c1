// LayerNorm rows, exact GELU's backward and the sum of squares of NormRows.h: one body per pass,
// compiled three times (baseline, AVX2 + FMA, AVX-512F). The Float loops are auto-vectorised at
// each width; the Double row sums keep four partial sums s₀…s₃ (j mod 4), which the x86 versions
// hold in the four lanes of one __m256d — the same additions in the same order as the scalar code.
// Contraction is off, so no FMA changes a rounding.
#include "NormRows.h"
#include <math.h>

#pragma STDC FP_CONTRACT OFF

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define IC_X86_NORM 1
#endif

// ---- the four-lane Double sums: scalar (portable) ----

#define SUM4_SCALAR(N, TERM)                                                                          \
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;                                                            \
    long j = 0;                                                                                       \
    for (; j + 4 <= (N); j += 4) { s0 += TERM(j); s1 += TERM(j + 1); s2 += TERM(j + 2); s3 += TERM(j + 3); } \
    for (; j < (N); j++) s0 += TERM(j);                                                               \
    return (s0 + s1) + (s2 + s3);

#define T_X(j) ((double)x[j])
#define T_SQ(j) (((double)x[j] - mean) * ((double)x[j] - mean))
#define T_GW(j) ((double)(g[j] * w[j]))
#define T_GWH(j) ((double)(g[j] * w[j] * h[j]))

static inline double sum_x_portable(const float *x, long n) { SUM4_SCALAR(n, T_X) }
static inline double sum_sq_portable(const float *x, double mean, long n) { SUM4_SCALAR(n, T_SQ) }
static inline double sum_gw_portable(const float *g, const float *w, long n) { SUM4_SCALAR(n, T_GW) }
static inline double sum_gwh_portable(const float *g, const float *w, const float *h, long n) { SUM4_SCALAR(n, T_GWH) }
static inline double sum_squares_portable(const float *x, long n) { const double mean = 0; SUM4_SCALAR(n, T_SQ) }

#ifdef IC_X86_NORM
// ---- the same sums with s₀…s₃ in the lanes of one __m256d (AVX2; used by the AVX-512 versions too) ----

#define IC_AVX2N __attribute__((target("avx2,fma")))

#define SUM4_VECTOR(N, VTERM, TERM)                                                                   \
    __m256d acc = _mm256_setzero_pd();                                                                \
    long j = 0;                                                                                       \
    for (; j + 4 <= (N); j += 4) acc = _mm256_add_pd(acc, VTERM(j));                                   \
    double s[4];                                                                                      \
    _mm256_storeu_pd(s, acc);                                                                         \
    for (; j < (N); j++) s[0] += TERM(j);                                                             \
    return (s[0] + s[1]) + (s[2] + s[3]);

#define V_X(j) _mm256_cvtps_pd(_mm_loadu_ps(x + (j)))
#define V_SQ(j) _mm256_mul_pd(_mm256_sub_pd(V_X(j), vmean), _mm256_sub_pd(V_X(j), vmean))
#define V_GW(j) _mm256_cvtps_pd(_mm_mul_ps(_mm_loadu_ps(g + (j)), _mm_loadu_ps(w + (j))))
#define V_GWH(j) _mm256_cvtps_pd(_mm_mul_ps(_mm_mul_ps(_mm_loadu_ps(g + (j)), _mm_loadu_ps(w + (j))), _mm_loadu_ps(h + (j))))

static inline __attribute__((always_inline)) IC_AVX2N double sum_x_vector(const float *x, long n) { SUM4_VECTOR(n, V_X, T_X) }
static inline __attribute__((always_inline)) IC_AVX2N double sum_sq_vector(const float *x, double mean, long n) {
    const __m256d vmean = _mm256_set1_pd(mean);
    SUM4_VECTOR(n, V_SQ, T_SQ)
}
static inline __attribute__((always_inline)) IC_AVX2N double sum_gw_vector(const float *g, const float *w, long n) { SUM4_VECTOR(n, V_GW, T_GW) }
static inline __attribute__((always_inline)) IC_AVX2N double sum_gwh_vector(const float *g, const float *w, const float *h, long n) {
    SUM4_VECTOR(n, V_GWH, T_GWH)
}
static inline __attribute__((always_inline)) IC_AVX2N double sum_squares_vector(const float *x, long n) {
    const double mean = 0;
    const __m256d vmean = _mm256_setzero_pd();
    SUM4_VECTOR(n, V_SQ, T_SQ)
}
#endif

// ---- the passes, one body per width ----

#define IC_NORM_PASSES(SUFFIX, ATTR, SUMS)                                                            \
    static ATTR void ln_forward_##SUFFIX(const float *restrict x, const float *restrict w,            \
                                         const float *restrict b, float *restrict y, float *restrict h, \
                                         float *restrict r, long rows, long n, float eps) {           \
        for (long row = 0; row < rows; row++) {                                                       \
            const float *xr = x + row * n;                                                            \
            float *restrict hr = h + row * n, *restrict yr = y + row * n;                             \
            double mean = sum_x_##SUMS(xr, n) / (double)n;                                            \
            double squares = sum_sq_##SUMS(xr, mean, n);                                              \
            float ri = (float)(1 / sqrt(squares / (double)n + (double)eps));                          \
            r[row] = ri;                                                                              \
            float mu = (float)mean;                                                                   \
            for (long k = 0; k < n; k++) {                                                            \
                float v = (xr[k] - mu) * ri;                                                          \
                hr[k] = v;                                                                            \
                yr[k] = v * w[k] + b[k];                                                              \
            }                                                                                         \
        }                                                                                             \
    }                                                                                                 \
    static ATTR void ln_backward_##SUFFIX(const float *restrict g, const float *restrict h,           \
                                          const float *restrict w, const float *restrict r,           \
                                          float *restrict dx, long rows, long n, int accumulate) {    \
        for (long row = 0; row < rows; row++) {                                                       \
            const float *gr = g + row * n, *hr = h + row * n;                                         \
            float *restrict dr = dx + row * n;                                                        \
            float meanG = (float)(sum_gw_##SUMS(gr, w, n) / (double)n);                               \
            float meanGH = (float)(sum_gwh_##SUMS(gr, w, hr, n) / (double)n);                         \
            float ri = r[row];                                                                        \
            if (accumulate) {                                                                         \
                for (long k = 0; k < n; k++) dr[k] += ri * (gr[k] * w[k] - meanG - hr[k] * meanGH);  \
            } else {                                                                                  \
                for (long k = 0; k < n; k++) dr[k] = ri * (gr[k] * w[k] - meanG - hr[k] * meanGH);   \
            }                                                                                         \
        }                                                                                             \
    }                                                                                                 \
    static ATTR void ln_parameters_##SUFFIX(const float *restrict g, const float *restrict h,         \
                                            float *restrict dw, float *restrict db, long rows, long n) { \
        for (long k = 0; k < n; k++) dw[k] = 0;                                                       \
        if (db) for (long k = 0; k < n; k++) db[k] = 0;                                               \
        for (long row = 0; row < rows; row++) {                                                       \
            const float *gr = g + row * n, *hr = h + row * n;                                         \
            for (long k = 0; k < n; k++) dw[k] += gr[k] * hr[k];                                      \
            if (db) for (long k = 0; k < n; k++) db[k] += gr[k];                                      \
        }                                                                                             \
    }                                                                                                 \
    static ATTR void gelu_backward_##SUFFIX(const float *restrict g, const float *restrict s,         \
                                            float *restrict dx, long n, int accumulate) {             \
        if (accumulate) { for (long i = 0; i < n; i++) dx[i] += g[i] * s[i]; }                        \
        else { for (long i = 0; i < n; i++) dx[i] = g[i] * s[i]; }                                    \
    }                                                                                                 \
    static ATTR double sum_of_squares_##SUFFIX(const float *x, long n) { return sum_squares_##SUMS(x, n); }

IC_NORM_PASSES(portable, , portable)
#ifdef IC_X86_NORM
IC_NORM_PASSES(avx2, IC_AVX2N, vector)
IC_NORM_PASSES(avx512, __attribute__((target("avx512f"))), vector)
#define IC_DISPATCH(CALL)                                                                             \
    if (kernel == 2) { CALL(avx512); }                                                                \
    else if (kernel == 1) { CALL(avx2); }                                                             \
    else { CALL(portable); }
#else
#define IC_DISPATCH(CALL) CALL(portable);
#endif

void ic_layer_norm_forward(int kernel, const float *x, const float *w, const float *b, float *y, float *h,
                           float *r, long rows, long n, float eps) {
#define CALL(S) ln_forward_##S(x, w, b, y, h, r, rows, n, eps)
    IC_DISPATCH(CALL)
#undef CALL
}

void ic_layer_norm_backward(int kernel, const float *g, const float *h, const float *w, const float *r,
                            float *dx, long rows, long n, int accumulate) {
#define CALL(S) ln_backward_##S(g, h, w, r, dx, rows, n, accumulate)
    IC_DISPATCH(CALL)
#undef CALL
}

void ic_layer_norm_parameter_gradients(int kernel, const float *g, const float *h, float *dw, float *db,
                                       long rows, long n) {
#define CALL(S) ln_parameters_##S(g, h, dw, db, rows, n)
    IC_DISPATCH(CALL)
#undef CALL
}

void ic_gelu_backward(int kernel, const float *g, const float *slope, float *dx, long n, int accumulate) {
#define CALL(S) gelu_backward_##S(g, slope, dx, n, accumulate)
    IC_DISPATCH(CALL)
#undef CALL
}

double ic_sum_of_squares(int kernel, const float *x, long n) {
    double result = 0;
#define CALL(S) result = sum_of_squares_##S(x, n)
    IC_DISPATCH(CALL)
#undef CALL
    return result;
}
