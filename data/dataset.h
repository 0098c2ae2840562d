// Dataset: images as a float32 tensor plus two label vectors, the true ones and the ones training
// sees (corrupted by label_corruption.h, or equal to the true ones); and the pixel scalings.
//
// Shapes: images (N, C, H, W) float32 on the CPU, C×H×W order within a sample; labels (N) int32 in
// [0, num_classes). Copying a Dataset shares the image storage (Tensor semantics).
//
// Scaling of a u8 pixel, computed in float32 in exactly this order (as torchvision's ToTensor then
// Normalize(0.5, 0.5) do), so the model-free MASC numbers of reference.md are reproduced:
//   MinusOneToOne: (u8/255 − 0.5)/0.5 ∈ [−1, 1]   (MNIST, Fashion-MNIST, CIFAR)
//   ZeroToOne:      u8/255            ∈ [0, 1]    (Tiny ImageNet)
//
// load_mnist_format is implemented in mnist_format.cpp; other formats get their own files.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tensor/shape.h"
#include "tensor/tensor.h"

namespace probenet::data {

enum class Scaling { MinusOneToOne, ZeroToOne };

const char* scaling_name(Scaling scaling);  // "[-1, 1]" or "[0, 1]", for start-up reports

// One pixel, exactly as described above.
float scale_pixel(uint8_t value, Scaling scaling);

// u8 values (row-major, numel(shape) of them) into a float32 CPU tensor of `shape`, each scaled.
Tensor pixels_to_tensor(const std::vector<uint8_t>& values, const Shape& shape, Scaling scaling);

struct Dataset {
    std::string name;                   // e.g. "mnist/train"
    Tensor images;                      // (N, C, H, W) float32 on CPU
    std::vector<int32_t> true_labels;   // N
    std::vector<int32_t> train_labels;  // N; equals true_labels until corrupted
    int num_classes = 0;

    int64_t size() const { return static_cast<int64_t>(true_labels.size()); }
    // The first n samples (images are a view; labels are copied), for --train-size. The name gets a
    // "[:n]" suffix when n < size(). Throws unless 0 <= n <= size().
    Dataset prefix(int64_t n) const;
    // Throws unless images has N rows and both label vectors have N entries in [0, num_classes).
    void check() const;
};

struct TrainTest {
    Dataset train, test;
};

// Loads the four standard IDX files of MNIST or Fashion-MNIST from `dir` (train-images-idx3-ubyte,
// train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each plain or .gz).
// Images (N, H, W) become (N, 1, H, W); labels must number N and be < 10. Names are
// "<name>/train" and "<name>/test"; train_labels start equal to true_labels.
TrainTest load_mnist_format(const std::string& dir, const std::string& name,
                            Scaling scaling = Scaling::MinusOneToOne);

}  // namespace probenet::data
