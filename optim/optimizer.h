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
    // An uninitialised buffer shaped like parameter i, for its per-element state (a momentum buffer).
    // On the CPU, a buffer of 4 KB or more starts 2 KB from the parameter modulo 4 KB: the linear
    // layer's fused SGD step (tensor/cpu/cpu_linear_backward.cpp) loads and stores 8 rows of W and of
    // the momentum at a time, rows 8 KB apart, and at equal offsets (both blocks start on a 2 MB page)
    // all 48 lines fell into the same 3 of the L1's 64 sets, 8 ways each. Apart, the MLP step ran
    // 1.7–8 % faster at 1 thread (6 of 6 interleaved runs, median 3.7 %; Zen 4 EPYC).
    Tensor buffer_like(size_t i) const;

    std::vector<Var> params_;
};

}  // namespace probenet::optim
