// Sequential: named children applied in order, y = f_k(…f_2(f_1(x))). Each child's forward hooks
// fire on its output, as if it were called through Module::operator().
//
// Nested Sequentials (exactly that type; subclasses keep their own forward) run as one list of layers,
// so that layer fusion sees across their borders: a layer that folds a ReLU (Module::folds_relu, e.g.
// Conv2d) runs together with the ReLU after it — and with a MaxPool2d after that — in one step,
// forward_relu or forward_relu_maxpool: the same bits, without the intermediate tensors' passes over
// memory. Every module keeps its name and its hooks still fire, so fusion stops wherever a hook would
// see an intermediate: on the folding layer, or on the ReLU (or a block ending in it) before a pool.
// set_layer_fusion(false) turns fusion off everywhere (to measure it, or to compare).
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
