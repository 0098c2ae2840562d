#include "experiments/common/evaluate.h"

#include "autograd/grad_mode.h"
#include "tensor/error.h"
#include "tensor/ops.h"

namespace probenet::experiments {

std::vector<int32_t> predict(nn::Module& model, const data::Dataset& dataset, Device device, int64_t batch) {
    autograd::NoGradGuard no_grad;
    const bool was_training = model.training();
    model.eval();
    std::vector<int32_t> out;
    out.reserve(static_cast<size_t>(dataset.size()));
    for (int64_t begin = 0; begin < dataset.size(); begin += batch) {
        const int64_t end = std::min(dataset.size(), begin + batch);
        const Tensor x = dataset.batch_images(begin, end).to(device);
        const std::vector<int32_t> p = ops::argmax_rows(model(autograd::Var(x)).value());
        out.insert(out.end(), p.begin(), p.end());
    }
    model.train(was_training);
    return out;
}

double accuracy(const std::vector<int32_t>& predictions, const std::vector<int32_t>& labels) {
    PROBENET_CHECK(predictions.size() == labels.size(), "accuracy: ", predictions.size(), " predictions for ",
                   labels.size(), " labels");
    if (labels.empty()) return 0.0;
    int64_t correct = 0;
    for (size_t i = 0; i < labels.size(); ++i) correct += predictions[i] == labels[i];
    return double(correct) / double(labels.size());
}

}  // namespace probenet::experiments
