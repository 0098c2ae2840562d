// Optimizer: updates a fixed list of parameters in place from their gradients.
// step() skips parameters whose gradient is zero/absent (as PyTorch skips grad = None);
// zero_grad() marks every gradient zero without touching memory (autograd/var.h).
// state()/load_state() expose the running state (momentum buffers, Adam moments and step
// counts), keyed by parameter index as PyTorch's state_dict is ("3.momentum_buffer"), so that a
// training run can stop and resume with exactly the updates it would have made.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "autograd/var.h"

namespace probenet::optim {

using autograd::Var;

struct OptimizerState {
    std::map<std::string, Tensor> tensors;      // "<param index>.<buffer>" → buffer (host or device)
    std::map<std::string, std::string> values;  // "optimizer" → kind, "<param index>.step" → count, ...
};

class Optimizer {
public:
    explicit Optimizer(std::vector<Var> params) : params_(std::move(params)) {}
    virtual ~Optimizer() = default;
    virtual void step() = 0;
    virtual OptimizerState state() const = 0;
    // Replaces the running state; refuses another optimizer kind or buffers of the wrong shape.
    virtual void load_state(const OptimizerState& state) = 0;
    void zero_grad() {
        for (Var& p : params_) p.zero_grad();
    }
    const std::vector<Var>& params() const { return params_; }

protected:
    // The buffer "<i>.<name>" from `state`, checked against parameter i's shape and moved to its
    // device; an undefined tensor when the state has none (the parameter has not stepped yet).
    Tensor state_buffer(const OptimizerState& state, size_t i, const std::string& name) const;
    void check_kind(const OptimizerState& state, const std::string& kind) const;

    std::vector<Var> params_;
};

}  // namespace probenet::optim
