// Elementwise and broadcast kernels (declared with their math in elementwise_kernels.h).
//
// All are memory-bound grid-stride loops with one float per thread per iteration, coalesced across
// the warp. No vector (float4) loads: tensors may be row views at any float offset, and the steps
// this backend runs (MLP batches of 32–512) are bound by launch latency, not bandwidth.
// Kernels that need (row, column) of a flat index divide in 32-bit arithmetic when the tensor has
// fewer than 2^31 elements (64-bit division is several times slower on the GPU).
#include "tensor/cuda/elementwise_kernels.h"

#include <limits>

#include "tensor/cuda/launch_utils.cuh"

namespace probenet::cuda_detail {

namespace {

// out[e] = β·out[e] + α·g[(e / (n·inner))·inner + e % inner] over e in [0, total)
template <typename Index>
__global__ void broadcast_axis_kernel(Index total, Index n_inner, Index inner, float alpha, const float* g,
                                      float beta, float* out) {
    const Index stride = static_cast<Index>(blockDim.x) * gridDim.x;
    for (Index e = static_cast<Index>(blockIdx.x) * blockDim.x + threadIdx.x; e < total; e += stride) {
        const float v = alpha * g[(e / n_inner) * inner + e % inner];
        out[e] = beta == 0.0f ? v : beta * out[e] + v;
    }
}

// y[e] += bias[e % cols]
template <typename Index>
__global__ void add_bias_rows_kernel(Index total, Index cols, const float* bias, float* y) {
    const Index stride = static_cast<Index>(blockDim.x) * gridDim.x;
    for (Index e = static_cast<Index>(blockIdx.x) * blockDim.x + threadIdx.x; e < total; e += stride)
        y[e] += bias[e % cols];
}

// C[r·ldc + c] = β·C or 0, rows over gridDim.y·blockIdx.y, columns over x.
__global__ void scale_matrix_kernel(int64_t rows, int64_t cols, int64_t ldc, float beta, float* C) {
    for (int64_t r = blockIdx.y; r < rows; r += gridDim.y)
        for (int64_t c = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; c < cols;
             c += static_cast<int64_t>(blockDim.x) * gridDim.x)
            C[r * ldc + c] = beta == 0.0f ? 0.0f : beta * C[r * ldc + c];
}

bool fits_32_bits(int64_t total) { return total <= std::numeric_limits<int32_t>::max(); }

}  // namespace

void fill(cudaStream_t stream, int64_t n, float value, float* dst) {
    for_each_index(stream, n, "fill", [=] __device__(int64_t i) { dst[i] = value; });
}

void add(cudaStream_t stream, int64_t n, const float* a, const float* b, float* out) {
    for_each_index(stream, n, "add", [=] __device__(int64_t i) { out[i] = a[i] + b[i]; });
}

void mul(cudaStream_t stream, int64_t n, const float* a, const float* b, float* out) {
    for_each_index(stream, n, "mul", [=] __device__(int64_t i) { out[i] = a[i] * b[i]; });
}

void axpby(cudaStream_t stream, int64_t n, float alpha, const float* x, float beta, float* y) {
    if (beta == 0.0f)
        for_each_index(stream, n, "axpby", [=] __device__(int64_t i) { y[i] = alpha * x[i]; });
    else
        for_each_index(stream, n, "axpby", [=] __device__(int64_t i) { y[i] = alpha * x[i] + beta * y[i]; });
}

void mul_acc(cudaStream_t stream, int64_t n, float alpha, const float* a, const float* b, float beta, float* out) {
    if (beta == 0.0f)
        for_each_index(stream, n, "mul_acc", [=] __device__(int64_t i) { out[i] = alpha * a[i] * b[i]; });
    else
        for_each_index(stream, n, "mul_acc",
                       [=] __device__(int64_t i) { out[i] = beta * out[i] + alpha * a[i] * b[i]; });
}

void relu(cudaStream_t stream, int64_t n, const float* x, float* y) {
    for_each_index(stream, n, "relu", [=] __device__(int64_t i) { y[i] = x[i] > 0.0f ? x[i] : 0.0f; });
}

void relu_backward(cudaStream_t stream, int64_t n, const float* y, const float* gy, float beta, float* gx) {
    if (beta == 0.0f)
        for_each_index(stream, n, "relu_backward",
                       [=] __device__(int64_t i) { gx[i] = y[i] > 0.0f ? gy[i] : 0.0f; });
    else
        for_each_index(stream, n, "relu_backward",
                       [=] __device__(int64_t i) { gx[i] = beta * gx[i] + (y[i] > 0.0f ? gy[i] : 0.0f); });
}

void add_bias_rows(cudaStream_t stream, int64_t rows, int64_t cols, const float* bias, float* y) {
    const int64_t total = rows * cols;
    if (total == 0) return;
    if (fits_32_bits(total))
        add_bias_rows_kernel<uint32_t><<<blocks_for(total), kThreads, 0, stream>>>(
            static_cast<uint32_t>(total), static_cast<uint32_t>(cols), bias, y);
    else
        add_bias_rows_kernel<uint64_t><<<blocks_for(total), kThreads, 0, stream>>>(
            static_cast<uint64_t>(total), static_cast<uint64_t>(cols), bias, y);
    CUDA_CHECK_LAUNCH("add_bias_rows");
}

void broadcast_axis(cudaStream_t stream, int64_t outer, int64_t n, int64_t inner, float alpha, const float* g,
                    float beta, float* out) {
    const int64_t total = outer * n * inner;
    if (total == 0) return;
    if (fits_32_bits(total))
        broadcast_axis_kernel<uint32_t><<<blocks_for(total), kThreads, 0, stream>>>(
            static_cast<uint32_t>(total), static_cast<uint32_t>(n * inner), static_cast<uint32_t>(inner), alpha,
            g, beta, out);
    else
        broadcast_axis_kernel<uint64_t><<<blocks_for(total), kThreads, 0, stream>>>(
            static_cast<uint64_t>(total), static_cast<uint64_t>(n * inner), static_cast<uint64_t>(inner), alpha,
            g, beta, out);
    CUDA_CHECK_LAUNCH("broadcast_axis");
}

void scale_matrix(cudaStream_t stream, int64_t rows, int64_t cols, int64_t ldc, float beta, float* C) {
    if (rows == 0 || cols == 0) return;
    const dim3 grid(blocks_for(cols), static_cast<unsigned>(std::min<int64_t>(rows, kMaxBlocks)));
    scale_matrix_kernel<<<grid, kThreads, 0, stream>>>(rows, cols, ldc, beta, C);
    CUDA_CHECK_LAUNCH("scale_matrix");
}

}  // namespace probenet::cuda_detail
