// cuDNN version check and handle (see cudnn_context.h). cudnnGetVersion() encodes
// major·10000 + minor·100 + patch since cuDNN 9; CUDNN_VERSION is the same number for the headers.
#include "tensor/cuda/cudnn_context.h"

#include "tensor/cuda/cuda_check.h"
#include "tensor/error.h"

namespace probenet::cuda_detail {

namespace {
std::string decode(size_t v) { return detail::concat(v / 10000, ".", (v % 10000) / 100, ".", v % 100); }
}  // namespace

std::string cudnn_version() {
    const size_t runtime = cudnnGetVersion();
    const size_t built = CUDNN_VERSION;
    PROBENET_CHECK(runtime / 10000 == built / 10000, "cuDNN ", decode(runtime), " was loaded but this build needs cuDNN ",
                   built / 10000, ".x (built against ", decode(built),
                   "): put the matching libcudnn.so on LD_LIBRARY_PATH");
    return detail::concat("cuDNN ", decode(runtime), " (built against ", decode(built), ")");
}

CudnnHandle::~CudnnHandle() {
    if (handle_) cudnnDestroy(handle_);  // nothing to report to from a destructor
}

cudnnHandle_t CudnnHandle::get() {
    if (!handle_) {
        cudnnHandle_t h = nullptr;
        CUDNN_CHECK(cudnnCreate(&h));
        const cudnnStatus_t status = cudnnSetStream(h, stream_);
        if (status != CUDNN_STATUS_SUCCESS) cudnnDestroy(h);
        CUDNN_CHECK(status);
        handle_ = h;
    }
    return handle_;
}

}  // namespace probenet::cuda_detail
