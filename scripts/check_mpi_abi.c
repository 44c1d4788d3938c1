// Checks the assumptions of Sources/CMPIShim against the installed Open MPI headers: the handles
// are the addresses of the globals the shim looks up with dlsym, and MPI_IN_PLACE is (void *)1.
// Run by `make test` when mpicc exists: mpicc scripts/check_mpi_abi.c -o /tmp/check_mpi_abi && /tmp/check_mpi_abi
#include <mpi.h>
#include <stdio.h>

int main(void) {
    int ok = 1;
#define SAME(handle, global) if ((void *)(handle) != (void *)&(global)) { printf("mismatch: %s\n", #handle); ok = 0; }
    SAME(MPI_COMM_WORLD, ompi_mpi_comm_world); SAME(MPI_FLOAT, ompi_mpi_float); SAME(MPI_DOUBLE, ompi_mpi_double);
    SAME(MPI_BYTE, ompi_mpi_byte); SAME(MPI_UINT64_T, ompi_mpi_uint64_t); SAME(MPI_SUM, ompi_mpi_op_sum);
    SAME(MPI_MAX, ompi_mpi_op_max); SAME(MPI_ERRORS_RETURN, ompi_mpi_errors_return);
    if (MPI_IN_PLACE != (void *)1) { printf("mismatch: MPI_IN_PLACE\n"); ok = 0; }
    if (MPI_SUCCESS != 0) { printf("mismatch: MPI_SUCCESS\n"); ok = 0; }
    if (sizeof(MPI_Comm) != sizeof(void *)) { printf("mismatch: MPI_Comm is not a pointer\n"); ok = 0; }
    printf(ok ? "Open MPI ABI as CMPIShim assumes (%d.%d)\n" : "Open MPI ABI differs from CMPIShim's assumptions (%d.%d)\n", MPI_VERSION, MPI_SUBVERSION);
    return ok ? 0 : 1;
}
