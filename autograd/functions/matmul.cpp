// matmul: C = A·B, A (M, K), B (K, N), C (M, N).
// backward: dA += dC·Bᵀ (M, K), dB += Aᵀ·dC (K, N); keeps A and B.
#include "autograd/functions.h"
#include "tensor/error.h"
#include "tensor/ops.h"

namespace probenet::autograd {

namespace {
struct MatmulNode final : Node {
    Tensor a, b;
    const char* name() const override { return "matmul"; }
    void backward(const Tensor& g) override {
        if (inputs[0]->requires_grad) {
            GradSlot s = grad_slot(*inputs[0]);
            ops::gemm(g, false, b, true, s.grad, 1.0f, s.beta);
        }
        if (inputs[1]->requires_grad) {
            GradSlot s = grad_slot(*inputs[1]);
            ops::gemm(a, true, g, false, s.grad, 1.0f, s.beta);
        }
    }
};
}  // namespace

Var matmul(const Var& a, const Var& b) {
    auto node = std::make_shared<MatmulNode>();
    node->a = a.value(), node->b = b.value();
    return make_result(ops::matmul(a.value(), b.value()), node, {a, b});
}

}  // namespace probenet::autograd
