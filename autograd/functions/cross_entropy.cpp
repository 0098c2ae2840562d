// cross_entropy: L = (1/N) Σ_r −log softmax(z_r)[y_r], logits z (N, K), labels y (N) in [0, K).
// Forward keeps logp = log_softmax(z) (N, K), computed stably as z − max − log Σ exp(z − max).
// backward: dz += (dL/N) · (softmax(z) − onehot(y)).
#include "autograd/functions.h"
#include "tensor/error.h"
#include "tensor/ops.h"

namespace probenet::autograd {

namespace {
struct CrossEntropyNode final : Node {
    Tensor logp;
    std::vector<int32_t> labels;
    const char* name() const override { return "cross_entropy"; }
    void backward(const Tensor& g) override {
        GradSlot s = grad_slot(*inputs[0]);
        const float scale = g.item() / static_cast<float>(logp.dim(0));
        ops::softmax_xent_backward(logp, labels, scale, s.beta, s.grad);
    }
};
}  // namespace

Var cross_entropy(const Var& logits, const std::vector<int32_t>& labels) {
    const Tensor& z = logits.value();
    PROBENET_CHECK(z.rank() == 2 && z.dim(0) > 0, "cross_entropy: logits must be (N, K) with N > 0, got ",
                   z.shape_str());
    auto node = std::make_shared<CrossEntropyNode>();
    node->logp = ops::log_softmax_rows(z);
    node->labels = labels;
    const double loss = ops::nll_sum(node->logp, labels) / static_cast<double>(z.dim(0));
    return make_result(Tensor::full({}, static_cast<float>(loss), z.device()), node, {logits});
}

}  // namespace probenet::autograd
