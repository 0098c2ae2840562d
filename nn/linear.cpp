#include "nn/linear.h"

#include "autograd/functions.h"
#include "nn/init.h"
#include "tensor/error.h"

namespace probenet::nn {

Linear::Linear(int64_t in_features, int64_t out_features, bool bias, Rng& rng) : in_(in_features), out_(out_features) {
    PROBENET_CHECK(in_ > 0 && out_ > 0, "Linear: sizes must be positive, got ", in_, " → ", out_);
    weight_ = &add_parameter("weight", pytorch_default_uniform({out_, in_}, in_, rng));
    if (bias) bias_ = &add_parameter("bias", pytorch_default_uniform({out_}, in_, rng));
}

Var Linear::forward(const Var& x) {
    PROBENET_CHECK(x.value().rank() == 2 && x.value().dim(1) == in_, "layer '", name(), "' (Linear ", in_, " → ", out_,
                   "): expected input (N, ", in_, "), got ", x.value().shape_str(),
                   x.value().rank() > 2 ? "; add a Flatten before it" : "");
    return bias_ ? autograd::linear(x, *weight_, *bias_) : autograd::linear(x, *weight_);
}

std::string Linear::describe() const {
    return std::to_string(in_) + " → " + std::to_string(out_) + (bias_ ? "" : ", no bias");
}

}  // namespace probenet::nn
