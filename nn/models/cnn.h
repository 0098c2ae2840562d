// The paper's CNN (docs/protocol.md, "Models"): six 3×3 pad-1 convolutions with 16, 16, 32, 32, 64, 64
// channels, each + ReLU, a 2×2 max-pool after the 2nd, 4th and 6th; flatten (64·3·3 = 576 for 28×28
// inputs, 1024 for 32×32); three Linear→250 + ReLU; Linear(250, classes) without bias.
// Layer names: conv1…conv6 (each conv1.conv, conv1.relu), pool1…pool3, flatten, fc1…fc3 (fcI.linear,
// fcI.relu), classifier. Probed in the paper: input, flatten, fc1, fc2, fc3.
#pragma once

#include <memory>

#include "nn/sequential.h"
#include "tensor/random.h"

namespace probenet::nn {

// in_channels 1 (MNIST, Fashion-MNIST) or 3 (CIFAR-10); image_size 28 or 32.
std::unique_ptr<Sequential> make_paper_cnn(int64_t in_channels, int64_t image_size, int64_t classes, Rng& rng);

}  // namespace probenet::nn
