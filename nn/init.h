// PyTorch's default initialisation, drawn from an explicit Rng.
//
// nn.Linear / nn.Conv2d use kaiming_uniform_(w, a=√5): bound = gain·√(3/fan_in) with
// gain = √(2/(1+a²)) = √(1/3), i.e. bound = 1/√fan_in; their biases are U(−1/√fan_in, 1/√fan_in).
// fan_in = in_features (Linear) or in_channels·kh·kw (Conv2d). The values match PyTorch's
// distribution, not its random stream.
#pragma once

#include "tensor/random.h"
#include "tensor/tensor.h"

namespace probenet::nn {

// U(−1/√fan_in, 1/√fan_in): both the a=√5 kaiming-uniform weight and the default bias.
Tensor pytorch_default_uniform(const Shape& shape, int64_t fan_in, Rng& rng);

}  // namespace probenet::nn
