// The paper's MLP: Flatten, then hidden blocks fc1…fcL (Linear + ReLU each), then a Linear
// classifier. For MNIST: 784 → 128 → 512 → 2048 → 2048 → 10 (docs/protocol.md, "Models").
// Layer names: flatten, fc1 (fc1.linear, fc1.relu), …, classifier. Probing `fcI` sees the
// block's output, i.e. the activations after its ReLU — the paper's FC(width) layers.
#pragma once

#include <memory>
#include <vector>

#include "nn/sequential.h"
#include "tensor/random.h"

namespace probenet::nn {

std::unique_ptr<Sequential> make_mlp(int64_t in_features, const std::vector<int64_t>& hidden, int64_t classes,
                                     Rng& rng);

}  // namespace probenet::nn
