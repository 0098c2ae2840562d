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
// Subnormal floats (|x| < 1.2e-38): late in training, when most samples have near-zero loss, the
// gradients fill with them and every multiply that touches one takes a microcode assist. Measured
// on the paper's CNN after 58 epochs of Fashion-MNIST: 97 ms per forward+backward with IEEE
// gradual underflow, 44 ms with them flushed. flush = true sets FTZ (results that would be
// subnormal become 0) and DAZ (subnormal inputs read as 0) in MXCSR on this thread and on every
// OpenMP worker (OpenBLAS's OpenMP build runs on the same workers); false restores IEEE behaviour.
// Call after set_threads. Returns false where the CPU has no such control (not x86-64): then
// nothing changed.
bool set_flush_denormals(bool flush);
// One line naming the backend of `device`, its BLAS and threads (and GPU, cuDNN for CUDA).
std::string runtime_summary(Device device);

}  // namespace probenet
