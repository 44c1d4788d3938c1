// Umbrella header of the CMicroKernels module: our run-time-dispatched C kernels.
#include "PackedGEMM.h"
#include "LSTMRows.h"
#include "TransformerRows.h"
#include "AdamRows.h"
#include "FMAPeak.h"
#include "NormRows.h"
#include "CPURelax.h"
