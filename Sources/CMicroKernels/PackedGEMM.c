// Packed-panel micro-kernels behind ic_gemm_packed (contract in include/PackedGEMM.h).
// The AVX2 and AVX-512 kernels carry their instruction sets in `target` attributes and run only
// when __builtin_cpu_supports says the CPU has them; the rest of the build stays baseline x86-64.
#include "PackedGEMM.h"
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define IC_X86 1
#endif

int ic_best_kernel(void) {
#ifdef IC_X86
    static int best = -1;
    if (best < 0) {
        __builtin_cpu_init();
        if (__builtin_cpu_supports("avx512f")) best = 2;
        else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) best = 1;
        else best = 0;
    }
    return best;
#else
    return 0;
#endif
}

int ic_panel_width(int kernel) { return kernel == 2 ? 32 : 16; }

long ic_packed_count(int kernel, int k, int n) {
    long w = ic_panel_width(kernel);
    return ((n + w - 1) / w) * w * (long)k;
}

void ic_pack(int kernel, int k, int n, const float *b, long stride_k, long stride_n, float *packed) {
    int w = ic_panel_width(kernel);
    for (int q = 0; q * w < n; q++) {
        float *panel = packed + (long)q * k * w;
        int cols = n - q * w < w ? n - q * w : w;
        for (int p = 0; p < k; p++) {
            float *row = panel + (long)p * w;
            for (int j = 0; j < cols; j++) row[j] = b[p * stride_k + (long)(q * w + j) * stride_n];
            for (int j = cols; j < w; j++) row[j] = 0;
        }
    }
}

/// Writes the `cols` first of the `w` sums in `acc` to row `c` (adding them when accumulating).
static inline void store_row(float *c, const float *acc, int cols, int accumulate) {
    if (accumulate) { for (int j = 0; j < cols; j++) c[j] += acc[j]; }
    else { for (int j = 0; j < cols; j++) c[j] = acc[j]; }
}

// ---- portable: plain loops over a 4 × 16 block (the compiler vectorises the column loop) ----

static void block_portable(int mr, int cols, int k, const float *a, long lda, const float *panel,
                           float *c, long ldc, int accumulate) {
    float acc[4][16];
    memset(acc, 0, sizeof acc);
    for (int p = 0; p < k; p++) {
        const float *b = panel + (long)p * 16;
        for (int i = 0; i < mr; i++) {
            float av = a[i * lda + p];
            for (int j = 0; j < 16; j++) acc[i][j] += av * b[j];
        }
    }
    for (int i = 0; i < mr; i++) store_row(c + i * ldc, acc[i], cols, accumulate);
}

static void gemm_portable(int m, int n, int k, const float *a, long lda, const float *packed,
                          float *c, long ldc, int accumulate) {
    for (int i = 0; i < m; i += 4) {
        int mr = m - i < 4 ? m - i : 4;
        for (int q = 0; q * 16 < n; q++) {
            const float *panel = packed + (long)q * k * 16;
            int cols = n - q * 16 < 16 ? n - q * 16 : 16;
            block_portable(mr, cols, k, a + i * lda, lda, panel, c + i * ldc + q * 16, ldc, accumulate);
        }
    }
}

#ifdef IC_X86
// ---- AVX2 + FMA: MR (≤ 6) rows × 16 columns in 2·MR ymm accumulators ----

#define IC_AVX2 __attribute__((target("avx2,fma")))

static inline __attribute__((always_inline)) IC_AVX2
void block_avx2(const int mr, int cols, int k, const float *a, long lda, const float *panel,
                float *c, long ldc, int accumulate) {
    __m256 lo[6], hi[6];
    for (int i = 0; i < 6; i++) { lo[i] = _mm256_setzero_ps(); hi[i] = _mm256_setzero_ps(); }
    for (int p = 0; p < k; p++) {
        __m256 b0 = _mm256_loadu_ps(panel + (long)p * 16), b1 = _mm256_loadu_ps(panel + (long)p * 16 + 8);
        for (int i = 0; i < mr; i++) {
            __m256 av = _mm256_broadcast_ss(a + i * lda + p);
            lo[i] = _mm256_fmadd_ps(av, b0, lo[i]);
            hi[i] = _mm256_fmadd_ps(av, b1, hi[i]);
        }
    }
    for (int i = 0; i < mr; i++) {
        float *row = c + i * ldc;
        if (cols == 16) {
            if (accumulate) {
                _mm256_storeu_ps(row, _mm256_add_ps(_mm256_loadu_ps(row), lo[i]));
                _mm256_storeu_ps(row + 8, _mm256_add_ps(_mm256_loadu_ps(row + 8), hi[i]));
            } else {
                _mm256_storeu_ps(row, lo[i]);
                _mm256_storeu_ps(row + 8, hi[i]);
            }
        } else {
            float acc[16];
            _mm256_storeu_ps(acc, lo[i]);
            _mm256_storeu_ps(acc + 8, hi[i]);
            store_row(row, acc, cols, accumulate);
        }
    }
}

static IC_AVX2 void gemm_avx2(int m, int n, int k, const float *a, long lda, const float *packed,
                              float *c, long ldc, int accumulate) {
    // Rows outer: the block's rows of A stay in L1 while the panels stream past them from L2.
    for (int i = 0; i < m; i += 6) {
        for (int q = 0; q * 16 < n; q++) {
            const float *panel = packed + (long)q * k * 16;
            int cols = n - q * 16 < 16 ? n - q * 16 : 16;
            const float *ai = a + i * lda;
            float *ci = c + i * ldc + q * 16;
            switch (m - i < 6 ? m - i : 6) {
            case 6: block_avx2(6, cols, k, ai, lda, panel, ci, ldc, accumulate); break;
            case 5: block_avx2(5, cols, k, ai, lda, panel, ci, ldc, accumulate); break;
            case 4: block_avx2(4, cols, k, ai, lda, panel, ci, ldc, accumulate); break;
            case 3: block_avx2(3, cols, k, ai, lda, panel, ci, ldc, accumulate); break;
            case 2: block_avx2(2, cols, k, ai, lda, panel, ci, ldc, accumulate); break;
            default: block_avx2(1, cols, k, ai, lda, panel, ci, ldc, accumulate); break;
            }
        }
    }
}

// ---- AVX-512F: MR (≤ 8) rows × 32 columns in 2·MR zmm accumulators ----

#define IC_AVX512 __attribute__((target("avx512f")))

static inline __attribute__((always_inline)) IC_AVX512
void block_avx512(const int mr, int cols, int k, const float *a, long lda, const float *panel,
                  float *c, long ldc, int accumulate) {
    __m512 lo[8], hi[8];
    for (int i = 0; i < 8; i++) { lo[i] = _mm512_setzero_ps(); hi[i] = _mm512_setzero_ps(); }
    for (int p = 0; p < k; p++) {
        __m512 b0 = _mm512_loadu_ps(panel + (long)p * 32), b1 = _mm512_loadu_ps(panel + (long)p * 32 + 16);
        for (int i = 0; i < mr; i++) {
            __m512 av = _mm512_set1_ps(a[i * lda + p]);
            lo[i] = _mm512_fmadd_ps(av, b0, lo[i]);
            hi[i] = _mm512_fmadd_ps(av, b1, hi[i]);
        }
    }
    for (int i = 0; i < mr; i++) {
        float *row = c + i * ldc;
        if (cols == 32) {
            if (accumulate) {
                _mm512_storeu_ps(row, _mm512_add_ps(_mm512_loadu_ps(row), lo[i]));
                _mm512_storeu_ps(row + 16, _mm512_add_ps(_mm512_loadu_ps(row + 16), hi[i]));
            } else {
                _mm512_storeu_ps(row, lo[i]);
                _mm512_storeu_ps(row + 16, hi[i]);
            }
        } else {
            float acc[32];
            _mm512_storeu_ps(acc, lo[i]);
            _mm512_storeu_ps(acc + 16, hi[i]);
            store_row(row, acc, cols, accumulate);
        }
    }
}

static IC_AVX512 void gemm_avx512(int m, int n, int k, const float *a, long lda, const float *packed,
                                  float *c, long ldc, int accumulate) {
    // Rows outer: the block's rows of A stay in L1 while the panels stream past them from L2.
    for (int i = 0; i < m; i += 8) {
        for (int q = 0; q * 32 < n; q++) {
            const float *panel = packed + (long)q * k * 32;
            int cols = n - q * 32 < 32 ? n - q * 32 : 32;
            const float *ai = a + i * lda;
            float *ci = c + i * ldc + q * 32;
            switch (m - i < 8 ? m - i : 8) {
            case 8: block_avx512(8, cols, k, ai, lda, panel, ci, ldc, accumulate); break;
            case 7: block_avx512(7, cols, k, ai, lda, panel, ci, ldc, accumulate); break;
            case 6: block_avx512(6, cols, k, ai, lda, panel, ci, ldc, accumulate); break;
            case 5: block_avx512(5, cols, k, ai, lda, panel, ci, ldc, accumulate); break;
            case 4: block_avx512(4, cols, k, ai, lda, panel, ci, ldc, accumulate); break;
            case 3: block_avx512(3, cols, k, ai, lda, panel, ci, ldc, accumulate); break;
            case 2: block_avx512(2, cols, k, ai, lda, panel, ci, ldc, accumulate); break;
            default: block_avx512(1, cols, k, ai, lda, panel, ci, ldc, accumulate); break;
            }
        }
    }
}
#endif

void ic_gemm_packed(int kernel, int m, int n, int k, const float *a, long lda, const float *packed,
                    float *c, long ldc, int accumulate) {
    if (m <= 0 || n <= 0) return;
#ifdef IC_X86
    if (kernel == 2) { gemm_avx512(m, n, k, a, lda, packed, c, ldc, accumulate); return; }
    if (kernel == 1) { gemm_avx2(m, n, k, a, lda, packed, c, ldc, accumulate); return; }
#endif
    gemm_portable(m, n, k, a, lda, packed, c, ldc, accumulate);
}
