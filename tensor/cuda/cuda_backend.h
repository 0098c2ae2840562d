// The CUDA backend's entry points (implemented in tensor/cuda/, built when PROBENET_WITH_CUDA).
//
// cuda_device_present() answers without throwing, also on a machine with no driver or no GPU, so
// backend_available(Device::CUDA) can gate tests and flags; cuda_unavailable_reason() then says why.
// cuda_backend() creates the backend on first use (stream, cuBLAS handle, allocator) and throws
// probenet::Error with that reason when no device is present: there is no silent CPU fallback.
// This header needs no CUDA header, so plain C++ files may include it.
#pragma once

#include <cstdint>
#include <string>

#include "tensor/backend.h"

namespace probenet {

bool cuda_device_present();
// Why cuda_device_present() is false (the CUDA runtime's answer), or "" when a device is present.
std::string cuda_unavailable_reason();
Backend& cuda_backend();

// The caching device allocator's counters (tensor/cuda/cuda_allocator.h), for tests and reports.
struct CudaMemoryStats {
    int64_t device_allocations = 0;  // cudaMalloc calls so far: flat in a steady training loop
    int64_t bytes_in_use = 0;
    int64_t peak_bytes_in_use = 0;
    int64_t bytes_cached = 0;
};
CudaMemoryStats cuda_memory_stats();

}  // namespace probenet
