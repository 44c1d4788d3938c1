// OpenBLAS's CBLAS interface (Debian libopenblas-dev, pthread flavour).
#include <cblas.h>
#include <stddef.h>

// The few LAPACK routines evaluation code uses. libopenblas exports LAPACK's Fortran symbols
// (dsyevd_, dgesdd_, dgelsd_) but Debian ships no header for them, so their prototypes are
// declared here: every argument by pointer, column-major matrices, 32-bit integers (OpenBLAS's
// LP64 interface), and the hidden lengths of CHARACTER arguments that gfortran appends.

// Symmetric eigendecomposition, divide and conquer: eigenvalues ascending in w; with
// jobz = 'V' the eigenvectors overwrite a (column j of the column-major a is the j-th vector).
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
             double *work, const int *lwork, int *iwork, const int *liwork, int *info,
             size_t jobz_len, size_t uplo_len);

// Singular value decomposition, divide and conquer: a (m×n) = u·diag(s)·vt, s descending.
void dgesdd_(const char *jobz, const int *m, const int *n, double *a, const int *lda, double *s,
             double *u, const int *ldu, double *vt, const int *ldvt, double *work, const int *lwork,
             int *iwork, int *info, size_t jobz_len);

// Minimum-norm least squares min ‖a·x − b‖ through the SVD; singular values below rcond·s_max
// count as zero, and rank reports how many did not.
void dgelsd_(const int *m, const int *n, const int *nrhs, double *a, const int *lda, double *b, const int *ldb,
             double *s, const double *rcond, int *rank, double *work, const int *lwork, int *iwork, int *info);
