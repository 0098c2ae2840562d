// Sequential: named children applied in order, y = f_k(…f_2(f_1(x))). Each child is called
// through Module::operator(), so its forward hooks fire.
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

}  // namespace probenet::nn
