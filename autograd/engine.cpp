// The backward engine: reverse-mode differentiation over the recorded graph, without recursion.
//
// 1. An iterative depth-first search from the root lists every Var that needs a gradient in
//    topological order (inputs before the Vars computed from them), so deep graphs cannot
//    overflow the call stack.
// 2. The root's gradient is seeded; then, walking that list backwards, each Var's producer runs
//    its backward with the Var's now-complete gradient, accumulating into its inputs.
// 3. As each intermediate Var is finished its gradient and its node are released, so the saved
//    activations of a step are freed during backward (the graph is not retained).
#include <unordered_set>
#include <utility>
#include <vector>

#include "autograd/var.h"
#include "tensor/error.h"
#include "tensor/ops.h"

namespace probenet::autograd {

namespace {

// Owning pointers: releasing a node during backward must not free a Var still to be visited.
std::vector<std::shared_ptr<VarImpl>> topological_order(const std::shared_ptr<VarImpl>& root) {
    std::vector<std::shared_ptr<VarImpl>> order;
    std::unordered_set<VarImpl*> seen{root.get()};
    std::vector<std::pair<std::shared_ptr<VarImpl>, size_t>> stack{{root, 0}};  // (var, next input)
    while (!stack.empty()) {
        auto& [var, next] = stack.back();
        Node* node = var->producer.get();
        if (node && next < node->inputs.size()) {
            std::shared_ptr<VarImpl> in = node->inputs[next++];
            if (in->requires_grad && seen.insert(in.get()).second) stack.emplace_back(std::move(in), 0);
        } else {
            order.push_back(var);
            stack.pop_back();
        }
    }
    return order;
}

}  // namespace

void Var::backward() {
    PROBENET_CHECK(value().numel() == 1, "backward(): the root has shape ", value().shape_str(),
                   "; pass an upstream gradient of that shape, or reduce it to a scalar first");
    backward(Tensor::ones(value().shape(), value().device()));
}

void Var::backward(const Tensor& seed) {
    PROBENET_CHECK(requires_grad(), "backward(): this Var does not require a gradient (no input of it does, or it "
                                    "was computed under NoGradGuard)");
    PROBENET_CHECK(seed.shape() == value().shape(), "backward(): seed of shape ", seed.shape_str(),
                   " for a root of shape ", value().shape_str());
    std::vector<std::shared_ptr<VarImpl>> order = topological_order(impl());
    {
        GradSlot slot = grad_slot(*impl());
        ops::axpby(1.0f, seed, slot.beta, slot.grad);
    }
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
        VarImpl* var = it->get();
        if (!var->producer) continue;  // a leaf: its gradient stays for the optimizer
        if (var->grad_live) var->producer->backward(var->grad);
        var->producer.reset();
        var->grad = Tensor();
        var->grad_live = false;
    }
}

}  // namespace probenet::autograd
