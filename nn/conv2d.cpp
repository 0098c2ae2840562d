#include "nn/conv2d.h"

#include "autograd/functions.h"
#include "nn/init.h"
#include "tensor/error.h"

namespace probenet::nn {

Conv2d::Conv2d(int64_t in_channels, int64_t out_channels, int kernel, int stride, int padding, bool bias, Rng& rng)
    : in_(in_channels), out_(out_channels), kernel_(kernel), stride_(stride), padding_(padding) {
    PROBENET_CHECK(in_ > 0 && out_ > 0 && kernel > 0 && stride > 0 && padding >= 0, "Conv2d: channels ", in_, " → ",
                   out_, ", kernel ", kernel, ", stride ", stride, ", padding ", padding, " must be positive");
    const int64_t fan_in = in_ * kernel * kernel;
    weight_ = &add_parameter("weight", pytorch_default_uniform({out_, in_, kernel, kernel}, fan_in, rng));
    if (bias) bias_ = &add_parameter("bias", pytorch_default_uniform({out_}, fan_in, rng));
}

void Conv2d::check_input(const Var& x) const {
    PROBENET_CHECK(x.value().rank() == 4 && x.value().dim(1) == in_, "layer '", name(), "' (Conv2d ", in_, " → ", out_,
                   "): expected input (N, ", in_, ", H, W), got ", x.value().shape_str());
}

Var Conv2d::forward(const Var& x) {
    check_input(x);
    return autograd::conv2d(x, *weight_, bias_ ? *bias_ : Var(), stride_, padding_);
}

Var Conv2d::forward_relu(const Var& x) {
    check_input(x);
    return autograd::conv2d_relu(x, *weight_, bias_ ? *bias_ : Var(), stride_, padding_);
}

Var Conv2d::forward_relu_maxpool(const Var& x, int kernel, int stride, int padding) {
    check_input(x);
    return autograd::conv2d_relu_maxpool(x, *weight_, bias_ ? *bias_ : Var(), stride_, padding_, kernel, stride, padding);
}

std::string Conv2d::describe() const {
    return std::to_string(in_) + " → " + std::to_string(out_) + ", " + std::to_string(kernel_) + "×" +
           std::to_string(kernel_) + (stride_ != 1 ? " s" + std::to_string(stride_) : "") +
           (padding_ ? " p" + std::to_string(padding_) : "") + (bias_ ? "" : ", no bias");
}

}  // namespace probenet::nn
