// Runtime: thread count and the start-up line that says which backend, BLAS and device a run uses.
#pragma once

#include <string>

#include "tensor/device.h"

namespace probenet {

// Sets OpenMP's and OpenBLAS's thread counts together (0 keeps the default: all cores).
void set_threads(int threads);
// One line naming the backend of `device`, its BLAS and threads (and GPU, cuDNN for CUDA).
std::string runtime_summary(Device device);

}  // namespace probenet
