// SGD with PyTorch's exact update (torch.optim.SGD, maximize = False), per parameter p with grad g:
//   d = g + weight_decay·p
//   if momentum ≠ 0: buf = d on the first step, else buf = momentum·buf + (1 − dampening)·d
//                    d = nesterov ? d + momentum·buf : buf
//   p = p − lr·d
// The whole update is one fused pass per parameter (Backend::sgd_update).
#pragma once

#include "optim/optimizer.h"

namespace probenet::optim {

struct SgdOptions {
    float lr = 1e-3f;
    float momentum = 0.0f;
    float dampening = 0.0f;
    float weight_decay = 0.0f;
    bool nesterov = false;
};

class SGD : public Optimizer {
public:
    SGD(std::vector<Var> params, SgdOptions options);
    void step() override;
    OptimizerState state() const override;
    void load_state(const OptimizerState& state) override;
    const SgdOptions& options() const { return opt_; }

private:
    SgdOptions opt_;
    std::vector<Tensor> momentum_;  // allocated at a parameter's first step
};

}  // namespace probenet::optim
