// CPU implementations of the fused optimizer updates (Backend::sgd_update / adam_update).
#pragma once

#include <cstdint>

namespace probenet::cpu {

void sgd_update(int64_t n, float* param, const float* grad, float* momentum_buf, float lr, float momentum,
                float dampening, float weight_decay, bool nesterov, bool first_step);
void adam_update(int64_t n, float* param, const float* grad, float* m, float* v, float lr, float beta1, float beta2,
                 float eps, float weight_decay, float bias_correction1, float bias_correction2);

}  // namespace probenet::cpu
