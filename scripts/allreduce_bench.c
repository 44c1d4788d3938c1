// Times MPI_Allreduce(MPI_FLOAT, MPI_SUM, in place) of N floats, the gradient all-reduce of one
// data-parallel step (docs/distributed.md). Build and run:
//   mpicc -O2 scripts/allreduce_bench.c -o /tmp/allreduce_bench
//   mpirun -np 2 --allow-run-as-root --oversubscribe /tmp/allreduce_bench 100000 1000000
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    for (int a = 1; a < argc; a++) {
        long n = atol(argv[a]);
        float *x = calloc(n, sizeof(float));
        int reps = n > 1000000 ? 20 : 100;
        for (int i = 0; i < 5; i++) MPI_Allreduce(MPI_IN_PLACE, x, (int)n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
        MPI_Barrier(MPI_COMM_WORLD);
        double t0 = MPI_Wtime();
        for (int i = 0; i < reps; i++) MPI_Allreduce(MPI_IN_PLACE, x, (int)n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
        double t = (MPI_Wtime() - t0) / reps;
        if (rank == 0) printf("ranks %d floats %ld bytes %ld allreduce %.3f ms\n", size, n, n * 4, t * 1e3);
        free(x);
    }
    MPI_Finalize();
    return 0;
}
