// conv2d: y = w ⋆ x + b (cross-correlation, NCHW), x (N, C, H, W), w (O, C, kh, kw), b (O) or none,
// y (N, O, Ho, Wo) with Ho = floor((H + 2·padding − kh) / stride) + 1, Wo likewise.
//     y[n,o,oh,ow] = b[o] + Σ_{c,i,j} w[o,c,i,j] · x[n, c, oh·stride − padding + i, ow·stride − padding + j]
// backward (each term only for inputs that require a gradient, each accumulating):
//     dx += Σ over every (o, oh, ow, i, j) that read x[n,c,h,w] of w[o,c,i,j] · dy[n,o,oh,ow]
//     dw[o,c,i,j] += Σ_{n,oh,ow} dy[n,o,oh,ow] · x[n, c, oh·stride − padding + i, …]
//     db[o] += Σ_{n,oh,ow} dy[n,o,oh,ow]
// Keeps x and w (references, no copies) and the stride and padding; backward makes one
// ops::conv2d_backward call for all the wanted gradients, so the backend reads dy once.
// conv2d_relu: y = max(conv2d(x, w, b), 0), whose backward is conv2d's for dy ∘ [y > 0]; the node also
// keeps y (the output, as relu's node does) and calls ops::conv2d_relu_backward.
// conv2d_relu_maxpool: p = maxpool(conv2d_relu(x, w, b)); keeps p and the pool's argmax, and its backward
// is conv2d's for the pool's dy masked by [p > 0] and sent to argmax (ops::conv2d_relu_maxpool_backward).
#include "autograd/functions.h"
#include "tensor/conv_ops.h"

namespace probenet::autograd {

namespace {

// The wanted gradients of a convolution node's inputs (x, w and b when it has one).
ops::Conv2dGrads wanted_grads(Node& node, bool has_bias) {
    ops::Conv2dGrads grads;  // one call for all wanted gradients: dy is read once
    if (node.inputs[0]->requires_grad) {
        GradSlot s = grad_slot(*node.inputs[0]);
        grads.dx = &s.grad, grads.beta_dx = s.beta;
    }
    if (node.inputs[1]->requires_grad) {
        GradSlot s = grad_slot(*node.inputs[1]);
        grads.dw = &s.grad, grads.beta_dw = s.beta;
    }
    if (has_bias && node.inputs[2]->requires_grad) {
        GradSlot s = grad_slot(*node.inputs[2]);
        grads.db = &s.grad, grads.beta_db = s.beta;
    }
    return grads;
}

struct Conv2dNode final : Node {
    Tensor x, w;
    Tensor relu_y;  // defined for conv2d_relu: its output, whose sign is the ReLU's mask
    int stride = 1, padding = 0;
    bool has_bias = false;
    const char* name() const override { return relu_y.defined() ? "conv2d_relu" : "conv2d"; }
    void backward(const Tensor& g) override {
        const ops::Conv2dGrads grads = wanted_grads(*this, has_bias);
        if (relu_y.defined()) {
            ops::conv2d_relu_backward(x, w, relu_y, g, stride, padding, grads);
        } else {
            ops::conv2d_backward(x, w, g, stride, padding, grads);
        }
    }
};

struct Conv2dReluMaxPoolNode final : Node {
    Tensor x, w;
    ops::MaxPool2dResult pooled;
    int stride = 1, padding = 0, pool_kernel = 2, pool_stride = 2, pool_padding = 0;
    bool has_bias = false;
    const char* name() const override { return "conv2d_relu_maxpool"; }
    void backward(const Tensor& g) override {
        ops::conv2d_relu_maxpool_backward(x, w, pooled, g, stride, padding, pool_kernel, pool_stride, pool_padding,
                                          wanted_grads(*this, has_bias));
    }
};

Var make_conv2d(const Var& x, const Var& weight, const Var& bias, int stride, int padding, bool relu) {
    auto node = std::make_shared<Conv2dNode>();
    node->x = x.value(), node->w = weight.value();
    node->stride = stride, node->padding = padding, node->has_bias = bias.defined();
    const Tensor b = bias.defined() ? bias.value() : Tensor();
    Tensor y = relu ? ops::conv2d_relu(x.value(), weight.value(), b, stride, padding)
                    : ops::conv2d(x.value(), weight.value(), b, stride, padding);
    if (relu) node->relu_y = y;
    if (!bias.defined()) return make_result(std::move(y), node, {x, weight});
    return make_result(std::move(y), node, {x, weight, bias});
}
}  // namespace

Var conv2d(const Var& x, const Var& weight, const Var& bias, int stride, int padding) {
    return make_conv2d(x, weight, bias, stride, padding, false);
}

Var conv2d_relu(const Var& x, const Var& weight, const Var& bias, int stride, int padding) {
    return make_conv2d(x, weight, bias, stride, padding, true);
}

Var conv2d_relu_maxpool(const Var& x, const Var& weight, const Var& bias, int stride, int padding, int pool_kernel,
                        int pool_stride, int pool_padding) {
    auto node = std::make_shared<Conv2dReluMaxPoolNode>();
    node->x = x.value(), node->w = weight.value();
    node->stride = stride, node->padding = padding, node->has_bias = bias.defined();
    node->pool_kernel = pool_kernel, node->pool_stride = pool_stride, node->pool_padding = pool_padding;
    node->pooled = ops::conv2d_relu_maxpool(x.value(), weight.value(), bias.defined() ? bias.value() : Tensor(), stride,
                                            padding, pool_kernel, pool_stride, pool_padding);
    Tensor y = node->pooled.y;
    if (!bias.defined()) return make_result(std::move(y), node, {x, weight});
    return make_result(std::move(y), node, {x, weight, bias});
}

}  // namespace probenet::autograd
