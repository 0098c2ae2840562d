#include "nn/init.h"

#include <cmath>

#include "tensor/error.h"

namespace probenet::nn {

Tensor pytorch_default_uniform(const Shape& shape, int64_t fan_in, Rng& rng) {
    PROBENET_CHECK(fan_in > 0, "init: fan_in must be positive for shape ", shape_str(shape));
    const double gain = std::sqrt(2.0 / (1.0 + 5.0));  // leaky-ReLU gain with a = √5
    const float bound = static_cast<float>(gain * std::sqrt(3.0 / static_cast<double>(fan_in)));
    return Tensor::uniform(shape, -bound, bound, rng);
}

}  // namespace probenet::nn
