#include "nn/models/alexnet.h"

#include "nn/activations.h"
#include "nn/conv2d.h"
#include "nn/linear.h"
#include "nn/pooling.h"
#include "tensor/error.h"

namespace probenet::nn {

namespace {

constexpr int kPoolKernel = 3, kPoolStride = 2;

// PyTorch's floor-mode output side of a k×k window with stride s and padding p over `size`.
int64_t window_output(int64_t size, int kernel, int stride, int padding, const char* layer) {
    const int64_t span = size + 2 * padding - kernel;
    PROBENET_CHECK(span >= 0, "AlexNet: layer ", layer, " (", kernel, "×", kernel, " s", stride, " p", padding,
                   ") does not fit its ", size, "×", size, " input; use a larger image_size");
    return span / stride + 1;
}

}  // namespace

AlexNetConfig AlexNetConfig::cifar100() { return AlexNetConfig{}; }

AlexNetConfig AlexNetConfig::tiny_imagenet() {
    AlexNetConfig config;
    config.image_size = 64;
    config.classes = 200;
    config.stem_kernel = 11, config.stem_stride = 4, config.stem_padding = 2;
    config.conv2_kernel = 5, config.conv2_padding = 2;
    return config;
}

int64_t alexnet_final_size(const AlexNetConfig& c) {
    int64_t size = window_output(c.image_size, c.stem_kernel, c.stem_stride, c.stem_padding, "conv1");
    size = window_output(size, kPoolKernel, kPoolStride, 0, "pool1");
    size = window_output(size, c.conv2_kernel, 1, c.conv2_padding, "conv2");
    size = window_output(size, kPoolKernel, kPoolStride, 0, "pool2");
    // conv3…conv5 are 3×3 p1: size-preserving.
    return window_output(size, kPoolKernel, kPoolStride, 0, "pool3");
}

std::unique_ptr<Sequential> make_alexnet(const AlexNetConfig& c, Rng& rng) {
    PROBENET_CHECK(c.in_channels > 0 && c.classes > 0 && c.fc_width > 0, "AlexNet: in_channels ", c.in_channels,
                   ", classes ", c.classes, ", fc_width ", c.fc_width, " must be positive");
    const int64_t final_size = alexnet_final_size(c);
    auto model = std::make_unique<Sequential>();
    const int kernels[5] = {c.stem_kernel, c.conv2_kernel, 3, 3, 3};
    const int strides[5] = {c.stem_stride, 1, 1, 1, 1};
    const int paddings[5] = {c.stem_padding, c.conv2_padding, 1, 1, 1};
    const int pool_after[5] = {1, 2, 0, 0, 3};  // poolN after convI, 0 = none
    int64_t in = c.in_channels;
    for (int i = 0; i < 5; ++i) {
        auto block = std::make_unique<Sequential>();
        block->add("conv", std::make_unique<Conv2d>(in, c.channels[i], kernels[i], strides[i], paddings[i], true, rng));
        block->add("relu", std::make_unique<ReLU>());
        model->add("conv" + std::to_string(i + 1), std::move(block));
        in = c.channels[i];
        if (pool_after[i])
            model->add("pool" + std::to_string(pool_after[i]), std::make_unique<MaxPool2d>(kPoolKernel, kPoolStride));
    }
    model->add("flatten", std::make_unique<Flatten>());
    int64_t width = in * final_size * final_size;
    for (int i = 1; i <= 2; ++i) {
        auto block = std::make_unique<Sequential>();
        block->add("linear", std::make_unique<Linear>(width, c.fc_width, true, rng));
        block->add("relu", std::make_unique<ReLU>());
        model->add("fc" + std::to_string(i), std::move(block));
        width = c.fc_width;
    }
    model->add("classifier", std::make_unique<Linear>(width, c.classes, true, rng));
    return model;
}

std::unique_ptr<Sequential> make_alexnet_cifar100(Rng& rng) { return make_alexnet(AlexNetConfig::cifar100(), rng); }

std::unique_ptr<Sequential> make_alexnet_tiny_imagenet(Rng& rng) {
    return make_alexnet(AlexNetConfig::tiny_imagenet(), rng);
}

}  // namespace probenet::nn
