// The LSTM row kernels of LSTMRows.h: one body, compiled three times (baseline, AVX2 + FMA,
// AVX-512F) and auto-vectorised by the compiler at each width.
#include "LSTMRows.h"
#include <stdint.h>
#include <string.h>

/// e^x as the Swift `branchFreeExp`: Cody–Waite reduction, Taylor series to r⁶, 2ⁿ in the
/// exponent bits, x clamped to [−87.3, 88.3]; no branch, so loops over it vectorise.
static inline __attribute__((always_inline)) float ic_exp(float x) {
    float xl = x < -87.3f ? -87.3f : x;
    float xc = xl > 88.3f ? 88.3f : xl;
    float shifted = xc * 1.44269504f + 12582912.0f;
    float n = shifted - 12582912.0f;
    float r = (xc - n * 0.693145751953125f) - n * 1.428606765330187e-6f;
    float p = r * (1.0f / 720) + (1.0f / 120);
    p = p * r + (1.0f / 24);
    p = p * r + (1.0f / 6);
    p = p * r + 0.5f;
    p = p * r + 1;
    p = p * r + 1;
    uint32_t bits;
    memcpy(&bits, &shifted, 4);
    bits = (bits - (0x4B400000u - 127u)) << 23;
    float scale;
    memcpy(&scale, &bits, 4);
    return p * scale;
}

static inline __attribute__((always_inline)) float ic_sigmoid(float x) { return 1 / (1 + ic_exp(-x)); }

/// tanh as the Swift `branchFreeTanh`: sign(x)·(1 − 2/(e^{2|x|} + 1)), odd Taylor series below 1/8.
static inline __attribute__((always_inline)) float ic_tanh(float x) {
    float a = x < 0 ? -x : x;
    float ac = a > 9 ? 9 : a;
    float large = 1 - 2 / (ic_exp(ac + ac) + 1);
    float x2 = x * x;
    float q = x2 * (-17.0f / 315) + (2.0f / 15);
    q = q * x2 + (-1.0f / 3);
    q = q * x2 + 1;
    float sgn = x < 0 ? -large : large;
    return a < 0.125f ? x * q : sgn;
}

#define IC_LSTM_FORWARD(NAME, BIAS, ATTR)                                                               \
    static ATTR void NAME(float *restrict gates, const float *restrict bias, const float *restrict c_prev, \
                          float *restrict c_next, float *restrict tanh_c, float *restrict h_next,      \
                          float *restrict out, int h) {                                                \
        for (int j = 0; j < 2 * h; j++) gates[j] = ic_sigmoid(BIAS ? gates[j] + bias[j] : gates[j]);  \
        for (int j = 2 * h; j < 3 * h; j++) gates[j] = ic_tanh(BIAS ? gates[j] + bias[j] : gates[j]); \
        for (int j = 3 * h; j < 4 * h; j++) gates[j] = ic_sigmoid(BIAS ? gates[j] + bias[j] : gates[j]); \
        const float *i = gates, *f = gates + h, *g = gates + 2 * h, *o = gates + 3 * h;               \
        for (int j = 0; j < h; j++) {                                                                  \
            float c = f[j] * c_prev[j] + i[j] * g[j];                                                  \
            float t = ic_tanh(c);                                                                      \
            c_next[j] = c; tanh_c[j] = t;                                                              \
            float hv = o[j] * t;                                                                       \
            h_next[j] = hv; out[j] = hv;                                                               \
        }                                                                                              \
    }

#define IC_LSTM_BACKWARD(NAME, BOTH, ATTR)                                                              \
    static ATTR void NAME(const float *restrict acts, const float *restrict c_prev,                    \
                          const float *restrict tanh_c, const float *restrict dh, float *restrict dc,  \
                          float *restrict dx, float *restrict dg, int h) {                             \
        for (int j = 0; j < h; j++) {                                                                  \
            float i = acts[j], f = acts[h + j], g = acts[2 * h + j], o = acts[3 * h + j];             \
            float tc = tanh_c[j], d = dh[j];                                                           \
            float d_out = d * o;                                                                       \
            float dcv = dc[j] + d_out * (1 - tc * tc);                                                 \
            float dcv_i = dcv * i, dcv_f = dcv * f;                                                    \
            float di = dcv_i * g * (1 - i);                                                            \
            float df = dcv_f * c_prev[j] * (1 - f);                                                    \
            float dgg = dcv_i * (1 - g * g);                                                           \
            float dog = d * tc * o * (1 - o);                                                          \
            dx[j] = di; dx[h + j] = df; dx[2 * h + j] = dgg; dx[3 * h + j] = dog;                      \
            if (BOTH) { dg[j] = di; dg[h + j] = df; dg[2 * h + j] = dgg; dg[3 * h + j] = dog; }       \
            dc[j] = dcv_f;                                                                             \
        }                                                                                              \
    }

IC_LSTM_FORWARD(forward_portable, 0, )
IC_LSTM_FORWARD(forward_bias_portable, 1, )
IC_LSTM_BACKWARD(backward_portable, 1, )
IC_LSTM_BACKWARD(backward_one_portable, 0, )
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
IC_LSTM_FORWARD(forward_avx2, 0, __attribute__((target("avx2,fma"))))
IC_LSTM_FORWARD(forward_bias_avx2, 1, __attribute__((target("avx2,fma"))))
IC_LSTM_BACKWARD(backward_avx2, 1, __attribute__((target("avx2,fma"))))
IC_LSTM_BACKWARD(backward_one_avx2, 0, __attribute__((target("avx2,fma"))))
IC_LSTM_FORWARD(forward_avx512, 0, __attribute__((target("avx512f"))))
IC_LSTM_FORWARD(forward_bias_avx512, 1, __attribute__((target("avx512f"))))
IC_LSTM_BACKWARD(backward_avx512, 1, __attribute__((target("avx512f"))))
IC_LSTM_BACKWARD(backward_one_avx512, 0, __attribute__((target("avx512f"))))
#define IC_X86_ROWS 1
#endif

void ic_lstm_forward_row(int kernel, float *gates, const float *bias, const float *c_prev, float *c_next,
                         float *tanh_c, float *h_next, float *out, int h) {
    if (bias) {  // the biases added here rather than copied into every row before the projection
#ifdef IC_X86_ROWS
        if (kernel == 2) { forward_bias_avx512(gates, bias, c_prev, c_next, tanh_c, h_next, out, h); return; }
        if (kernel == 1) { forward_bias_avx2(gates, bias, c_prev, c_next, tanh_c, h_next, out, h); return; }
#endif
        forward_bias_portable(gates, bias, c_prev, c_next, tanh_c, h_next, out, h);
        return;
    }
#ifdef IC_X86_ROWS
    if (kernel == 2) { forward_avx512(gates, 0, c_prev, c_next, tanh_c, h_next, out, h); return; }
    if (kernel == 1) { forward_avx2(gates, 0, c_prev, c_next, tanh_c, h_next, out, h); return; }
#endif
    forward_portable(gates, 0, c_prev, c_next, tanh_c, h_next, out, h);
}

void ic_lstm_backward_row(int kernel, const float *acts, const float *c_prev, const float *tanh_c,
                          const float *dh, float *dc, float *dx, float *dg, int h) {
    if (!dg) {  // one copy of the gate gradients (the LSTM's dG_ih = dG_hh, stored once)
#ifdef IC_X86_ROWS
        if (kernel == 2) { backward_one_avx512(acts, c_prev, tanh_c, dh, dc, dx, 0, h); return; }
        if (kernel == 1) { backward_one_avx2(acts, c_prev, tanh_c, dh, dc, dx, 0, h); return; }
#endif
        backward_one_portable(acts, c_prev, tanh_c, dh, dc, dx, 0, h);
        return;
    }
#ifdef IC_X86_ROWS
    if (kernel == 2) { backward_avx512(acts, c_prev, tanh_c, dh, dc, dx, dg, h); return; }
    if (kernel == 1) { backward_avx2(acts, c_prev, tanh_c, dh, dc, dx, dg, h); return; }
#endif
    backward_portable(acts, c_prev, tanh_c, dh, dc, dx, dg, h);
}
