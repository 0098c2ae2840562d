// relu: y = max(x, 0), any shape. backward: dx += dy ∘ [y > 0]; keeps y (the output doubles as
// the mask, so no extra buffer). At x = 0 the gradient is taken as 0, as PyTorch does.
// y is never modified afterwards, so a forward hook may keep it.
#include "autograd/functions.h"
#include "tensor/ops.h"

namespace probenet::autograd {

namespace {
struct ReluNode final : Node {
    Tensor y;
    const char* name() const override { return "relu"; }
    void backward(const Tensor& g) override {
        GradSlot s = grad_slot(*inputs[0]);
        ops::relu_backward(y, g, s.beta, s.grad);
    }
};
}  // namespace

Var relu(const Var& x) {
    auto node = std::make_shared<ReluNode>();
    Tensor y = ops::relu(x.value());
    node->y = y;
    return make_result(std::move(y), node, {x});
}

}  // namespace probenet::autograd
