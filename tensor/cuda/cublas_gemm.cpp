// cuBLAS SGEMM for row-major tensors (the operand swap is derived in cublas_gemm.h).
#include "tensor/cuda/cublas_gemm.h"

#include <climits>

#include "tensor/cuda/cuda_check.h"
#include "tensor/cuda/elementwise_kernels.h"
#include "tensor/error.h"

namespace probenet::cuda_detail {

CublasGemm::CublasGemm(cudaStream_t stream, CachingDeviceAllocator& allocator, int compute_capability_major)
    : stream_(stream), allocator_(allocator) {
    CUBLAS_CHECK(cublasCreate(&handle_));
    try {
        CUBLAS_CHECK(cublasSetStream(handle_, stream_));
        CUBLAS_CHECK(cublasSetMathMode(handle_, CUBLAS_DEFAULT_MATH));
        CUBLAS_CHECK(cublasSetPointerMode(handle_, CUBLAS_POINTER_MODE_HOST));
        // cuBLAS's guidance: 32 MiB of workspace on Hopper and later, 4 MiB before.
        workspace_bytes_ = compute_capability_major >= 9 ? (size_t(32) << 20) : (size_t(4) << 20);
        workspace_ = allocator_.allocate(workspace_bytes_);
        CUBLAS_CHECK(cublasSetWorkspace(handle_, workspace_, workspace_bytes_));
    } catch (...) {
        allocator_.deallocate(workspace_, workspace_bytes_);
        cublasDestroy(handle_);
        throw;
    }
}

CublasGemm::~CublasGemm() {
    cublasDestroy(handle_);  // no throwing from a destructor; a failure here has nobody to go to
    allocator_.deallocate(workspace_, workspace_bytes_);
}

void CublasGemm::gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
                      const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
    if (M == 0 || N == 0) return;
    if (K == 0) {  // cuBLAS rejects a zero leading dimension; the product is empty, only β applies
        scale_matrix(stream_, M, N, ldc, beta, C);
        return;
    }
    for (int64_t v : {M, N, K, lda, ldb, ldc})
        PROBENET_CHECK(v <= INT_MAX, "cuda gemm: dimension or stride ", v, " exceeds cuBLAS's 32-bit int (M=", M,
                       " N=", N, " K=", K, "); split the product");
    CUBLAS_CHECK(cublasSgemm(handle_, tb ? CUBLAS_OP_T : CUBLAS_OP_N, ta ? CUBLAS_OP_T : CUBLAS_OP_N, int(N), int(M),
                             int(K), &alpha, B, int(ldb), A, int(lda), &beta, C, int(ldc)));
}

std::string CublasGemm::version() {
    int major = 0, minor = 0, patch = 0;
    CUBLAS_CHECK(cublasGetProperty(MAJOR_VERSION, &major));
    CUBLAS_CHECK(cublasGetProperty(MINOR_VERSION, &minor));
    CUBLAS_CHECK(cublasGetProperty(PATCH_LEVEL, &patch));
    return detail::concat("cuBLAS ", major, ".", minor, ".", patch);
}

}  // namespace probenet::cuda_detail
