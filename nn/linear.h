// Linear: y = x·Wᵀ + b; x (N, in), W (out, in), b (out), y (N, out). Forward and backward are
// autograd::linear (autograd/functions/linear.cpp). Init: PyTorch's defaults (nn/init.h).
#pragma once

#include "nn/module.h"
#include "tensor/random.h"

namespace probenet::nn {

class Linear : public Module {
public:
    Linear(int64_t in_features, int64_t out_features, bool bias, Rng& rng);
    Var forward(const Var& x) override;
    std::string type_name() const override { return "Linear"; }
    std::string describe() const override;

    Var& weight() { return *weight_; }
    Var* bias() { return bias_; }
    int64_t in_features() const { return in_; }
    int64_t out_features() const { return out_; }

private:
    int64_t in_, out_;
    Var* weight_;
    Var* bias_ = nullptr;
};

}  // namespace probenet::nn
