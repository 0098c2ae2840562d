// gradcheck through a module: the module's own forward runs, with its parameters swapped for the
// checker's inputs, so the gradients of input *and* parameters are those the module produces
// (a forward that drops, swaps or misuses a parameter fails, which checking autograd::linear or
// autograd::conv2d directly cannot show).
#pragma once

#include <vector>

#include "gradcheck.h"
#include "nn/module.h"

namespace probenet::testing {

// Checks f(x, p1..pn) = module(x), where slots[i] are the module's parameter Vars (e.g.
// &layer.weight(), layer.bias()); each call of f points them at the checker's inputs 1..n.
inline GradCheckResult gradcheck_module(nn::Module& module, const std::vector<autograd::Var*>& slots, const Tensor& x) {
    std::vector<Tensor> inputs{x};
    for (const autograd::Var* p : slots) inputs.push_back(p->value().clone());
    return gradcheck(
        [&](const std::vector<autograd::Var>& v) {
            for (size_t i = 0; i < slots.size(); ++i) *slots[i] = v[i + 1];
            return module(v[0]);
        },
        inputs);
}

}  // namespace probenet::testing
