// Dataset helpers: pixel scaling through a 256-entry table, prefixes, consistency checks.
#include "data/dataset.h"

#include <array>

#include "tensor/error.h"

namespace probenet::data {

const char* scaling_name(Scaling scaling) {
    return scaling == Scaling::MinusOneToOne ? "[-1, 1] ((u8/255 - 0.5)/0.5)" : "[0, 1] (u8/255)";
}

float scale_pixel(uint8_t value, Scaling scaling) {
    const float unit = static_cast<float>(value) / 255.0f;
    return scaling == Scaling::MinusOneToOne ? (unit - 0.5f) / 0.5f : unit;
}

Tensor pixels_to_tensor(const std::vector<uint8_t>& values, const Shape& shape, Scaling scaling) {
    PROBENET_CHECK(shape_numel(shape) == static_cast<int64_t>(values.size()), "pixels_to_tensor: shape ",
                   shape_str(shape), " needs ", shape_numel(shape), " values, got ", values.size());
    std::array<float, 256> table;
    for (int v = 0; v < 256; ++v) table[v] = scale_pixel(static_cast<uint8_t>(v), scaling);
    Tensor t = Tensor::empty(shape, Device::CPU);
    float* out = t.data();
    const int64_t n = t.numel();
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; ++i) out[i] = table[values[static_cast<size_t>(i)]];
    return t;
}

Dataset Dataset::prefix(int64_t n) const {
    PROBENET_CHECK(n >= 0 && n <= size(), name, ": prefix of ", n, " samples requested but the dataset has ", size(),
                   "; choose a size between 0 and ", size());
    Dataset out;
    out.name = n < size() ? name + "[:" + std::to_string(n) + "]" : name;
    out.images = images.rows(0, n);
    out.true_labels.assign(true_labels.begin(), true_labels.begin() + n);
    out.train_labels.assign(train_labels.begin(), train_labels.begin() + n);
    out.num_classes = num_classes;
    return out;
}

void Dataset::check() const {
    PROBENET_CHECK(num_classes >= 1, name, ": num_classes is ", num_classes, ", must be at least 1");
    PROBENET_CHECK(images.defined() && images.rank() >= 1 && images.dim(0) == size(), name, ": images ",
                   images.shape_str(), " do not have one row per label (", size(), " labels)");
    PROBENET_CHECK(train_labels.size() == true_labels.size(), name, ": ", train_labels.size(), " training labels but ",
                   true_labels.size(), " true labels");
    for (const auto* labels : {&true_labels, &train_labels})
        for (size_t i = 0; i < labels->size(); ++i)
            PROBENET_CHECK((*labels)[i] >= 0 && (*labels)[i] < num_classes, name, ": ",
                           labels == &true_labels ? "true" : "training", " label ", (*labels)[i], " of sample ", i,
                           " is outside [0, ", num_classes, ")");
}

}  // namespace probenet::data
