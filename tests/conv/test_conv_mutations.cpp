// The gradient checker must reject broken convolution and pooling backwards. Each mutant is a
// test-only copy of a real function with one deliberate bug that keeps every shape right.
#include <catch2/catch.hpp>

#include "autograd/functions.h"
#include "gradcheck.h"
#include "tensor/conv_ops.h"
#include "tensor/ops.h"

using namespace probenet;
using namespace probenet::autograd;
using probenet::testing::away_from_zero;
using probenet::testing::gradcheck;

namespace {

// conv2d (stride 1, padding 1) whose bugs are selectable: a spatially flipped filter gradient
// (dw[o,c,i,j] gets what belongs to dw[o,c,kh−1−i,kw−1−j]), or a bias gradient of image 0 only.
enum class ConvBug { FlippedFilter, BiasFromFirstImage };

struct BrokenConvNode final : Node {
    Tensor x, w;
    ConvBug bug;
    const char* name() const override { return "broken_conv2d"; }
    void backward(const Tensor& g) override {
        GradSlot sx = grad_slot(*inputs[0]);
        ops::conv2d_backward(x, w, g, 1, 1, {&sx.grad, sx.beta, nullptr, 0.0f, nullptr, 0.0f});
        Tensor dw = Tensor::zeros(w.shape());
        ops::conv2d_backward(x, w, g, 1, 1, {nullptr, 0.0f, &dw, 0.0f, nullptr, 0.0f});
        if (bug == ConvBug::FlippedFilter) {
            Tensor flipped = Tensor::empty(w.shape());
            const int64_t kh = w.dim(2), kw = w.dim(3);
            for (int64_t o = 0; o < w.dim(0); ++o)
                for (int64_t c = 0; c < w.dim(1); ++c)
                    for (int64_t i = 0; i < kh; ++i)
                        for (int64_t j = 0; j < kw; ++j) flipped.at({o, c, i, j}) = dw.at({o, c, kh - 1 - i, kw - 1 - j});
            dw = flipped;
        }
        GradSlot sw = grad_slot(*inputs[1]);
        ops::axpby(1.0f, dw, sw.beta, sw.grad);
        GradSlot sb = grad_slot(*inputs[2]);
        if (bug == ConvBug::BiasFromFirstImage) {
            ops::conv2d_backward(x.rows(0, 1), w, g.rows(0, 1), 1, 1, {nullptr, 0.0f, nullptr, 0.0f, &sb.grad, sb.beta});
        } else {
            ops::conv2d_backward(x, w, g, 1, 1, {nullptr, 0.0f, nullptr, 0.0f, &sb.grad, sb.beta});
        }
    }
};

Var broken_conv(const std::vector<Var>& v, ConvBug bug) {
    auto node = std::make_shared<BrokenConvNode>();
    node->x = v[0].value(), node->w = v[1].value(), node->bug = bug;
    return make_result(ops::conv2d(v[0].value(), v[1].value(), v[2].value(), 1, 1), node, v);
}

// 2×2/2 max pooling whose backward sends each gradient to the window's top-left element instead
// of its maximum.
struct TopLeftMaxPoolNode final : Node {
    Shape out_shape;
    const char* name() const override { return "broken_max_pool2d"; }
    void backward(const Tensor& g) override {
        const int64_t W = inputs[0]->value.dim(3), Ho = out_shape[2], Wo = out_shape[3];
        Tensor corner = Tensor::empty(out_shape);
        float* c = corner.data();
        for (int64_t p = 0; p < out_shape[0] * out_shape[1]; ++p)
            for (int64_t oh = 0; oh < Ho; ++oh)
                for (int64_t ow = 0; ow < Wo; ++ow) c[(p * Ho + oh) * Wo + ow] = float(2 * oh * W + 2 * ow);
        GradSlot s = grad_slot(*inputs[0]);
        ops::max_pool2d_backward(g, corner, 2, 2, 0, s.beta, s.grad);
    }
};

}  // namespace

TEST_CASE("gradcheck fails on a conv2d filter gradient with the kernel flipped", "[conv][mutation]") {
    Rng rng(51);
    auto r = gradcheck([](const std::vector<Var>& v) { return broken_conv(v, ConvBug::FlippedFilter); },
                       {away_from_zero({2, 2, 5, 4}, rng), away_from_zero({3, 2, 3, 3}, rng), away_from_zero({3}, rng)});
    REQUIRE_FALSE(r.ok);
    REQUIRE_THAT(r.report, Catch::Contains("input 1"));  // the weight, not x or the bias
}

TEST_CASE("gradcheck fails on a conv2d bias gradient that skips images", "[conv][mutation]") {
    Rng rng(52);
    auto r = gradcheck([](const std::vector<Var>& v) { return broken_conv(v, ConvBug::BiasFromFirstImage); },
                       {away_from_zero({3, 2, 4, 4}, rng), away_from_zero({2, 2, 3, 3}, rng), away_from_zero({2}, rng)});
    REQUIRE_FALSE(r.ok);
    REQUIRE_THAT(r.report, Catch::Contains("input 2"));
}

TEST_CASE("gradcheck fails on a max-pool backward that ignores the argmax", "[conv][mutation]") {
    Rng rng(53);
    // Values 0.05 apart in shuffled order, so the maximum is rarely the top-left element.
    std::vector<float> v(2 * 2 * 4 * 4);
    for (size_t i = 0; i < v.size(); ++i) v[i] = 0.05f * float((i * 37) % v.size());
    auto r = gradcheck(
        [](const std::vector<Var>& in) {
            ops::MaxPool2dResult m = ops::max_pool2d(in[0].value(), 2, 2);
            auto node = std::make_shared<TopLeftMaxPoolNode>();
            node->out_shape = m.y.shape();
            return make_result(m.y, node, {in[0]});
        },
        {Tensor::from_vector({2, 2, 4, 4}, v)});
    REQUIRE_FALSE(r.ok);
}
