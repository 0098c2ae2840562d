// CublasGemm: the cuBLAS handle of the CUDA backend and Backend::gemm on it.
//
// Row-major C(M,N) = α·op(A)(M,K)·op(B)(K,N) + β·C with row strides lda, ldb, ldc. cuBLAS is
// column-major, and a row-major matrix with row stride ld is the column-major transpose with
// leading dimension ld, so the call computes Cᵀ(N,M) = α·op(B)ᵀ·op(A)ᵀ + β·Cᵀ: the operands swap
// places, keep their own transpose flags and strides, and M and N swap.
// The handle runs on the backend's stream, in plain FP32 (CUBLAS_DEFAULT_MATH: no TF32, so results
// match the CPU's to float rounding), with a workspace taken once from the caching allocator
// (cuBLAS would otherwise cudaMalloc its own). β = 0 never reads C (cuBLAS's documented rule).
#pragma once

#include <cublas_v2.h>

#include <cstdint>
#include <string>

#include "tensor/cuda/cuda_allocator.h"

namespace probenet::cuda_detail {

class CublasGemm {
public:
    CublasGemm(cudaStream_t stream, CachingDeviceAllocator& allocator, int compute_capability_major);
    ~CublasGemm();
    CublasGemm(const CublasGemm&) = delete;
    CublasGemm& operator=(const CublasGemm&) = delete;

    void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
              const float* B, int64_t ldb, float beta, float* C, int64_t ldc);

    // "cuBLAS 13.0.2" (the library loaded at run time).
    static std::string version();

private:
    cudaStream_t stream_;
    CachingDeviceAllocator& allocator_;
    cublasHandle_t handle_ = nullptr;
    void* workspace_ = nullptr;
    size_t workspace_bytes_ = 0;
};

}  // namespace probenet::cuda_detail
