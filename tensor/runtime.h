// Runtime: thread count and the start-up line that says which backend, BLAS and device a run uses.
#pragma once

#include <string>

#include "tensor/device.h"

namespace probenet {

// OpenBLAS 0.3.21 (Debian 12) does not know recent Xeons and falls back to its slowest kernels
// ("Prescott", SSE3 only: ~2.5x slower here). When it did so, OPENBLAS_CORETYPE is unset and the
// CPU has AVX-512 (or AVX2), this sets OPENBLAS_CORETYPE=SkylakeX (or Haswell) and re-executes
// the program, saying so on stderr; a value set by the user is always respected. Call first in main.
void choose_blas_kernels(char** argv);

// Sets OpenMP's and OpenBLAS's thread counts together (0 keeps the default: all cores).
void set_threads(int threads);
// One line naming the backend of `device`, its BLAS and threads (and GPU, cuDNN for CUDA).
std::string runtime_summary(Device device);

}  // namespace probenet
