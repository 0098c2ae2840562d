#include "experiments/common/evaluate.h"

#include "data/label_corruption.h"
#include "nn/forward_in_batches.h"
#include "tensor/error.h"
#include "tensor/ops.h"

namespace probenet::experiments {

std::vector<int32_t> predict(nn::Module& model, const data::Dataset& dataset, Device device, int64_t batch) {
    std::vector<int32_t> out;
    out.reserve(static_cast<size_t>(dataset.size()));
    nn::forward_in_batches(
        model, dataset.size(), batch, device,
        [&](int64_t begin, int64_t end) { return dataset.batch_images(begin, end); },
        [&](const Tensor&, const Tensor& logits, int64_t) {
            const std::vector<int32_t> p = ops::argmax_rows(logits);
            out.insert(out.end(), p.begin(), p.end());
        });
    return out;
}

double accuracy(const std::vector<int32_t>& predictions, const std::vector<int32_t>& labels) {
    PROBENET_CHECK(predictions.size() == labels.size(), "accuracy: ", predictions.size(), " predictions for ",
                   labels.size(), " labels");
    if (labels.empty()) return 0.0;
    return double(data::count_equal(predictions, labels)) / double(labels.size());
}

}  // namespace probenet::experiments
