// SGD and Adam update kernels (formulas in optim_kernels.h). One pass over each parameter tensor:
// the step is memory-bound (SGD with momentum reads 3 floats and writes 2 per parameter), so each
// thread does all of one parameter's arithmetic in registers. IEEE division and square root (the
// nvcc default without fast-math) keep the results within a rounding or two of the CPU's, which
// may contract a·b + c into fused multiply-adds differently from nvcc.
#include "tensor/cuda/optim_kernels.h"

#include <cmath>

#include "tensor/cuda/launch_utils.cuh"

namespace probenet::cuda_detail {

namespace {

__global__ void sgd_kernel(int64_t n, float* p, const float* g, float* buf, float lr, float momentum,
                           float dampening, float wd, bool nesterov, bool first_step) {
    const int64_t stride = static_cast<int64_t>(blockDim.x) * gridDim.x;
    for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
        float d = wd != 0.0f ? g[i] + wd * p[i] : g[i];
        if (momentum != 0.0f) {
            const float b = first_step ? d : momentum * buf[i] + (1.0f - dampening) * d;
            buf[i] = b;
            d = nesterov ? d + momentum * b : b;
        }
        p[i] -= lr * d;
    }
}

__global__ void adam_kernel(int64_t n, float* p, const float* g, float* m, float* v, float beta2, float eps,
                            float wd, float step_size, float bc2_sqrt, float w) {
    const int64_t stride = static_cast<int64_t>(blockDim.x) * gridDim.x;
    for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
        const float gi = wd != 0.0f ? g[i] + wd * p[i] : g[i];
        const float mi = w < 0.5f ? m[i] + w * (gi - m[i]) : gi - (gi - m[i]) * (1.0f - w);  // torch.lerp
        const float vi = v[i] * beta2 + (1.0f - beta2) * gi * gi;
        m[i] = mi, v[i] = vi;
        const float denom = sqrtf(vi) / bc2_sqrt + eps;
        p[i] -= step_size * (mi / denom);
    }
}

}  // namespace

void sgd_update(cudaStream_t stream, int64_t n, float* param, const float* grad, float* momentum_buf, float lr,
                float momentum, float dampening, float weight_decay, bool nesterov, bool first_step) {
    if (n == 0) return;
    sgd_kernel<<<blocks_for(n), kThreads, 0, stream>>>(n, param, grad, momentum_buf, lr, momentum, dampening,
                                                       weight_decay, nesterov, first_step);
    CUDA_CHECK_LAUNCH("sgd_update");
}

void adam_update(cudaStream_t stream, int64_t n, float* param, const float* grad, float* m, float* v, float lr,
                 float beta1, float beta2, float eps, float weight_decay, float bias_correction1,
                 float bias_correction2) {
    if (n == 0) return;
    const float step_size = lr / bias_correction1;
    const float bc2_sqrt = std::sqrt(bias_correction2);
    const float w = 1.0f - beta1;
    adam_kernel<<<blocks_for(n), kThreads, 0, stream>>>(n, param, grad, m, v, beta2, eps, weight_decay, step_size,
                                                        bc2_sqrt, w);
    CUDA_CHECK_LAUNCH("adam_update");
}

}  // namespace probenet::cuda_detail
