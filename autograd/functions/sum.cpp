// sum: s = Σ x over all elements (→ shape ()) or over one axis (that axis is dropped);
// mean: Σ x / numel. backward: dx += ds broadcast back over what was summed (÷ numel for mean).
#include "autograd/functions.h"
#include "tensor/error.h"
#include "tensor/ops.h"

namespace probenet::autograd {

namespace {
// Sums x viewed as (outer, n, inner) over the middle axis; the scalar case is outer = inner = 1.
struct SumNode final : Node {
    int axis = 0;  // in the reshaped view used for backward
    float alpha = 1.0f;
    Shape view;    // the input's shape as seen by broadcast_axis_into
    const char* name() const override { return "sum"; }
    void backward(const Tensor& g) override {
        GradSlot s = grad_slot(*inputs[0]);
        Tensor out = s.grad.reshape(view);
        Shape g_shape = view;
        g_shape.erase(g_shape.begin() + axis);
        ops::broadcast_axis_into(g.reshape(g_shape), axis, alpha, s.beta, out);
    }
};

Var sum_all(const Var& x, float alpha) {
    const Tensor& v = x.value();
    auto node = std::make_shared<SumNode>();
    node->axis = 0, node->alpha = alpha, node->view = {v.numel(), 1};
    Tensor total = Tensor::empty({1}, v.device());
    ops::sum_axis_into(v.reshape({v.numel(), 1}), 0, 0.0f, total);
    if (alpha != 1.0f) total = ops::scale(total, alpha);
    return make_result(total.reshape({}), node, {x});
}
}  // namespace

Var sum(const Var& x) { return sum_all(x, 1.0f); }

Var mean(const Var& x) {
    PROBENET_CHECK(x.value().numel() > 0, "mean: empty tensor of shape ", x.value().shape_str());
    return sum_all(x, 1.0f / static_cast<float>(x.value().numel()));
}

Var sum(const Var& x, int axis) {
    const Tensor& v = x.value();
    const int a = axis < 0 ? axis + v.rank() : axis;
    PROBENET_CHECK(a >= 0 && a < v.rank(), "sum: axis ", axis, " out of range for shape ", v.shape_str());
    auto node = std::make_shared<SumNode>();
    node->axis = a, node->view = v.shape();
    return make_result(ops::sum_axis(v, a), node, {x});
}

}  // namespace probenet::autograd
