// Fused optimizer updates of the CUDA backend, one thread per parameter, the formulas of
// tensor/cpu/cpu_optim.cpp (PyTorch's torch.optim.SGD / Adam single-tensor rules) term for term:
//   SGD:  d = g + wd·p; if momentum ≠ 0: buf = first_step ? d : momentum·buf + (1 − dampening)·d,
//         d = nesterov ? d + momentum·buf : buf;   p −= lr·d
//   Adam: g' = g + wd·p; m = lerp(m, g', 1 − β1); v = β2·v + (1 − β2)·g'²;
//         p −= (lr / bc1) · m / (√v / √bc2 + eps)
// param, grad, buf, m, v: n floats of device memory each. The scalars derived from the
// hyperparameters (lr / bc1, √bc2, 1 − β1) are computed on the host exactly as the CPU does.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace probenet::cuda_detail {

void sgd_update(cudaStream_t stream, int64_t n, float* param, const float* grad, float* momentum_buf, float lr,
                float momentum, float dampening, float weight_decay, bool nesterov, bool first_step);
void adam_update(cudaStream_t stream, int64_t n, float* param, const float* grad, float* m, float* v, float lr,
                 float beta1, float beta2, float eps, float weight_decay, float bias_correction1,
                 float bias_correction2);

}  // namespace probenet::cuda_detail
