// sum_axis and argmax_rows kernels (math and shapes in reduction_kernels.h).
//
// sum_axis picks one of three shapes of work:
//   inner = 1, n < 1024   one warp per row (row sums of many short rows)
//   inner = 1, n ≥ 1024   one block per row (a long row, e.g. the sum of all elements: outer = 1)
//   inner > 1             blocks of 32 columns × 8 row-lanes: each thread sums every 8th j of one
//                         column (coalesced across the 32 columns), then the 8 partials are added
//                         in shared memory — the bias gradient Σ_rows dy of (N, F) is this case.
// argmax_rows: one warp per row; each lane keeps its first largest element, lanes combine keeping
// the larger value and, on equal values, the smaller column, so ties go to the first column as on
// the CPU. NaN is never chosen (comparisons with NaN are false); the CPU result for rows holding
// NaN depends on where the NaN stands, so such rows are not compared.
#include "tensor/cuda/reduction_kernels.h"

#include "tensor/cuda/launch_utils.cuh"

namespace probenet::cuda_detail {

namespace {

constexpr int kColumnTile = 32;
constexpr int kRowLanes = 8;
constexpr int64_t kLongRow = 1024;

__device__ inline void store(float* out, float beta, float sum) { *out = beta == 0.0f ? sum : beta * *out + sum; }

__global__ void row_sum_warp_kernel(int64_t rows, int64_t n, const float* x, float beta, float* out) {
    const int lane = threadIdx.x % kWarp;
    for (int64_t r = global_warp(); r < rows; r += warps_in_grid()) {
        const float* row = x + r * n;
        float s = 0.0f;
        for (int64_t j = lane; j < n; j += kWarp) s += row[j];
        s = warp_sum(s);
        if (lane == 0) store(out + r, beta, s);
    }
}

__global__ void row_sum_block_kernel(int64_t rows, int64_t n, const float* x, float beta, float* out) {
    __shared__ float partial[kThreads / kWarp];
    for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
        const float* row = x + r * n;
        float s = 0.0f;
        for (int64_t j = threadIdx.x; j < n; j += blockDim.x) s += row[j];
        s = block_sum(s, partial);
        if (threadIdx.x == 0) store(out + r, beta, s);
    }
}

// blockDim = (kColumnTile, kRowLanes); grid.x over column tiles, grid.y over `outer`.
__global__ void column_sum_kernel(int64_t outer, int64_t n, int64_t inner, const float* x, float beta, float* out) {
    __shared__ float partial[kRowLanes][kColumnTile];
    const int64_t i = static_cast<int64_t>(blockIdx.x) * kColumnTile + threadIdx.x;
    for (int64_t o = blockIdx.y; o < outer; o += gridDim.y) {
        float s = 0.0f;
        if (i < inner) {
            const float* src = x + o * n * inner + i;
            for (int64_t j = threadIdx.y; j < n; j += kRowLanes) s += src[j * inner];
        }
        partial[threadIdx.y][threadIdx.x] = s;
        __syncthreads();
        if (threadIdx.y == 0 && i < inner) {
            float total = 0.0f;
            for (int k = 0; k < kRowLanes; ++k) total += partial[k][threadIdx.x];
            store(out + o * inner + i, beta, total);
        }
        __syncthreads();
    }
}

__global__ void argmax_rows_kernel(int64_t rows, int64_t cols, const float* x, int32_t* out) {
    const int lane = threadIdx.x % kWarp;
    for (int64_t r = global_warp(); r < rows; r += warps_in_grid()) {
        const float* row = x + r * cols;
        float best = -INFINITY;
        int64_t best_col = cols;  // "none yet": loses every tie
        for (int64_t c = lane; c < cols; c += kWarp) {
            const float v = row[c];
            if (best_col == cols ? v == v : v > best) best = v, best_col = c;  // v == v: not NaN
        }
        for (int offset = kWarp / 2; offset > 0; offset /= 2) {
            const float other = __shfl_xor_sync(0xffffffffu, best, offset);
            const int64_t other_col = __shfl_xor_sync(0xffffffffu, best_col, offset);
            if (other > best || (other == best && other_col < best_col)) best = other, best_col = other_col;
        }
        if (lane == 0) out[r] = static_cast<int32_t>(best_col == cols ? 0 : best_col);
    }
}

}  // namespace

void sum_axis(cudaStream_t stream, int64_t outer, int64_t n, int64_t inner, const float* x, float beta, float* out) {
    if (outer == 0 || inner == 0) return;
    if (inner == 1 && n < kLongRow) {
        row_sum_warp_kernel<<<blocks_for(outer * kWarp), kThreads, 0, stream>>>(outer, n, x, beta, out);
    } else if (inner == 1) {
        row_sum_block_kernel<<<blocks_for(outer, 1), kThreads, 0, stream>>>(outer, n, x, beta, out);
    } else {
        const dim3 grid(blocks_for(inner, kColumnTile), static_cast<unsigned>(std::min<int64_t>(outer, kMaxBlocks)));
        column_sum_kernel<<<grid, dim3(kColumnTile, kRowLanes), 0, stream>>>(outer, n, inner, x, beta, out);
    }
    CUDA_CHECK_LAUNCH("sum_axis");
}

void argmax_rows(cudaStream_t stream, int64_t rows, int64_t cols, const float* x, int32_t* out) {
    if (rows == 0) return;
    argmax_rows_kernel<<<blocks_for(rows * kWarp), kThreads, 0, stream>>>(rows, cols, x, out);
    CUDA_CHECK_LAUNCH("argmax_rows");
}

}  // namespace probenet::cuda_detail
