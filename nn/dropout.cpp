#include "nn/dropout.h"

#include "autograd/functions.h"
#include "tensor/error.h"

namespace probenet::nn {

Dropout::Dropout(float p, uint32_t seed) : p_(p), rng_(seed) {
    PROBENET_CHECK(p >= 0.0f && p < 1.0f, "Dropout: p must be in [0, 1), got ", p);
}

Var Dropout::forward(const Var& x) {
    if (!training() || p_ == 0.0f) return x;
    std::vector<float> mask(static_cast<size_t>(x.value().numel()));
    const float keep_scale = 1.0f / (1.0f - p_);
    for (float& m : mask) m = rng_.uniform_double() >= p_ ? keep_scale : 0.0f;
    Var m(Tensor::from_vector(x.shape(), mask).to(x.value().device()));
    return autograd::mul(x, m);
}

}  // namespace probenet::nn
