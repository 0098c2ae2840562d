// Log-softmax, NLL and the cross-entropy backward (math and shapes in softmax_kernels.h).
//
// log_softmax_rows: one warp per row, three passes over the row (max, Σ exp, write), each a
// coalesced stride-32 walk; a classifier's rows (10 classes, a few hundred rows) fit in L1 after
// the first pass. nll_sum: one block gathers one element per row, reduced in double so the total
// over a large evaluation set keeps the CPU's precision. softmax_xent_backward: elementwise over
// (rows, cols), the row's label read once per element (it stays in cache).
#include "tensor/cuda/softmax_kernels.h"

#include <limits>

#include "tensor/cuda/launch_utils.cuh"

namespace probenet::cuda_detail {

namespace {

__global__ void log_softmax_rows_kernel(int64_t rows, int64_t cols, const float* x, float* y) {
    const int lane = threadIdx.x % kWarp;
    for (int64_t r = global_warp(); r < rows; r += warps_in_grid()) {
        const float* in = x + r * cols;
        float* out = y + r * cols;
        float m = -INFINITY;
        for (int64_t c = lane; c < cols; c += kWarp) m = fmaxf(m, in[c]);
        m = warp_max(m);
        float s = 0.0f;
        for (int64_t c = lane; c < cols; c += kWarp) s += expf(in[c] - m);
        const float log_s = logf(warp_sum(s));
        for (int64_t c = lane; c < cols; c += kWarp) out[c] = (in[c] - m) - log_s;  // exact shift first
    }
}

__global__ void nll_sum_kernel(int64_t rows, int64_t cols, const float* logp, const int32_t* labels, double* out) {
    __shared__ double partial[kThreads / kWarp];
    double s = 0.0;
    for (int64_t r = threadIdx.x; r < rows; r += blockDim.x) s -= static_cast<double>(logp[r * cols + labels[r]]);
    s = block_sum(s, partial);
    if (threadIdx.x == 0) *out = s;
}

template <typename Index>
__global__ void softmax_xent_backward_kernel(Index total, Index cols, const float* logp, const int32_t* labels,
                                             float scale, float beta, float* gx) {
    const Index stride = static_cast<Index>(blockDim.x) * gridDim.x;
    for (Index e = static_cast<Index>(blockIdx.x) * blockDim.x + threadIdx.x; e < total; e += stride) {
        const Index r = e / cols, c = e - r * cols;
        const float d = scale * (expf(logp[e]) - (c == static_cast<Index>(labels[r]) ? 1.0f : 0.0f));
        gx[e] = beta == 0.0f ? d : beta * gx[e] + d;
    }
}

}  // namespace

void log_softmax_rows(cudaStream_t stream, int64_t rows, int64_t cols, const float* x, float* y) {
    if (rows == 0) return;
    log_softmax_rows_kernel<<<blocks_for(rows * kWarp), kThreads, 0, stream>>>(rows, cols, x, y);
    CUDA_CHECK_LAUNCH("log_softmax_rows");
}

void nll_sum(cudaStream_t stream, int64_t rows, int64_t cols, const float* logp, const int32_t* labels, double* out) {
    nll_sum_kernel<<<1, kThreads, 0, stream>>>(rows, cols, logp, labels, out);
    CUDA_CHECK_LAUNCH("nll_sum");
}

void softmax_xent_backward(cudaStream_t stream, int64_t rows, int64_t cols, const float* logp, const int32_t* labels,
                           float scale, float beta, float* gx) {
    const int64_t total = rows * cols;
    if (total == 0) return;
    if (total <= std::numeric_limits<int32_t>::max())
        softmax_xent_backward_kernel<uint32_t><<<blocks_for(total), kThreads, 0, stream>>>(
            static_cast<uint32_t>(total), static_cast<uint32_t>(cols), logp, labels, scale, beta, gx);
    else
        softmax_xent_backward_kernel<uint64_t><<<blocks_for(total), kThreads, 0, stream>>>(
            static_cast<uint64_t>(total), static_cast<uint64_t>(cols), logp, labels, scale, beta, gx);
    CUDA_CHECK_LAUNCH("softmax_xent_backward");
}

}  // namespace probenet::cuda_detail
