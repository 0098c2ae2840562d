// Elementwise and broadcast kernels of the CUDA backend: the device side of Backend's fill, add,
// mul, axpby, mul_acc, relu, relu_backward, add_bias_rows and broadcast_axis, plus the
// `C = beta·C` that a GEMM with K = 0 reduces to. Pointers are device memory, row-major, all work
// is queued on `stream`. `beta` follows tensor/backend.h: beta = 0 writes and never reads the old
// output (NaN there does not leak), otherwise out = beta·out + result.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace probenet::cuda_detail {

void fill(cudaStream_t stream, int64_t n, float value, float* dst);
void add(cudaStream_t stream, int64_t n, const float* a, const float* b, float* out);  // out = a + b
void mul(cudaStream_t stream, int64_t n, const float* a, const float* b, float* out);  // out = a ∘ b
void axpby(cudaStream_t stream, int64_t n, float alpha, const float* x, float beta, float* y);  // y = αx + βy
// out = β·out + α·a∘b
void mul_acc(cudaStream_t stream, int64_t n, float alpha, const float* a, const float* b, float beta, float* out);
void relu(cudaStream_t stream, int64_t n, const float* x, float* y);  // y = max(x, 0)
// gx = β·gx + gy·[y > 0]
void relu_backward(cudaStream_t stream, int64_t n, const float* y, const float* gy, float beta, float* gx);
// y(rows, cols) += bias(cols) on every row.
void add_bias_rows(cudaStream_t stream, int64_t rows, int64_t cols, const float* bias, float* y);
// out(outer, n, inner) = β·out + α·g(outer, inner), g repeated along the middle axis.
void broadcast_axis(cudaStream_t stream, int64_t outer, int64_t n, int64_t inner, float alpha, const float* g,
                    float beta, float* out);
// C(rows, cols) with row stride ldc: C = β·C (0 when β = 0).
void scale_matrix(cudaStream_t stream, int64_t rows, int64_t cols, int64_t ldc, float beta, float* C);

}  // namespace probenet::cuda_detail
