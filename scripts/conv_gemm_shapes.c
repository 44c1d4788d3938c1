// The GEMMs of one convolution chunk, alone: OpenBLAS SGEMM against our packed micro-kernel
// (Sources/CMicroKernels/PackedGEMM.c), with and without packing B, and the FMA peak of one core
// (Sources/CMicroKernels/FMAPeak.c) in the same process. One thread. Shapes: m × n × k of the
// chunked conv engine's products (forward W·col, dW = dY·colᵀ, dcol = Wᵀ·dY) for the fashion
// and faces VAEs and the CNN (n = samples per chunk × output pixels).
//
// Build and run (from the repository root):
//   clang -O3 -ISources/CMicroKernels/include scripts/conv_gemm_shapes.c Sources/CMicroKernels/PackedGEMM.c \
//     Sources/CMicroKernels/FMAPeak.c -lopenblas -lm -o /tmp/conv_gemm_shapes
//   env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /tmp/conv_gemm_shapes
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <cblas.h>
#include "PackedGEMM.h"
#include "FMAPeak.h"

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

int main(void) {
    openblas_set_num_threads(1);
    const int shapes[][3] = {{64, 392, 288}, {128, 196, 576}, {32, 1568, 9}, {64, 1568, 32}, {1, 1568, 288},
                             {32, 392, 64}, {288, 392, 64}, {64, 288, 392}, {128, 576, 196}};
    const int count = sizeof shapes / sizeof shapes[0];
    int kernel = ic_best_kernel();
    float chains[12];
    double t = now(), flops = ic_fma_probe(kernel, 50000000, chains);
    printf("FMA peak, one core: %.1f GFLOP/s (kernel %d)\n", flops / (now() - t) / 1e9, kernel);
    for (int s = 0; s < count; s++) {
        int m = shapes[s][0], n = shapes[s][1], k = shapes[s][2];
        float *a = malloc(4L * m * k), *b = malloc(4L * k * n), *c = malloc(4L * m * n);
        float *packed = aligned_alloc(64, 4 * ((ic_packed_count(kernel, k, n) + 15) / 16 * 16));
        for (long i = 0; i < (long)m * k; i++) a[i] = rand() / (float)RAND_MAX;
        for (long i = 0; i < (long)k * n; i++) b[i] = rand() / (float)RAND_MAX;
        double work = 2.0 * m * n * k, best[3] = {1e9, 1e9, 1e9};
        int iterations = (int)(2e9 / work) + 1;
        for (int round = 0; round < 5; round++) {
            double t0 = now();
            for (int i = 0; i < iterations; i++)
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1, a, k, b, n, 0, c, n);
            double t1 = now();
            for (int i = 0; i < iterations; i++) { ic_pack(kernel, k, n, b, n, 1, packed); ic_gemm_packed(kernel, m, n, k, a, k, packed, c, n, 0); }
            double t2 = now();
            for (int i = 0; i < iterations; i++) ic_gemm_packed(kernel, m, n, k, a, k, packed, c, n, 0);
            double t3 = now(), times[3] = {t1 - t0, t2 - t1, t3 - t2};
            for (int j = 0; j < 3; j++) if (times[j] / iterations < best[j]) best[j] = times[j] / iterations;
        }
        printf("m=%4d n=%5d k=%4d  OpenBLAS %6.1f  ours+pack %6.1f  ours (B prepacked) %6.1f GFLOP/s\n", m, n, k,
               work / best[0] / 1e9, work / best[1] / 1e9, work / best[2] / 1e9);
        free(a); free(b); free(c); free(packed);
    }
    return 0;
}
