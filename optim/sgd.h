// SGD with PyTorch's exact update (torch.optim.SGD, maximize = False), per parameter p with grad g:
//   d = g + weight_decay·p
//   if momentum ≠ 0: buf = d on the first step, else buf = momentum·buf + (1 − dampening)·d
//                    d = nesterov ? d + momentum·buf : buf
//   p = p − lr·d
// The whole update is one fused pass per parameter (Backend::sgd_update).
// update_in_backward: the same update, applied inside backward by the functions that form a
// parameter's gradient in one place (autograd/var.h, UpdateInBackward: the linear layer's weight and
// bias), part by part while the gradient is in cache; the full gradient is never written and read back.
#pragma once

#include "optim/optimizer.h"

namespace probenet::optim {

struct SgdOptions {
    float lr = 1e-3f;
    float momentum = 0.0f;
    float dampening = 0.0f;
    float weight_decay = 0.0f;
    bool nesterov = false;
    // Update inside backward where a function supports it (see above); step() updates the others and
    // ends the step. The same arithmetic per element: the same weights, bit for bit
    // (tests/optim/test_update_in_backward.cpp). Each parameter must be used once per backward, and
    // backward run once per step (an error names the parameter's shape otherwise).
    bool update_in_backward = false;
};

class SGD : public Optimizer {
public:
    SGD(std::vector<Var> params, SgdOptions options);
    ~SGD() override;  // uninstalls its updates from the parameters
    SGD(const SGD&) = delete;
    SGD& operator=(const SGD&) = delete;
    void step() override;
    OptimizerState state() const override;
    void load_state(const OptimizerState& state) override;
    const SgdOptions& options() const { return opt_; }

private:
    struct InBackward;
    // Updates elements [offset, offset + n) of parameter i from their gradient g.
    void update(size_t i, int64_t offset, int64_t n, const float* g);

    SgdOptions opt_;
    std::vector<Tensor> momentum_;  // allocated at a parameter's first step (at construction with update_in_backward)
    std::vector<uint8_t> started_;  // parameter i has stepped: its momentum buffer holds state
};

}  // namespace probenet::optim
