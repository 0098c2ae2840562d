// reshape: a view of x (any shape) with another shape of the same size; flatten: (N, ...) → (N, rest).
// backward: dx += dy viewed with x's shape; keeps x's shape.
#include "autograd/functions.h"
#include "tensor/error.h"
#include "tensor/ops.h"

namespace probenet::autograd {

namespace {
struct ReshapeNode final : Node {
    Shape in_shape;
    const char* name() const override { return "reshape"; }
    void backward(const Tensor& g) override {
        GradSlot s = grad_slot(*inputs[0]);
        ops::axpby(1.0f, g.reshape(in_shape), s.beta, s.grad);
    }
};
}  // namespace

Var reshape(const Var& x, const Shape& shape) {
    auto node = std::make_shared<ReshapeNode>();
    node->in_shape = x.shape();
    return make_result(x.value().reshape(shape), node, {x});
}

Var flatten(const Var& x) {
    PROBENET_CHECK(x.value().rank() >= 1, "flatten: needs a batch axis, got shape ", x.value().shape_str());
    return reshape(x, {x.value().dim(0), -1});
}

}  // namespace probenet::autograd
