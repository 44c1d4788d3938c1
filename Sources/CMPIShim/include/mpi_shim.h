#ifndef ILLUSION_MPI_SHIM_H
#define ILLUSION_MPI_SHIM_H

/// The few MPI calls data-parallel training needs, reached at run time through dlopen of Open
/// MPI's libmpi.so.40: no MPI header or library is needed to build `illusion`, and a process not
/// started by mpirun never loads MPI. Open MPI's handles (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM,
/// MPI_ERRORS_RETURN, ...) are macros over the addresses of exported globals (`&ompi_mpi_comm_world`);
/// Swift cannot import them, so this shim looks the globals up with dlsym and passes them itself.
/// Every function returns 0 on success, otherwise an MPI error code (or -1 before loading); the
/// message of the last failure is in illusion_mpi_last_error().

/// Loads libmpi.so.40 (RTLD_GLOBAL: Open MPI's plugins resolve symbols against it). 0 when done.
int illusion_mpi_load(void);
/// MPI_Init, then MPI_ERRORS_RETURN on MPI_COMM_WORLD (errors come back instead of aborting).
int illusion_mpi_init(int *rank, int *size);
int illusion_mpi_finalize(void);
/// MPI_Abort(MPI_COMM_WORLD, code): mpirun then stops every rank.
void illusion_mpi_abort(int code);
/// In-place sum over all ranks (MPI_IN_PLACE), split into calls of at most 2^30 values.
int illusion_mpi_allreduce_sum_float(float *values, long count);
int illusion_mpi_allreduce_sum_double(double *values, long count);
/// In-place maximum over all ranks.
int illusion_mpi_allreduce_max_double(double *values, long count);
/// MPI_Bcast of `count` bytes from `root`.
int illusion_mpi_broadcast_bytes(void *bytes, long count, int root);
/// Every rank's 64-bit value, in rank order, into `all` (size ranks).
int illusion_mpi_allgather_uint64(unsigned long long value, unsigned long long *all);
int illusion_mpi_barrier(void);
/// The message of the last failing call (MPI_Error_string, or dlopen's).
const char *illusion_mpi_last_error(void);

#endif
