// CPU loops for the fused optimizer updates declared in tensor/backend.h: one pass over each
// parameter, its gradient and its state, which is all the optimizer step costs (it is memory
// bound: SGD with momentum reads 3 and writes 2 floats per parameter).
#include "tensor/cpu/cpu_optim.h"

#include <cmath>

namespace probenet::cpu {

void sgd_update(int64_t n, float* p, const float* g, float* buf, float lr, float momentum, float dampening,
                float wd, bool nesterov, bool first_step) {
#pragma omp parallel for simd if (n > (1 << 15))
    for (int64_t i = 0; i < n; ++i) {
        float d = wd != 0.0f ? g[i] + wd * p[i] : g[i];
        if (momentum != 0.0f) {
            buf[i] = first_step ? d : momentum * buf[i] + (1.0f - dampening) * d;
            d = nesterov ? d + momentum * buf[i] : buf[i];
        }
        p[i] -= lr * d;
    }
}

void adam_update(int64_t n, float* p, const float* g, float* m, float* v, float lr, float beta1, float beta2,
                 float eps, float wd, float bc1, float bc2) {
    const float step_size = lr / bc1;
    const float bc2_sqrt = std::sqrt(bc2);
    const float w = 1.0f - beta1;
#pragma omp parallel for simd if (n > (1 << 15))
    for (int64_t i = 0; i < n; ++i) {
        const float gi = wd != 0.0f ? g[i] + wd * p[i] : g[i];
        // torch.lerp(m, g, w) for w < 0.5 is m + w·(g − m)
        m[i] = w < 0.5f ? m[i] + w * (gi - m[i]) : gi - (gi - m[i]) * (1.0f - w);
        v[i] = v[i] * beta2 + (1.0f - beta2) * gi * gi;
        const float denom = std::sqrt(v[i]) / bc2_sqrt + eps;
        p[i] -= step_size * (m[i] / denom);
    }
}

}  // namespace probenet::cpu
