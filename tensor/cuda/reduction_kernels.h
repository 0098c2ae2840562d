// Reductions of the CUDA backend: Backend::sum_axis and Backend::argmax_rows on device memory.
//   sum_axis:    x viewed as (outer, n, inner); out(outer, inner) = β·out + Σ_j x(o, j, i)
//                (β = 0 never reads out)
//   argmax_rows: x (rows, cols); out[r] = the first column holding the row's largest value
//                (out is device memory here; the backend copies it to the host)
// Summation order differs from the CPU's sequential loop (a tree over the warp/block), so results
// agree with it to float rounding, not bit for bit.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace probenet::cuda_detail {

void sum_axis(cudaStream_t stream, int64_t outer, int64_t n, int64_t inner, const float* x, float beta, float* out);
void argmax_rows(cudaStream_t stream, int64_t rows, int64_t cols, const float* x, int32_t* out);

}  // namespace probenet::cuda_detail
