#include "nn/models/cnn.h"

#include "nn/activations.h"
#include "nn/conv2d.h"
#include "nn/linear.h"
#include "nn/pooling.h"

namespace probenet::nn {

std::unique_ptr<Sequential> make_paper_cnn(int64_t in_channels, int64_t image_size, int64_t classes, Rng& rng) {
    auto model = std::make_unique<Sequential>();
    const int64_t channels[6] = {16, 16, 32, 32, 64, 64};
    int64_t c = in_channels, size = image_size;
    for (int i = 0; i < 6; ++i) {
        auto block = std::make_unique<Sequential>();
        block->add("conv", std::make_unique<Conv2d>(c, channels[i], 3, 1, 1, true, rng));
        block->add("relu", std::make_unique<ReLU>());
        model->add("conv" + std::to_string(i + 1), std::move(block));
        c = channels[i];
        if (i % 2 == 1) {
            model->add("pool" + std::to_string(i / 2 + 1), std::make_unique<MaxPool2d>(2, 2));
            size /= 2;
        }
    }
    model->add("flatten", std::make_unique<Flatten>());
    int64_t width = c * size * size;
    for (int i = 1; i <= 3; ++i) {
        auto block = std::make_unique<Sequential>();
        block->add("linear", std::make_unique<Linear>(width, 250, true, rng));
        block->add("relu", std::make_unique<ReLU>());
        model->add("fc" + std::to_string(i), std::move(block));
        width = 250;
    }
    model->add("classifier", std::make_unique<Linear>(250, classes, false, rng));
    return model;
}

}  // namespace probenet::nn
