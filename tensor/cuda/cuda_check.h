// CUDA_CHECK, CUBLAS_CHECK, CUDNN_CHECK: every CUDA runtime, cuBLAS and cuDNN call of the CUDA
// backend goes through one of these. A failing call throws probenet::Error naming the call as
// written, file:line, the library's error name and string, and what to do where that is known:
//   CUDA error at tensor/cuda/cuda_allocator.cpp:57: cudaMalloc(&p, bytes) returned
//   cudaErrorMemoryAllocation (out of memory)
// CUDA_CHECK_LAUNCH(name) follows each kernel launch: it reports bad launch configurations at once
// and, when the environment sets PROBENET_CUDA_SYNC=1, synchronises so that a kernel that faults is
// named by its own launch rather than by the next synchronising call (for debugging; slow).
//
// Only the CUDA runtime header is needed here: the cuBLAS and cuDNN macros compare against their
// library's success code where they expand, and pass the status on as an int.
#pragma once

#include <cuda_runtime_api.h>

namespace probenet::cuda_detail {

[[noreturn]] void throw_cuda_error(cudaError_t status, const char* call, const char* file, int line);
[[noreturn]] void throw_cublas_error(int status, const char* call, const char* file, int line);
[[noreturn]] void throw_cudnn_error(int status, const char* call, const char* file, int line);
void check_launch(const char* kernel, const char* file, int line);

}  // namespace probenet::cuda_detail

#define CUDA_CHECK(call)                                                                       \
    do {                                                                                       \
        const cudaError_t probenet_status_ = (call);                                           \
        if (probenet_status_ != cudaSuccess)                                                   \
            ::probenet::cuda_detail::throw_cuda_error(probenet_status_, #call, __FILE__, __LINE__); \
    } while (0)

#define CUBLAS_CHECK(call)                                                                     \
    do {                                                                                       \
        const cublasStatus_t probenet_status_ = (call);                                        \
        if (probenet_status_ != CUBLAS_STATUS_SUCCESS)                                         \
            ::probenet::cuda_detail::throw_cublas_error(static_cast<int>(probenet_status_), #call, \
                                                        __FILE__, __LINE__);                   \
    } while (0)

#define CUDNN_CHECK(call)                                                                      \
    do {                                                                                       \
        const cudnnStatus_t probenet_status_ = (call);                                         \
        if (probenet_status_ != CUDNN_STATUS_SUCCESS)                                          \
            ::probenet::cuda_detail::throw_cudnn_error(static_cast<int>(probenet_status_), #call, \
                                                       __FILE__, __LINE__);                    \
    } while (0)

#define CUDA_CHECK_LAUNCH(kernel) ::probenet::cuda_detail::check_launch(kernel, __FILE__, __LINE__)
