// Does OpenBLAS give a row of C the same bits however the call's rows are split?
// For every split point s of an M-row SGEMM, computes rows [0, s) and [s, M) as two calls and
// prints "s." when C equals the whole call bit for bit, "sx" when it does not. On AMD Zen 3
// (OpenBLAS 0.3.21) only multiples of 12 (and the tail) match; hence RowSplit.rowAlignment = 48.
//
//   cc -O2 scripts/openblas_row_split_probe.c -o /tmp/probe -lopenblas && /tmp/probe 72 12 200 1
//   (arguments: M N K transA)
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cblas.h>
int main(int argc,char**argv){
  int M=atoi(argv[1]),N=atoi(argv[2]),K=atoi(argv[3]); int ta=atoi(argv[4]);
  float *A=malloc(sizeof(float)*M*K),*B=malloc(sizeof(float)*K*N),*C=malloc(sizeof(float)*M*N),*D=malloc(sizeof(float)*M*N);
  srand(1); for(int i=0;i<M*K;i++)A[i]=rand()/(float)RAND_MAX-0.5f; for(int i=0;i<K*N;i++)B[i]=rand()/(float)RAND_MAX-0.5f;
  openblas_set_num_threads(1);
  int lda = ta? M: K;
  cblas_sgemm(CblasRowMajor, ta?CblasTrans:CblasNoTrans, CblasNoTrans, M,N,K,1,A,lda,B,N,0,C,N);
  for(int s=1;s<M;s++){
    cblas_sgemm(CblasRowMajor, ta?CblasTrans:CblasNoTrans, CblasNoTrans, s,N,K,1,A,lda,B,N,0,D,N);
    cblas_sgemm(CblasRowMajor, ta?CblasTrans:CblasNoTrans, CblasNoTrans, M-s,N,K,1,ta?A+s:A+s*K,lda,B,N,0,D+s*N,N);
    int bad=memcmp(C,D,sizeof(float)*M*N)!=0;
    printf("%d%c ", s, bad?'x':'.');
  }
  printf("\n");
}
