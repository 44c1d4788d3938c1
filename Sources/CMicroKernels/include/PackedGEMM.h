#ifndef ILLUSION_PACKED_GEMM_H
#define ILLUSION_PACKED_GEMM_H

/// Register-blocked single-precision products C[m, n] (+)= A[m, k] · B[k, n] with B packed once
/// into column panels, for the small products a recurrent layer repeats every time step with the
/// same weight (B = W_hhᵀ forward, W_hh backward), where re-packing B inside every BLAS call costs
/// as much as the arithmetic.
///
/// Kernels (chosen at run time from the CPU, never by a compiler flag of the build):
///   0 portable C loops (any CPU), panels 16 columns wide;
///   1 AVX2 + FMA, 6 rows × 16 columns per block, panels 16 wide;
///   2 AVX-512F, 8 rows × 32 columns per block, panels 32 wide.
/// Packed layout: panel q holds columns q·W ..< (q+1)·W (W = panel width, the last panel padded
/// with zeros), row p of B at floats [q·k·W + p·W, +W): each panel is k·W contiguous floats.
/// Every output element is summed in the same order (p = 0 … k−1, then added to C once), so a row's
/// result does not depend on m or on which block of rows it falls in.

/// The fastest kernel this CPU runs (0, 1 or 2).
int ic_best_kernel(void);
/// Columns per panel of `kernel`.
int ic_panel_width(int kernel);
/// Floats of the packed form of a [k, n] matrix for `kernel`.
long ic_packed_count(int kernel, int k, int n);
/// Packs B, element (p, j) read at b[p·stride_k + j·stride_n], into `packed` (ic_packed_count floats).
void ic_pack(int kernel, int k, int n, const float *b, long stride_k, long stride_n, float *packed);
/// C[m, n] = A[m, k]·B (accumulate = 0) or C += A·B (accumulate = 1); A row-major with row stride
/// lda, C with row stride ldc, B packed by ic_pack with the same kernel, k and n.
void ic_gemm_packed(int kernel, int m, int n, int k, const float *a, long lda, const float *packed,
                    float *c, long ldc, int accumulate);

#endif
