// Open MPI reached through dlopen (see include/mpi_shim.h). The handle types are pointers in
// Open MPI's ABI (libmpi.so.40, Open MPI 3.x–4.x): MPI_Comm, MPI_Datatype, MPI_Op and
// MPI_Errhandler are `struct ... *`, and MPI_IN_PLACE is `(void *) 1`.
#include "mpi_shim.h"
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

typedef void *Handle;
static char last_error[512] = "MPI is not loaded";
static void *lib;
static Handle comm_world, type_float, type_double, type_byte, type_uint64, op_sum, op_max, errors_return;
static int (*p_init)(int *, char ***);
static int (*p_finalize)(void);
static int (*p_abort)(Handle, int);
static int (*p_comm_rank)(Handle, int *);
static int (*p_comm_size)(Handle, int *);
static int (*p_set_errhandler)(Handle, Handle);
static int (*p_allreduce)(const void *, void *, int, Handle, Handle, Handle);
static int (*p_bcast)(void *, int, Handle, int, Handle);
static int (*p_allgather)(const void *, int, Handle, void *, int, Handle, Handle);
static int (*p_barrier)(Handle);
static int (*p_error_string)(int, char *, int *);

#define MPI_IN_PLACE_VALUE ((void *)1)
#define CHUNK (1L << 30)

static int fail(int code, const char *call) {
    char text[400] = "";
    int length = 0;
    if (p_error_string && p_error_string(code, text, &length) == 0) text[length < 399 ? length : 399] = 0;
    snprintf(last_error, sizeof last_error, "%s failed: %s (MPI error %d)", call, text[0] ? text : "unknown error", code);
    return code;
}

#define LOOKUP(var, name) do { *(void **)(&var) = dlsym(lib, name); \
    if (!var) { snprintf(last_error, sizeof last_error, "libmpi.so.40 has no symbol %s (not Open MPI 3/4?)", name); return -1; } } while (0)

int illusion_mpi_load(void) {
    if (lib) return 0;
    lib = dlopen("libmpi.so.40", RTLD_NOW | RTLD_GLOBAL);
    if (!lib) {
        snprintf(last_error, sizeof last_error, "cannot load Open MPI (%s); install openmpi-bin and libopenmpi-dev", dlerror());
        return -1;
    }
    LOOKUP(p_init, "MPI_Init"); LOOKUP(p_finalize, "MPI_Finalize"); LOOKUP(p_abort, "MPI_Abort");
    LOOKUP(p_comm_rank, "MPI_Comm_rank"); LOOKUP(p_comm_size, "MPI_Comm_size");
    LOOKUP(p_set_errhandler, "MPI_Comm_set_errhandler"); LOOKUP(p_allreduce, "MPI_Allreduce");
    LOOKUP(p_bcast, "MPI_Bcast"); LOOKUP(p_allgather, "MPI_Allgather"); LOOKUP(p_barrier, "MPI_Barrier");
    LOOKUP(p_error_string, "MPI_Error_string");
    LOOKUP(comm_world, "ompi_mpi_comm_world"); LOOKUP(type_float, "ompi_mpi_float");
    LOOKUP(type_double, "ompi_mpi_double"); LOOKUP(type_byte, "ompi_mpi_byte"); LOOKUP(type_uint64, "ompi_mpi_uint64_t");
    LOOKUP(op_sum, "ompi_mpi_op_sum"); LOOKUP(op_max, "ompi_mpi_op_max"); LOOKUP(errors_return, "ompi_mpi_errors_return");
    return 0;
}

int illusion_mpi_init(int *rank, int *size) {
    if (!lib) return -1;
    int rc = p_init(NULL, NULL);
    if (rc) return fail(rc, "MPI_Init");
    if ((rc = p_set_errhandler(comm_world, errors_return))) return fail(rc, "MPI_Comm_set_errhandler");
    if ((rc = p_comm_rank(comm_world, rank))) return fail(rc, "MPI_Comm_rank");
    if ((rc = p_comm_size(comm_world, size))) return fail(rc, "MPI_Comm_size");
    return 0;
}

int illusion_mpi_finalize(void) {
    if (!lib) return -1;
    int rc = p_finalize();
    return rc ? fail(rc, "MPI_Finalize") : 0;
}

void illusion_mpi_abort(int code) {
    if (lib) p_abort(comm_world, code);
}

static int allreduce(void *values, long count, long size, Handle type, Handle op, const char *call) {
    if (!lib) return -1;
    for (long start = 0; start < count; start += CHUNK) {
        long n = count - start < CHUNK ? count - start : CHUNK;
        int rc = p_allreduce(MPI_IN_PLACE_VALUE, (char *)values + start * size, (int)n, type, op, comm_world);
        if (rc) return fail(rc, call);
    }
    return 0;
}

int illusion_mpi_allreduce_sum_float(float *values, long count) {
    return allreduce(values, count, sizeof(float), type_float, op_sum, "MPI_Allreduce(MPI_FLOAT, MPI_SUM)");
}
int illusion_mpi_allreduce_sum_double(double *values, long count) {
    return allreduce(values, count, sizeof(double), type_double, op_sum, "MPI_Allreduce(MPI_DOUBLE, MPI_SUM)");
}
int illusion_mpi_allreduce_max_double(double *values, long count) {
    return allreduce(values, count, sizeof(double), type_double, op_max, "MPI_Allreduce(MPI_DOUBLE, MPI_MAX)");
}

int illusion_mpi_broadcast_bytes(void *bytes, long count, int root) {
    if (!lib) return -1;
    for (long start = 0; start < count; start += CHUNK) {
        long n = count - start < CHUNK ? count - start : CHUNK;
        int rc = p_bcast((char *)bytes + start, (int)n, type_byte, root, comm_world);
        if (rc) return fail(rc, "MPI_Bcast");
    }
    return 0;
}

int illusion_mpi_allgather_uint64(unsigned long long value, unsigned long long *all) {
    if (!lib) return -1;
    int rc = p_allgather(&value, 1, type_uint64, all, 1, type_uint64, comm_world);
    return rc ? fail(rc, "MPI_Allgather") : 0;
}

int illusion_mpi_barrier(void) {
    if (!lib) return -1;
    int rc = p_barrier(comm_world);
    return rc ? fail(rc, "MPI_Barrier") : 0;
}

const char *illusion_mpi_last_error(void) { return last_error; }
