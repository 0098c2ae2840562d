// conv2d: y = w ⋆ x + b (cross-correlation, NCHW), x (N, C, H, W), w (O, C, kh, kw), b (O) or none,
// y (N, O, Ho, Wo) with Ho = floor((H + 2·padding − kh) / stride) + 1, Wo likewise.
//     y[n,o,oh,ow] = b[o] + Σ_{c,i,j} w[o,c,i,j] · x[n, c, oh·stride − padding + i, ow·stride − padding + j]
// backward (each term only for inputs that require a gradient, each accumulating):
//     dx += Σ over every (o, oh, ow, i, j) that read x[n,c,h,w] of w[o,c,i,j] · dy[n,o,oh,ow]
//     dw[o,c,i,j] += Σ_{n,oh,ow} dy[n,o,oh,ow] · x[n, c, oh·stride − padding + i, …]
//     db[o] += Σ_{n,oh,ow} dy[n,o,oh,ow]
// Keeps x and w (references, no copies) and the stride and padding; backward makes one
// ops::conv2d_backward call for all the wanted gradients, so the backend reads dy once.
#include "autograd/functions.h"
#include "tensor/conv_ops.h"

namespace probenet::autograd {

namespace {
struct Conv2dNode final : Node {
    Tensor x, w;
    int stride = 1, padding = 0;
    bool has_bias = false;
    const char* name() const override { return "conv2d"; }
    void backward(const Tensor& g) override {
        ops::Conv2dGrads grads;  // one call for all wanted gradients: dy is read once
        if (inputs[0]->requires_grad) {
            GradSlot s = grad_slot(*inputs[0]);
            grads.dx = &s.grad, grads.beta_dx = s.beta;
        }
        if (inputs[1]->requires_grad) {
            GradSlot s = grad_slot(*inputs[1]);
            grads.dw = &s.grad, grads.beta_dw = s.beta;
        }
        if (has_bias && inputs[2]->requires_grad) {
            GradSlot s = grad_slot(*inputs[2]);
            grads.db = &s.grad, grads.beta_db = s.beta;
        }
        ops::conv2d_backward(x, w, g, stride, padding, grads);
    }
};
}  // namespace

Var conv2d(const Var& x, const Var& weight, const Var& bias, int stride, int padding) {
    auto node = std::make_shared<Conv2dNode>();
    node->x = x.value(), node->w = weight.value();
    node->stride = stride, node->padding = padding, node->has_bias = bias.defined();
    Tensor y = ops::conv2d(x.value(), weight.value(), bias.defined() ? bias.value() : Tensor(), stride, padding);
    if (!bias.defined()) return make_result(std::move(y), node, {x, weight});
    return make_result(std::move(y), node, {x, weight, bias});
}

}  // namespace probenet::autograd
