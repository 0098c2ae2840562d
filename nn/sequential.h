// Sequential: named children applied in order, y = f_k(…f_2(f_1(x))). Each child is called
// through Module::operator(), so its forward hooks fire.
//
// Layer fusion: a child that folds a ReLU (Module::folds_relu, e.g. Conv2d) and is followed by a
// ReLU child runs both in one step, child.forward_relu(x) — the same bits, without the ReLU's own
// passes over memory. The two modules keep their names; the ReLU's hooks still see its output. Only
// the intermediate (pre-ReLU) tensor is never made, so a child with a forward hook of its own is run
// unfused. set_layer_fusion(false) turns fusion off everywhere (to measure it, or to compare).
#pragma once

#include <memory>
#include <string>

#include "nn/module.h"

namespace probenet::nn {

class Sequential : public Module {
public:
    template <typename M>
    M& add(const std::string& name, std::unique_ptr<M> child) {
        return add_module(name, std::move(child));
    }
    Var forward(const Var& x) override;
    std::string type_name() const override { return "Sequential"; }
};

// Process-wide switch for the fusion above; on by default.
void set_layer_fusion(bool on);
bool layer_fusion();

}  // namespace probenet::nn
