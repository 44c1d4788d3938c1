#ifndef ILLUSION_ADAM_ROWS_H
#define ILLUSION_ADAM_ROWS_H

/// The Adam / AdamW update without AMSGrad over `n` values, in C so that it runs 16 (AVX-512F) or
/// 8 (AVX2) values per instruction, chosen at run time (`kernel` as in PackedGEMM.h). Per value,
/// in this order and with contraction off (the bits of the Swift `referenceAdamUpdate`, tested):
///
///     d = g + coupled·w;  m = b1·m + a1·d;  v = b2·v + a2·d·d;  w = w·shrink − lr·(m/c1)/(√(v/c2) + eps)
///
/// with a1 = 1 − b1, a2 = 1 − b2, c1 = 1 − b1ᵗ, c2 = 1 − b2ᵗ.
void ic_adam_update(int kernel, const float *g, float *w, float *m, float *v, long n, float lr, float b1, float b2,
                    float a1, float a2, float eps, float coupled, float shrink, float c1, float c2);

#endif
