// Adam with PyTorch's exact update (torch.optim.Adam, amsgrad = False), per parameter at step t:
//   g' = g + weight_decay·p
//   m = lerp(m, g', 1 − β1)          v = β2·v + (1 − β2)·g'²
//   p = p − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + eps)
// m and v start at zero; t counts this parameter's own steps. One fused pass (Backend::adam_update).
#pragma once

#include "optim/optimizer.h"

namespace probenet::optim {

struct AdamOptions {
    float lr = 1e-3f;
    float beta1 = 0.9f;
    float beta2 = 0.999f;
    float eps = 1e-8f;
    float weight_decay = 0.0f;
};

class Adam : public Optimizer {
public:
    Adam(std::vector<Var> params, AdamOptions options);
    void step() override;
    OptimizerState state() const override;
    void load_state(const OptimizerState& state) override;
    const AdamOptions& options() const { return opt_; }

private:
    AdamOptions opt_;
    std::vector<Tensor> m_, v_;
    std::vector<int64_t> steps_;
};

}  // namespace probenet::optim
