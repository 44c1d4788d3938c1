#ifndef ILLUSION_TRANSFORMER_ROWS_H
#define ILLUSION_TRANSFORMER_ROWS_H

/// The transformer's two exp-heavy elementwise passes in C, compiled for AVX2 / AVX-512 in `target`
/// attributes and chosen at run time (`kernel` as in PackedGEMM.h: 0 portable, 1 AVX2 + FMA,
/// 2 AVX-512F). Same formulas and the same order of operations as the Swift references they are
/// tested against bit for bit (`referenceExactGELU` in GELU.swift, `referenceSoftmaxRows` in
/// ScaledDotProductAttention.swift): the file turns floating-point contraction off, so no FMA
/// changes a rounding.

/// Exact GELU over `n` values: y = x·Φ(x) and slope = Φ(x) + x·φ(x) (its derivative).
void ic_gelu_forward(int kernel, const float *x, float *y, float *slope, long n);

/// Numerically stable softmax in place over `rows` rows of `columns` (row-major); with `causal`,
/// row i keeps columns 0…i and writes 0 to the others.
void ic_softmax_rows(int kernel, float *w, int rows, int columns, int causal);

#endif
