#ifndef ILLUSION_NORM_ROWS_H
#define ILLUSION_NORM_ROWS_H

/// LayerNorm's row passes and exact GELU's backward in C, compiled for AVX2 / AVX-512 in `target`
/// attributes and chosen at run time (`kernel` as in PackedGEMM.h: 0 portable, 1 AVX2 + FMA,
/// 2 AVX-512F). Same formulas and the same order of operations as the Swift references they are
/// tested against bit for bit (`referenceLayerNormForward`, `referenceLayerNormBackward`,
/// `referenceLayerNormParameterGradients` in LayerNormReference.swift, the loop of `exactGELU`):
/// contraction is off, and each row sum is four interleaved Double partial sums (j mod 4) added as
/// (s₀ + s₁) + (s₂ + s₃) — the lanes of one 4-wide Double vector, so vectorising keeps the order.

/// Rows of `n` values: mean μ and r = 1/√(σ² + eps) in Double, then h = (x − μ)·r and
/// y = h·w + b in Float; writes y, h (x̂, kept for backward) and r per row.
void ic_layer_norm_forward(int kernel, const float *x, const float *w, const float *b, float *y, float *h,
                           float *r, long rows, long n, float eps);

/// dx = r·(ĝ − mean(ĝ) − x̂·mean(ĝ ⊙ x̂)), ĝ = g ⊙ w, row by row (the two means in Double); with
/// `accumulate`, dx += that (one Float addition per value, as accumulating a separate buffer).
void ic_layer_norm_backward(int kernel, const float *g, const float *h, const float *w, const float *r,
                            float *dx, long rows, long n, int accumulate);

/// dw = Σ_rows g ⊙ x̂ and (when db is not NULL) db = Σ_rows g, summed over rows in order from 0.
void ic_layer_norm_parameter_gradients(int kernel, const float *g, const float *h, float *dw, float *db,
                                       long rows, long n);

/// dx = g·slope (exact GELU's backward, slope stored by the forward); with `accumulate`, dx += g·slope.
void ic_gelu_backward(int kernel, const float *g, const float *slope, float *dx, long n, int accumulate);

/// Σ Double(x[j])² in four interleaved Double partial sums (j mod 4), added as (s₀ + s₁) + (s₂ + s₃):
/// the gradient norm of clip-grad-norm.
double ic_sum_of_squares(int kernel, const float *x, long n);

#endif
