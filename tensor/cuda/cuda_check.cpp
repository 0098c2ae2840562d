// The throwing half of tensor/cuda/cuda_check.h: turns a status code into probenet::Error with
// file:line, the failing call, the library's name for the code, its message, and a hint for the
// codes whose cause is usually the build or the machine rather than the program.
#include "tensor/cuda/cuda_check.h"

#include <cublas_v2.h>
#include <cudnn.h>

#include <cstdlib>
#include <string>

#include "tensor/error.h"

namespace probenet::cuda_detail {

namespace {

std::string where(const char* library, const char* call, const char* file, int line) {
    return detail::concat(library, " error at ", file, ":", line, ": ", call, " returned ");
}

const char* cuda_hint(cudaError_t status) {
    switch (status) {
        case cudaErrorNoKernelImageForDevice:
        case cudaErrorUnsupportedPtxVersion:
            return "; this build has no code for this GPU: reconfigure with -DCMAKE_CUDA_ARCHITECTURES=native";
        case cudaErrorInsufficientDriver:
            return "; there is no NVIDIA driver, or it is older than the CUDA runtime of this build (CUDA 13 needs "
                   "driver 580 or newer)";
        case cudaErrorNoDevice:
            return "; no CUDA GPU is visible (check nvidia-smi and CUDA_VISIBLE_DEVICES), or use --device cpu";
        case cudaErrorMemoryAllocation:
            return "; the GPU is out of memory: use a smaller batch";
        default:
            return "";
    }
}

}  // namespace

void throw_cuda_error(cudaError_t status, const char* call, const char* file, int line) {
    cudaGetLastError();  // clears a non-sticky error, so the next launch check does not report it again
    throw Error(detail::concat(where("CUDA", call, file, line), cudaGetErrorName(status), " (",
                               cudaGetErrorString(status), ")", cuda_hint(status)));
}

void throw_cublas_error(int status, const char* call, const char* file, int line) {
    const auto s = static_cast<cublasStatus_t>(status);
    throw Error(detail::concat(where("cuBLAS", call, file, line), cublasGetStatusName(s), " (",
                               cublasGetStatusString(s), ")"));
}

void throw_cudnn_error(int status, const char* call, const char* file, int line) {
    const auto s = static_cast<cudnnStatus_t>(status);
    char detail_message[512] = "";
    cudnnGetLastErrorString(detail_message, sizeof detail_message);  // cuDNN 9's detail, may be empty
    throw Error(detail::concat(where("cuDNN", call, file, line), status, " (", cudnnGetErrorString(s), ")",
                               detail_message[0] ? "; " : "", detail_message));
}

void check_launch(const char* kernel, const char* file, int line) {
    static const bool sync_each = [] {
        const char* v = std::getenv("PROBENET_CUDA_SYNC");
        return v && std::string(v) == "1";
    }();
    const cudaError_t status = cudaGetLastError();
    if (status != cudaSuccess) throw_cuda_error(status, kernel, file, line);
    if (sync_each) {
        const cudaError_t s = cudaDeviceSynchronize();
        if (s != cudaSuccess) throw_cuda_error(s, kernel, file, line);
    }
}

}  // namespace probenet::cuda_detail
