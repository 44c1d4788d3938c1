#ifndef ILLUSION_LSTM_ROWS_H
#define ILLUSION_LSTM_ROWS_H

/// The LSTM's per-row gate arithmetic in C, so that it can be compiled for AVX2 / AVX-512 in
/// `target` attributes and chosen at run time (`kernel` as in PackedGEMM.h: 0 portable, 1 AVX2 +
/// FMA, 2 AVX-512F); the same formulas as the Swift `lstmForwardRow` / `lstmBackwardRow`
/// (RecurrentCellKernels.swift), which are the reference they are tested against.

/// Forward, in place: gates [4h] = pre-activations (i, f, g, o), plus bias [4h] when it is not
/// NULL → σ(i), σ(f), tanh(g), σ(o); c' = f ⊙ c + i ⊙ g → c_next, tanh(c') → tanh_c,
/// h' = o ⊙ tanh(c') → h_next and out.
void ic_lstm_forward_row(int kernel, float *gates, const float *bias, const float *c_prev, float *c_next,
                         float *tanh_c, float *h_next, float *out, int h);

/// Backward: from the activations acts [4h], c_{t−1}, tanh(c_t), dh and dc (updated in place to
/// the gradient of c_{t−1} along the cell path), the pre-activation gradients (di, df, dg, do) go
/// to both dx and dg [4h] — or to dx alone when dg is NULL (one copy serves both products).
void ic_lstm_backward_row(int kernel, const float *acts, const float *c_prev, const float *tanh_c,
                          const float *dh, float *dc, float *dx, float *dg, int h);

#endif
