// AlexNet as the paper's authors train it on CIFAR-100 and Tiny ImageNet (docs/protocol.md, "Models"):
//
//   conv1: Conv(C→w1, stem k, stride, pad) + ReLU      pool1: MaxPool 3×3 s2
//   conv2: Conv(w1→w2, k2, pad p2) + ReLU               pool2: MaxPool 3×3 s2
//   conv3: Conv(w2→w3, 3×3 p1) + ReLU
//   conv4: Conv(w3→w4, 3×3 p1) + ReLU
//   conv5: Conv(w4→w5, 3×3 p1) + ReLU                   pool3: MaxPool 3×3 s2
//   flatten → w5·s·s;  fc1: Linear→F + ReLU;  fc2: Linear→F + ReLU;  classifier: Linear→classes (bias)
//
// Spatial sizes follow PyTorch (floor mode): Ho = ⌊(H + 2p − k)/s⌋ + 1.
//   CIFAR-100 (3×32×32): stem 3×3 s2 p1, conv2 3×3 p1: 32 → 16 → 7 → 7 → 3 → 3 → 1, Flat(256);
//                        20,495,268 parameters.
//   Tiny ImageNet (3×64×64): stem 11×11 s4 p2, conv2 5×5 p2: 64 → 15 → 7 → 7 → 3 → 3 → 1, Flat(256);
//                        21,123,080 parameters.
// No dropout. Init: PyTorch's defaults (nn/init.h).
// Layer names: conv1…conv5 (each convI.conv, convI.relu), pool1…pool3, flatten, fc1, fc2 (fcI.linear,
// fcI.relu, so a hook on "fcI" sees the post-ReLU output), classifier. Probed in the paper: flatten,
// fc1, fc2.
#pragma once

#include <array>
#include <memory>

#include "nn/sequential.h"
#include "tensor/random.h"

namespace probenet::nn {

struct AlexNetConfig {
    int64_t in_channels = 3;
    int64_t image_size = 32;  // square inputs, image_size × image_size
    int64_t classes = 100;
    int stem_kernel = 3, stem_stride = 2, stem_padding = 1;  // conv1
    int conv2_kernel = 3, conv2_padding = 1;                 // conv2 (stride 1)
    std::array<int64_t, 5> channels = {64, 192, 384, 256, 256};  // conv1…conv5 output channels
    int64_t fc_width = 4096;                                      // fc1, fc2

    static AlexNetConfig cifar100();       // 3×32×32 → 100 classes
    static AlexNetConfig tiny_imagenet();  // 3×64×64 → 200 classes
};

// Spatial side after pool3 (1 for both paper variants); throws when a layer's window does not fit.
int64_t alexnet_final_size(const AlexNetConfig& config);

std::unique_ptr<Sequential> make_alexnet(const AlexNetConfig& config, Rng& rng);
std::unique_ptr<Sequential> make_alexnet_cifar100(Rng& rng);
std::unique_ptr<Sequential> make_alexnet_tiny_imagenet(Rng& rng);

}  // namespace probenet::nn
