// Conv2d: y = w ⋆ x + b (cross-correlation, like PyTorch); x (N, C, H, W), w (O, C, k, k), b (O),
// y (N, O, Ho, Wo) with Ho = ⌊(H + 2·padding − k) / stride⌋ + 1. Forward and backward are
// autograd::conv2d (autograd/functions/conv2d.cpp). Init: PyTorch's defaults, fan_in = C·k·k.
// Followed by a ReLU (and a MaxPool2d) in a Sequential, it runs as autograd::conv2d_relu
// (conv2d_relu_maxpool): forward_relu (forward_relu_maxpool).
#pragma once

#include "nn/module.h"
#include "tensor/random.h"

namespace probenet::nn {

class Conv2d : public Module {
public:
    Conv2d(int64_t in_channels, int64_t out_channels, int kernel, int stride, int padding, bool bias, Rng& rng);
    Var forward(const Var& x) override;
    bool folds_relu() const override { return true; }
    Var forward_relu(const Var& x) override;  // autograd::conv2d_relu: the ReLU folded into the store
    Var forward_relu_maxpool(const Var& x, int kernel, int stride, int padding) override;  // conv2d_relu_maxpool
    std::string type_name() const override { return "Conv2d"; }
    std::string describe() const override;

    Var& weight() { return *weight_; }
    Var* bias() { return bias_; }

private:
    void check_input(const Var& x) const;

    int64_t in_, out_;
    int kernel_, stride_, padding_;
    Var* weight_;
    Var* bias_ = nullptr;
};

}  // namespace probenet::nn
