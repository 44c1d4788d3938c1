/* The SGEMM rate of this machine's OpenBLAS for one row-major product C[M,N] = A[M,K]·B[K,N],
 * repeated R times after one warm-up call.
 *
 *     cc -O2 scripts/sgemm_rate_probe.c -o /tmp/sgemm -lopenblas
 *     env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 /tmp/sgemm 1024 1024 1024 20
 *     ... /tmp/sgemm 32 784 288 2000      # a 32→32 3×3 convolution of one 28×28 image
 *
 * Prints "M N K: G GFLOP/s" (2·M·N·K·R floating-point operations over the wall time). */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    if (argc != 5) { fprintf(stderr, "usage: %s M N K REPEATS\n", argv[0]); return 2; }
    int m = atoi(argv[1]), n = atoi(argv[2]), k = atoi(argv[3]), repeats = atoi(argv[4]);
    if (m <= 0 || n <= 0 || k <= 0 || repeats <= 0) { fprintf(stderr, "M, N, K and REPEATS must be positive\n"); return 2; }
    float *a = malloc(sizeof(float) * (size_t)m * k), *b = malloc(sizeof(float) * (size_t)k * n),
          *c = malloc(sizeof(float) * (size_t)m * n);
    if (!a || !b || !c) { fprintf(stderr, "out of memory\n"); return 1; }
    for (size_t i = 0; i < (size_t)m * k; i++) a[i] = 1e-3f * (float)(i % 7);
    for (size_t i = 0; i < (size_t)k * n; i++) b[i] = 1e-3f * (float)(i % 5);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1, a, k, b, n, 0, c, n);
    double start = seconds();
    for (int r = 0; r < repeats; r++)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1, a, k, b, n, 0, c, n);
    double elapsed = seconds() - start;
    printf("%d %d %d: %.1f GFLOP/s\n", m, n, k, 2.0 * m * n * k * repeats / elapsed / 1e9);
    free(a); free(b); free(c);
    return 0;
}
