// Label corruption as numpy's legacy RandomState does it; see label_corruption.h.
#include "data/label_corruption.h"

#include "tensor/error.h"
#include "tensor/random.h"

namespace probenet::data {

std::vector<int32_t> corrupt_labels(const std::vector<int32_t>& labels, double p, int num_classes, uint32_t seed,
                                    MaskRule rule) {
    PROBENET_CHECK(p >= 0.0 && p <= 1.0, "corrupt_labels: corruption probability p = ", p,
                   " is outside [0, 1]; pass a probability such as 0.2 (not a percentage)");
    PROBENET_CHECK(num_classes >= 1, "corrupt_labels: num_classes = ", num_classes, ", must be at least 1");
    for (size_t i = 0; i < labels.size(); ++i)
        PROBENET_CHECK(labels[i] >= 0 && labels[i] < num_classes, "corrupt_labels: label ", labels[i], " of sample ", i,
                       " is outside [0, ", num_classes, "); pass the dataset's num_classes");

    std::vector<int32_t> out = labels;
    if (rule == MaskRule::Below && p == 0.0) return out;

    Rng rng(seed);
    std::vector<char> mask(labels.size());
    for (size_t i = 0; i < labels.size(); ++i) {
        const double u = rng.uniform_double();
        mask[i] = rule == MaskRule::AtMost ? u <= p : u < p;
    }
    for (size_t i = 0; i < labels.size(); ++i)
        if (mask[i]) out[i] = static_cast<int32_t>(rng.randint(static_cast<uint32_t>(num_classes)));
    return out;
}

int64_t count_equal(std::span<const int32_t> a, std::span<const int32_t> b) {
    PROBENET_CHECK(a.size() == b.size(), "count_equal: label vectors differ in length (", a.size(), " vs ", b.size(),
                   ")");
    int64_t n = 0;
    for (size_t i = 0; i < a.size(); ++i) n += a[i] == b[i];
    return n;
}

}  // namespace probenet::data
