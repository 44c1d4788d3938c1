// The Adam update of AdamRows.h: one body, compiled three times (baseline, AVX2 + FMA, AVX-512F)
// and auto-vectorised at each width. Contraction off and an elementwise (errno-free) square root,
// so every width rounds as the Swift reference does.
#include "AdamRows.h"

#pragma STDC FP_CONTRACT OFF

#define IC_ADAM(NAME, ATTR)                                                                            \
    static ATTR void NAME(const float *restrict g, float *restrict w, float *restrict m, float *restrict v, long n, \
                          float lr, float b1, float b2, float a1, float a2, float eps, float coupled,  \
                          float shrink, float c1, float c2) {                                          \
        for (long j = 0; j < n; j++) {                                                                 \
            float d = g[j] + coupled * w[j];                                                           \
            float m1 = b1 * m[j] + a1 * d;                                                             \
            float v1 = b2 * v[j] + a2 * d * d;                                                         \
            m[j] = m1;                                                                                 \
            v[j] = v1;                                                                                 \
            w[j] = w[j] * shrink - lr * (m1 / c1) / (__builtin_elementwise_sqrt(v1 / c2) + eps);      \
        }                                                                                              \
    }

IC_ADAM(adam_portable, )
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
IC_ADAM(adam_avx2, __attribute__((target("avx2,fma"))))
IC_ADAM(adam_avx512, __attribute__((target("avx512f"))))
#define IC_X86_ADAM 1
#endif

void ic_adam_update(int kernel, const float *g, float *w, float *m, float *v, long n, float lr, float b1, float b2,
                    float a1, float a2, float eps, float coupled, float shrink, float c1, float c2) {
#ifdef IC_X86_ADAM
    if (kernel == 2) { adam_avx512(g, w, m, v, n, lr, b1, b2, a1, a2, eps, coupled, shrink, c1, c2); return; }
    if (kernel == 1) { adam_avx2(g, w, m, v, n, lr, b1, b2, a1, a2, eps, coupled, shrink, c1, c2); return; }
#endif
    adam_portable(g, w, m, v, n, lr, b1, b2, a1, a2, eps, coupled, shrink, c1, c2);
}
