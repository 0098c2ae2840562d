// Dataset: pixels as uint8 bytes plus two label vectors, the true ones and the ones training sees
// (corrupted by label_corruption.h, or equal to the true ones); and the pixel scalings applied when
// a batch is drawn.
//
// Storage: `pixels` holds the samples one after another, numel(sample_shape) bytes each, C×H×W order
// within a sample; it is shared (copies and prefixes point at the same bytes), so a prefix is cheap.
// Tiny ImageNet's training set is 1.2 GB as bytes, 4.9 GB as float32: only the batch being used is
// ever held as floats. Labels (N) int32 in [0, num_classes).
//
// Scaling of a u8 pixel, computed in float32 in exactly this order (as torchvision's ToTensor then
// Normalize(0.5, 0.5) do), so the model-free MASC numbers of docs/protocol.md are reproduced:
//   MinusOneToOne: (u8/255 − 0.5)/0.5 ∈ [−1, 1]   (MNIST, Fashion-MNIST, CIFAR)
//   ZeroToOne:      u8/255            ∈ [0, 1]    (Tiny ImageNet)
//
// Readers, one per format (mnist_format.h, cifar10.h, …), build Datasets with make_dataset;
// dataset_registry.h opens one by name.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "tensor/shape.h"
#include "tensor/tensor.h"

namespace probenet::data {

enum class Scaling { MinusOneToOne, ZeroToOne };

const char* scaling_name(Scaling scaling);  // "[-1, 1] (…)" or "[0, 1] (…)", for start-up reports

// One pixel, exactly as described above.
float scale_pixel(uint8_t value, Scaling scaling);

// u8 values (row-major, numel(shape) of them) into a float32 CPU tensor of `shape`, each scaled.
Tensor pixels_to_tensor(const std::vector<uint8_t>& values, const Shape& shape, Scaling scaling);

struct Dataset {
    std::string name;                                   // e.g. "mnist/train"
    std::shared_ptr<const std::vector<uint8_t>> pixels;  // ≥ N·numel(sample_shape) bytes, sample after sample
    Shape sample_shape;                                 // (C, H, W)
    Scaling scaling = Scaling::MinusOneToOne;
    std::vector<int32_t> true_labels;   // N
    std::vector<int32_t> train_labels;  // N; equals true_labels until corrupted
    int num_classes = 0;

    int64_t size() const { return static_cast<int64_t>(true_labels.size()); }
    int64_t sample_numel() const { return shape_numel(sample_shape); }
    // Samples [begin, end) scaled: float32 (end − begin, C, H, W) on the CPU. Throws unless
    // 0 <= begin <= end <= size().
    Tensor batch_images(int64_t begin, int64_t end) const;
    // The samples at `indices` (each in [0, size())), in that order, scaled: float32 (m, C, H, W).
    Tensor gather_images(std::span<const int64_t> indices) const;
    // The first n samples (pixels shared; labels copied), for --train-size. The name gets a "[:n]"
    // suffix when n < size(). Throws unless 0 <= n <= size().
    Dataset prefix(int64_t n) const;
    // Throws unless the pixels hold N samples of sample_shape and both label vectors have N entries
    // in [0, num_classes).
    void check() const;
    // Throws unless the pixels hold at least N samples of sample_shape (the part check() and the
    // batch functions rely on).
    void check_storage() const;
};

// A dataset whose true and training labels are `labels` and whose pixels are `pixels` (moved into
// shared storage); check()ed.
Dataset make_dataset(std::string name, std::vector<uint8_t> pixels, Shape sample_shape, Scaling scaling,
                     std::vector<int32_t> labels, int num_classes);

struct TrainTest {
    Dataset train, test;
};

}  // namespace probenet::data
