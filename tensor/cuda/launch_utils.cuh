// Launch shapes and warp/block reductions shared by the backend's kernels (device code only).
//
// Elementwise kernels run a grid-stride loop: kThreads threads per block, at most kMaxBlocks
// blocks (enough to fill any current GPU several times over), each thread visiting i, i + stride…
// Row kernels give each row one warp (32 lanes striding over its columns) and reduce with shuffles.
#pragma once

#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>

#include "tensor/cuda/cuda_check.h"

namespace probenet::cuda_detail {

constexpr int kThreads = 256;
constexpr int kWarp = 32;
constexpr int64_t kMaxBlocks = 65535;

inline unsigned blocks_for(int64_t n, int64_t per_block = kThreads) {
    return static_cast<unsigned>(std::clamp<int64_t>((n + per_block - 1) / per_block, 1, kMaxBlocks));
}

// y[i] = f(i) style loops: calls f(i) for every i in [0, n).
template <typename F>
__global__ void for_each_index_kernel(int64_t n, F f) {
    const int64_t stride = static_cast<int64_t>(blockDim.x) * gridDim.x;
    for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) f(i);
}

template <typename F>
void for_each_index(cudaStream_t stream, int64_t n, const char* name, F f) {
    if (n <= 0) return;
    for_each_index_kernel<<<blocks_for(n), kThreads, 0, stream>>>(n, f);
    CUDA_CHECK_LAUNCH(name);
}

template <typename T>
__device__ inline T warp_sum(T v) {
    for (int offset = kWarp / 2; offset > 0; offset /= 2) v += __shfl_xor_sync(0xffffffffu, v, offset);
    return v;
}

__device__ inline float warp_max(float v) {
    for (int offset = kWarp / 2; offset > 0; offset /= 2) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, offset));
    return v;
}

// Sum over a block of kThreads threads; every thread gets the total. `shared` holds kThreads/32 T.
template <typename T>
__device__ inline T block_sum(T v, T* shared) {
    const int lane = threadIdx.x % kWarp, warp = threadIdx.x / kWarp;
    v = warp_sum(v);
    if (lane == 0) shared[warp] = v;
    __syncthreads();
    v = lane < static_cast<int>(blockDim.x) / kWarp ? shared[lane] : T(0);
    v = warp_sum(v);
    __syncthreads();  // `shared` may be reused by the caller right after
    return v;
}

// The global warp index and the number of warps in the grid, for one-warp-per-row loops.
__device__ inline int64_t global_warp() {
    return (static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x) / kWarp;
}
__device__ inline int64_t warps_in_grid() { return static_cast<int64_t>(gridDim.x) * blockDim.x / kWarp; }

}  // namespace probenet::cuda_detail
