// Log-softmax and cross-entropy kernels of the CUDA backend, logits/log-probabilities (rows, cols):
//   log_softmax_rows:       y = x − m − log Σ_c exp(x_c − m), m = max_c x_c (stable)
//   nll_sum:                *out = −Σ_r logp[r, label_r], accumulated in double
//   softmax_xent_backward:  gx = β·gx + scale·(exp(logp) − onehot(label))   (β = 0 never reads gx)
// Labels are device memory here (the backend uploads the host labels first); out is one device
// double. Exponentials and logarithms are the full-precision expf/logf (no fast-math), summed in
// float per row; the CPU sums in double, so the two agree to a few float roundings.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace probenet::cuda_detail {

void log_softmax_rows(cudaStream_t stream, int64_t rows, int64_t cols, const float* x, float* y);
void nll_sum(cudaStream_t stream, int64_t rows, int64_t cols, const float* logp, const int32_t* labels, double* out);
void softmax_xent_backward(cudaStream_t stream, int64_t rows, int64_t cols, const float* logp, const int32_t* labels,
                           float scale, float beta, float* gx);

}  // namespace probenet::cuda_detail
