// cuDNN for the CUDA backend: the library's version as loaded at run time, checked against the
// headers of this build (cuDNN keeps its ABI within a major version, so another major version is
// an error; an older or newer minor one is reported and accepted), and the backend's one handle.
#pragma once

#include <cudnn.h>

#include <string>

namespace probenet::cuda_detail {

// "cuDNN 9.19.0 (built against 9.19.0)"; throws probenet::Error when the major versions differ.
std::string cudnn_version();

// The cuDNN handle, created on first use (creating one loads cuDNN's kernel libraries, which takes
// a moment, so programs without convolutions never pay it) and bound to the backend's stream.
class CudnnHandle {
public:
    explicit CudnnHandle(cudaStream_t stream) : stream_(stream) {}
    ~CudnnHandle();
    CudnnHandle(const CudnnHandle&) = delete;
    CudnnHandle& operator=(const CudnnHandle&) = delete;

    cudnnHandle_t get();

private:
    cudaStream_t stream_;
    cudnnHandle_t handle_ = nullptr;
};

}  // namespace probenet::cuda_detail
