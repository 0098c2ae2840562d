// add: y = a + b, all of one shape. backward: da += dy, db += dy; keeps nothing.
#include "autograd/functions.h"
#include "tensor/ops.h"

namespace probenet::autograd {

namespace {
struct AddNode final : Node {
    const char* name() const override { return "add"; }
    void backward(const Tensor& g) override {
        for (auto& in : inputs)
            if (in->requires_grad) {
                GradSlot s = grad_slot(*in);
                ops::axpby(1.0f, g, s.beta, s.grad);
            }
    }
};
}  // namespace

Var add(const Var& a, const Var& b) {
    return make_result(ops::add(a.value(), b.value()), std::make_shared<AddNode>(), {a, b});
}

}  // namespace probenet::autograd
