#ifndef ILLUSION_TRANSFORMER_ROWS_H
#define ILLUSION_TRANSFORMER_ROWS_H

/// The transformer's exp-heavy elementwise passes (exact GELU, the attention softmax and its
/// backward) in C, compiled for AVX2 / AVX-512 in `target` attributes and chosen at run time
/// (`kernel` as in PackedGEMM.h: 0 portable, 1 AVX2 + FMA, 2 AVX-512F). Same formulas and the same
/// order of operations as the Swift references they are tested against bit for bit
/// (`referenceExactGELU` in GELU.swift, `referenceSoftmaxRows` in ScaledDotProductAttention.swift,
/// `referenceSoftmaxBackwardRows` in PackedSelfAttention.swift): the file turns floating-point
/// contraction off, so no FMA changes a rounding.

/// Exact GELU over `n` values: y = x·Φ(x) and slope = Φ(x) + x·φ(x) (its derivative).
void ic_gelu_forward(int kernel, const float *x, float *y, float *slope, long n);

/// Numerically stable softmax in place over `rows` rows of `columns` (row-major); with `causal`,
/// row i keeps columns 0…i and writes 0 to the others. Each row's sum of exponentials is eight
/// interleaved partial sums (column j in lane j mod 8) added as ((s₀+s₁)+(s₂+s₃))+((s₄+s₅)+(s₆+s₇)).
void ic_softmax_rows(int kernel, float *w, int rows, int columns, int causal);

/// The softmax's backward in place: dS = P ⊙ (dP − rowsum(dP ⊙ P)) over `rows` rows of `columns`,
/// the row sum in the same eight lanes; with `causal`, row i reads columns 0…i and writes 0 to the rest.
void ic_softmax_backward_rows(int kernel, float *dp, const float *w, int rows, int columns, int causal);

#endif
