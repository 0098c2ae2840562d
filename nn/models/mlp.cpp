#include "nn/models/mlp.h"

#include "nn/activations.h"
#include "nn/linear.h"

namespace probenet::nn {

std::unique_ptr<Sequential> make_mlp(int64_t in_features, const std::vector<int64_t>& hidden, int64_t classes,
                                     Rng& rng) {
    auto model = std::make_unique<Sequential>();
    model->add("flatten", std::make_unique<Flatten>());
    int64_t width = in_features;
    for (size_t i = 0; i < hidden.size(); ++i) {
        auto block = std::make_unique<Sequential>();
        block->add("linear", std::make_unique<Linear>(width, hidden[i], true, rng));
        block->add("relu", std::make_unique<ReLU>());
        model->add("fc" + std::to_string(i + 1), std::move(block));
        width = hidden[i];
    }
    model->add("classifier", std::make_unique<Linear>(width, classes, true, rng));
    return model;
}

}  // namespace probenet::nn
