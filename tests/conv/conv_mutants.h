// Test-only mutants of conv2d and max_pool2d: real forwards whose backwards carry one deliberate bug
// that keeps every shape right, so a gradient check must catch them by value. Used by
// tests/conv/test_conv_mutations.cpp (single ops) and tests/nn/test_alexnet.cpp (inside a network).
#pragma once

#include <memory>
#include <vector>

#include "autograd/functions.h"
#include "tensor/conv_ops.h"
#include "tensor/ops.h"

namespace probenet::testing {

// conv2d bugs: a spatially flipped filter gradient (dw[o,c,i,j] gets what belongs to
// dw[o,c,kh−1−i,kw−1−j]), or a bias gradient of image 0 only.
enum class ConvBug { FlippedFilter, BiasFromFirstImage };

struct BrokenConvNode final : autograd::Node {
    Tensor x, w;
    int stride = 1, padding = 0;
    ConvBug bug = ConvBug::FlippedFilter;
    const char* name() const override { return "broken_conv2d"; }
    void backward(const Tensor& g) override {
        autograd::GradSlot sx = autograd::grad_slot(*inputs[0]);
        ops::conv2d_backward(x, w, g, stride, padding, {&sx.grad, sx.beta, nullptr, 0.0f, nullptr, 0.0f});
        Tensor dw = Tensor::zeros(w.shape());
        ops::conv2d_backward(x, w, g, stride, padding, {nullptr, 0.0f, &dw, 0.0f, nullptr, 0.0f});
        if (bug == ConvBug::FlippedFilter) {
            Tensor flipped = Tensor::empty(w.shape());
            const int64_t kh = w.dim(2), kw = w.dim(3);
            for (int64_t o = 0; o < w.dim(0); ++o)
                for (int64_t c = 0; c < w.dim(1); ++c)
                    for (int64_t i = 0; i < kh; ++i)
                        for (int64_t j = 0; j < kw; ++j)
                            flipped.at({o, c, i, j}) = dw.at({o, c, kh - 1 - i, kw - 1 - j});
            dw = flipped;
        }
        autograd::GradSlot sw = autograd::grad_slot(*inputs[1]);
        ops::axpby(1.0f, dw, sw.beta, sw.grad);
        autograd::GradSlot sb = autograd::grad_slot(*inputs[2]);
        const bool first_only = bug == ConvBug::BiasFromFirstImage;
        ops::conv2d_backward(first_only ? x.rows(0, 1) : x, w, first_only ? g.rows(0, 1) : g, stride, padding,
                             {nullptr, 0.0f, nullptr, 0.0f, &sb.grad, sb.beta});
    }
};

// y = conv2d(x, w, b) with a broken backward.
inline autograd::Var broken_conv(const autograd::Var& x, const autograd::Var& w, const autograd::Var& b, int stride,
                                 int padding, ConvBug bug) {
    auto node = std::make_shared<BrokenConvNode>();
    node->x = x.value(), node->w = w.value(), node->stride = stride, node->padding = padding, node->bug = bug;
    return autograd::make_result(ops::conv2d(x.value(), w.value(), b.value(), stride, padding), node, {x, w, b});
}

// k×k stride-s max pooling whose backward sends each gradient to its window's top-left element
// instead of its maximum.
struct TopLeftMaxPoolNode final : autograd::Node {
    Shape out_shape;
    int kernel = 2, stride = 2;
    const char* name() const override { return "broken_max_pool2d"; }
    void backward(const Tensor& g) override {
        const int64_t W = inputs[0]->value.dim(3), Ho = out_shape[2], Wo = out_shape[3];
        Tensor corner = Tensor::empty(out_shape);
        float* c = corner.data();
        for (int64_t p = 0; p < out_shape[0] * out_shape[1]; ++p)
            for (int64_t oh = 0; oh < Ho; ++oh)
                for (int64_t ow = 0; ow < Wo; ++ow) c[(p * Ho + oh) * Wo + ow] = float(stride * (oh * W + ow));
        autograd::GradSlot s = autograd::grad_slot(*inputs[0]);
        ops::max_pool2d_backward(g, corner, kernel, stride, 0, s.beta, s.grad);
    }
};

inline autograd::Var top_left_max_pool(const autograd::Var& x, int kernel, int stride) {
    ops::MaxPool2dResult m = ops::max_pool2d(x.value(), kernel, stride);
    auto node = std::make_shared<TopLeftMaxPoolNode>();
    node->out_shape = m.y.shape(), node->kernel = kernel, node->stride = stride;
    return autograd::make_result(m.y, node, {x});
}

}  // namespace probenet::testing
