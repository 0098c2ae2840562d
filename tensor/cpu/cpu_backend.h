// The CPU backend: OpenBLAS for GEMM, OpenMP loops for the rest (see cpu_backend.cpp).
#pragma once

#include "tensor/backend.h"

namespace probenet {

Backend& cpu_backend();

}  // namespace probenet
