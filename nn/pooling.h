// MaxPool2d and AvgPool2d over k×k windows: x (N, C, H, W) → (N, C, Ho, Wo), floor mode.
// Max keeps the argmax of each window for backward (ties: first in row-major window order);
// average divides by k² (padding counts as zeros). Forward and backward: autograd::max_pool2d,
// autograd::avg_pool2d.
#pragma once

#include "autograd/functions.h"
#include "nn/module.h"

namespace probenet::nn {

class MaxPool2d : public Module {
public:
    MaxPool2d(int kernel, int stride, int padding = 0) : kernel_(kernel), stride_(stride), padding_(padding) {}
    Var forward(const Var& x) override { return autograd::max_pool2d(x, kernel_, stride_, padding_); }
    std::string type_name() const override { return "MaxPool2d"; }
    std::string describe() const override { return window(kernel_, stride_, padding_); }

    int kernel() const { return kernel_; }
    int stride() const { return stride_; }
    int padding() const { return padding_; }

    static std::string window(int k, int s, int p) {
        return std::to_string(k) + "×" + std::to_string(k) + " s" + std::to_string(s) + (p ? " p" + std::to_string(p) : "");
    }

private:
    int kernel_, stride_, padding_;
};

class AvgPool2d : public Module {
public:
    AvgPool2d(int kernel, int stride, int padding = 0) : kernel_(kernel), stride_(stride), padding_(padding) {}
    Var forward(const Var& x) override { return autograd::avg_pool2d(x, kernel_, stride_, padding_); }
    std::string type_name() const override { return "AvgPool2d"; }
    std::string describe() const override { return MaxPool2d::window(kernel_, stride_, padding_); }

private:
    int kernel_, stride_, padding_;
};

}  // namespace probenet::nn
