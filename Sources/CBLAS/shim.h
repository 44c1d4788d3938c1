// OpenBLAS's CBLAS interface (Debian libopenblas-dev, pthread flavour).
#include <cblas.h>
