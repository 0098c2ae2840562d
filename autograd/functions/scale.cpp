// scale: y = α·x, any shape. backward: dx += α·dy; keeps α.
#include "autograd/functions.h"
#include "tensor/ops.h"

namespace probenet::autograd {

namespace {
struct ScaleNode final : Node {
    float alpha = 1.0f;
    const char* name() const override { return "scale"; }
    void backward(const Tensor& g) override {
        GradSlot s = grad_slot(*inputs[0]);
        ops::axpby(alpha, g, s.beta, s.grad);
    }
};
}  // namespace

Var scale(const Var& x, float alpha) {
    auto node = std::make_shared<ScaleNode>();
    node->alpha = alpha;
    return make_result(ops::scale(x.value(), alpha), node, {x});
}

}  // namespace probenet::autograd
