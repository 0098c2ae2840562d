// mul: y = a ∘ b (elementwise), all of one shape. backward: da += dy ∘ b, db += dy ∘ a; keeps a, b.
#include "autograd/functions.h"
#include "tensor/ops.h"

namespace probenet::autograd {

namespace {
struct MulNode final : Node {
    Tensor a, b;
    const char* name() const override { return "mul"; }
    void backward(const Tensor& g) override {
        if (inputs[0]->requires_grad) {
            GradSlot s = grad_slot(*inputs[0]);
            ops::mul_acc(1.0f, g, b, s.beta, s.grad);
        }
        if (inputs[1]->requires_grad) {
            GradSlot s = grad_slot(*inputs[1]);
            ops::mul_acc(1.0f, g, a, s.beta, s.grad);
        }
    }
};
}  // namespace

Var mul(const Var& a, const Var& b) {
    auto node = std::make_shared<MulNode>();
    node->a = a.value(), node->b = b.value();
    return make_result(ops::mul(a.value(), b.value()), node, {a, b});
}

}  // namespace probenet::autograd
