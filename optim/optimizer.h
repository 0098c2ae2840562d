// Optimizer: updates a fixed list of parameters in place from their gradients.
// step() skips parameters whose gradient is zero/absent (as PyTorch skips grad = None);
// zero_grad() marks every gradient zero without touching memory (autograd/var.h).
#pragma once

#include <vector>

#include "autograd/var.h"

namespace probenet::optim {

using autograd::Var;

class Optimizer {
public:
    explicit Optimizer(std::vector<Var> params) : params_(std::move(params)) {}
    virtual ~Optimizer() = default;
    virtual void step() = 0;
    void zero_grad() {
        for (Var& p : params_) p.zero_grad();
    }
    const std::vector<Var>& params() const { return params_; }

protected:
    std::vector<Var> params_;
};

}  // namespace probenet::optim
