#include "experiments/common/test_split.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "data/batches.h"
#include "tensor/error.h"

namespace probenet::experiments {

TestSplit split_test_indices(int64_t n, uint32_t seed, double selection_fraction) {
    PROBENET_CHECK(n >= 2, "test split: need at least 2 test samples, got ", n);
    PROBENET_CHECK(selection_fraction > 0 && selection_fraction < 1, "test split: selection fraction must be in "
                   "(0, 1), got ", selection_fraction);
    const std::vector<int64_t> perm = data::numpy_permutation(n, seed);
    const int64_t k = std::clamp<int64_t>(std::llround(selection_fraction * double(n)), 1, n - 1);
    TestSplit split;
    split.selection.assign(perm.begin(), perm.begin() + k);
    split.evaluation.assign(perm.begin() + k, perm.end());
    std::sort(split.selection.begin(), split.selection.end());
    std::sort(split.evaluation.begin(), split.evaluation.end());
    return split;
}

data::Dataset subset(const data::Dataset& d, std::span<const int64_t> indices, const std::string& suffix) {
    d.check_storage();
    const size_t m = static_cast<size_t>(d.sample_numel());
    std::vector<uint8_t> pixels(indices.size() * m);
    std::vector<int32_t> labels;
    labels.reserve(indices.size());
    for (size_t j = 0; j < indices.size(); ++j) {
        const int64_t i = indices[j];
        PROBENET_CHECK(i >= 0 && i < d.size(), "subset of ", d.name, ": index ", i, " outside [0, ", d.size(), ")");
        std::memcpy(pixels.data() + j * m, d.pixels->data() + static_cast<size_t>(i) * m, m);
        labels.push_back(d.true_labels[static_cast<size_t>(i)]);
    }
    data::Dataset out = data::make_dataset(d.name + suffix, std::move(pixels), d.sample_shape, d.scaling,
                                           std::move(labels), d.num_classes);
    for (size_t j = 0; j < indices.size(); ++j) out.train_labels[j] = d.train_labels[static_cast<size_t>(indices[j])];
    return out;
}

}  // namespace probenet::experiments
