// Parameter-free layers: ReLU (y = max(x, 0), any shape) and Flatten ((N, ...) → (N, rest)).
// Their forward and backward are autograd::relu and autograd::flatten.
#pragma once

#include "autograd/functions.h"
#include "nn/module.h"

namespace probenet::nn {

class ReLU : public Module {
public:
    Var forward(const Var& x) override { return autograd::relu(x); }
    std::string type_name() const override { return "ReLU"; }
};

class Flatten : public Module {
public:
    Var forward(const Var& x) override { return autograd::flatten(x); }
    std::string type_name() const override { return "Flatten"; }
};

}  // namespace probenet::nn
