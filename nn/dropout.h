// Dropout (inverted): in training, y = x ∘ m / (1 − p) with m ~ Bernoulli(1 − p) per element;
// in eval mode y = x. The mask is a constant of the graph, so backward is dx += dy ∘ m / (1 − p)
// through autograd::mul. Randomness comes from the module's own seeded Rng. (The paper uses none.)
#pragma once

#include "nn/module.h"
#include "tensor/random.h"

namespace probenet::nn {

class Dropout : public Module {
public:
    Dropout(float p, uint32_t seed);
    Var forward(const Var& x) override;
    std::string type_name() const override { return "Dropout"; }
    std::string describe() const override { return "p = " + std::to_string(p_); }

private:
    float p_;
    Rng rng_;
};

}  // namespace probenet::nn
