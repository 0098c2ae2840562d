// linear: y = x·Wᵀ + b, x (N, in), W (out, in) as PyTorch stores it, b (out) or none, y (N, out).
// backward: dx += dy·W (N, in), dW += dyᵀ·x (out, in), db += Σ_rows dy (out); keeps x and W.
// One fused node instead of matmul + add saves a pass over y and its gradient.
// When the optimizer updates W and b inside backward (autograd/var.h, UpdateInBackward), dx and dW come
// from one pass over W's rows (ops::linear_backward_with_update: each row's share of dx is summed from
// its old values, then its gradient goes to the update while in cache); without dx (the first layer),
// dW goes to the update block of rows by block of rows (ops::gemm_tn_rows); db from a small temporary.
#include "autograd/functions.h"
#include "tensor/error.h"
#include "tensor/ops.h"

namespace probenet::autograd {

namespace {
struct LinearNode final : Node {
    Tensor x, w;
    bool has_bias = false;
    const char* name() const override { return "linear"; }
    void backward(const Tensor& g) override {
        UpdateInBackward* update = inputs[1]->requires_grad ? take_update_in_backward(*inputs[1]) : nullptr;
        if (update && inputs[0]->requires_grad) {  // dx and the update of W in one pass over W
            GradSlot s = grad_slot(*inputs[0]);
            ops::linear_backward_with_update(
                g, x, w, s.beta, s.grad,
                [update](int64_t offset, int64_t n, const float* d) { update->apply(offset, n, d); },
                update->sgd_step());
        } else {
            if (inputs[0]->requires_grad) {
                GradSlot s = grad_slot(*inputs[0]);
                ops::gemm(g, false, w, false, s.grad, 1.0f, s.beta);
            }
            if (update) {
                const int64_t in = x.dim(1);
                ops::gemm_tn_rows(g, x, [update, in](int64_t row0, int64_t rows, const float* block) {
                    update->apply(row0 * in, rows * in, block);
                });
            } else if (inputs[1]->requires_grad) {
                GradSlot s = grad_slot(*inputs[1]);
                ops::gemm(g, true, x, false, s.grad, 1.0f, s.beta);
            }
        }
        if (has_bias && inputs[2]->requires_grad) {
            if (UpdateInBackward* update = take_update_in_backward(*inputs[2])) {
                Tensor db = Tensor::empty({g.dim(1)}, g.device());
                ops::sum_axis_into(g, 0, 0.0f, db);
                update->apply(0, db.numel(), db.data());
            } else {
                GradSlot s = grad_slot(*inputs[2]);
                ops::sum_axis_into(g, 0, s.beta, s.grad);
            }
        }
    }
};
}  // namespace

Var linear(const Var& x, const Var& weight, const Var& bias) {
    const Tensor& xv = x.value();
    const Tensor& w = weight.value();
    PROBENET_CHECK(xv.rank() == 2 && w.rank() == 2 && xv.dim(1) == w.dim(1), "linear: input ", xv.shape_str(),
                   " does not fit weight ", w.shape_str(), " (expected input (N, ", w.rank() == 2 ? w.dim(1) : -1,
                   "))");
    Tensor y = ops::matmul(xv, w, false, true);
    auto node = std::make_shared<LinearNode>();
    node->x = xv, node->w = w, node->has_bias = bias.defined();
    if (!bias.defined()) return make_result(std::move(y), node, {x, weight});
    ops::add_bias_rows(y, bias.value());
    return make_result(std::move(y), node, {x, weight, bias});
}

}  // namespace probenet::autograd
