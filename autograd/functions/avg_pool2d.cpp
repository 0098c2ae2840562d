// avg_pool2d: y[n,c,oh,ow] = (1 / kernel²) · Σ of x[n,c] over the kernel×kernel window at
// (oh·stride − padding, ow·stride − padding), padding counting as zeros (PyTorch's default
// count_include_pad=True); x (N, C, H, W), y (N, C, Ho, Wo), floor mode, padding ≤ kernel / 2.
// backward: every real element of a window gets dy / kernel² added. Keeps only the window sizes.
#include "autograd/functions.h"
#include "tensor/conv_ops.h"

namespace probenet::autograd {

namespace {
struct AvgPool2dNode final : Node {
    int kernel = 1, stride = 1, padding = 0;
    const char* name() const override { return "avg_pool2d"; }
    void backward(const Tensor& g) override {
        GradSlot s = grad_slot(*inputs[0]);
        ops::avg_pool2d_backward(g, kernel, stride, padding, s.beta, s.grad);
    }
};
}  // namespace

Var avg_pool2d(const Var& x, int kernel, int stride, int padding) {
    auto node = std::make_shared<AvgPool2dNode>();
    node->kernel = kernel, node->stride = stride, node->padding = padding;
    return make_result(ops::avg_pool2d(x.value(), kernel, stride, padding), node, {x});
}

}  // namespace probenet::autograd
