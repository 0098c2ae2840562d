// max_pool2d: y[n,c,oh,ow] = max of x[n,c] over the kernel×kernel window at (oh·stride − padding,
// ow·stride − padding), clipped to the input (padding never wins); x (N, C, H, W), y (N, C, Ho, Wo),
// Ho = floor((H + 2·padding − kernel) / stride) + 1, padding ≤ kernel / 2 (floor mode, as PyTorch).
// Forward keeps argmax (N, C, Ho, Wo): the plane index h·W + w of each window's maximum, the first in
// row-major window order on ties. backward: dx[n, c, argmax] += dy (overlapping windows add up).
#include "autograd/functions.h"
#include "tensor/conv_ops.h"

namespace probenet::autograd {

namespace {
struct MaxPool2dNode final : Node {
    Tensor argmax;
    int kernel = 1, stride = 1, padding = 0;
    const char* name() const override { return "max_pool2d"; }
    void backward(const Tensor& g) override {
        GradSlot s = grad_slot(*inputs[0]);
        ops::max_pool2d_backward(g, argmax, kernel, stride, padding, s.beta, s.grad);
    }
};
}  // namespace

Var max_pool2d(const Var& x, int kernel, int stride, int padding) {
    ops::MaxPool2dResult r = ops::max_pool2d(x.value(), kernel, stride, padding);
    auto node = std::make_shared<MaxPool2dNode>();
    node->argmax = std::move(r.argmax);
    node->kernel = kernel, node->stride = stride, node->padding = padding;
    return make_result(std::move(r.y), node, {x});
}

}  // namespace probenet::autograd
