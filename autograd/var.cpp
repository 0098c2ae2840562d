#include "autograd/var.h"

#include "autograd/grad_mode.h"
#include "tensor/error.h"
#include "tensor/ops.h"

namespace probenet::autograd {

namespace {
thread_local bool g_grad_enabled = true;
}

bool grad_enabled() { return g_grad_enabled; }
NoGradGuard::NoGradGuard() : previous_(g_grad_enabled) { g_grad_enabled = false; }
NoGradGuard::~NoGradGuard() { g_grad_enabled = previous_; }

VarImpl::~VarImpl() {
    std::vector<std::shared_ptr<Node>> pending;
    if (producer) pending.push_back(std::move(producer));
    while (!pending.empty()) {
        std::shared_ptr<Node> node = std::move(pending.back());
        pending.pop_back();
        if (node.use_count() != 1) continue;  // someone else still holds it
        for (auto& in : node->inputs)
            if (in.use_count() == 1 && in->producer) pending.push_back(std::move(in->producer));
    }  // each node dies here with inputs whose producers were already taken: no deep recursion
}

Var::Var(Tensor value, bool requires_grad) : impl_(std::make_shared<VarImpl>()) {
    PROBENET_CHECK(value.defined(), "Var: cannot wrap an undefined tensor");
    impl_->value = std::move(value);
    impl_->requires_grad = requires_grad;
}

const Tensor& Var::value() const {
    PROBENET_CHECK(impl_, "Var: use of an undefined Var");
    return impl_->value;
}

Tensor& Var::value() {
    PROBENET_CHECK(impl_, "Var: use of an undefined Var");
    return impl_->value;
}

bool Var::requires_grad() const { return impl_ && impl_->requires_grad; }

Tensor Var::grad() const { return impl_ && impl_->grad_live ? impl_->grad : Tensor(); }

Tensor Var::grad_or_zeros() const {
    if (impl_->grad_live) return impl_->grad;
    return Tensor::zeros(value().shape(), value().device());
}

void Var::zero_grad() {
    if (impl_) impl_->grad_live = false;
}

namespace {
void check_not_updated(const VarImpl& v) {
    PROBENET_CHECK(!v.updated_in_backward, "a parameter of shape ", v.value.shape_str(),
                   " gets a second gradient after its optimizer update was applied inside backward (it is used "
                   "twice in one graph, or backward ran twice before the optimizer's step); build the optimizer "
                   "with update_in_backward = false for weight sharing or gradient accumulation");
}
}  // namespace

UpdateInBackward* take_update_in_backward(VarImpl& v) {
    if (!v.update_in_backward) return nullptr;
    check_not_updated(v);
    if (v.grad_live) return nullptr;
    v.updated_in_backward = true;
    return v.update_in_backward.get();
}

GradSlot grad_slot(VarImpl& v) {
    check_not_updated(v);
    if (!v.grad.defined() || v.grad.shape() != v.value.shape() || v.grad.device() != v.value.device())
        v.grad = Tensor::empty(v.value.shape(), v.value.device());
    const float beta = v.grad_live ? 1.0f : 0.0f;
    v.grad_live = true;
    return {v.grad, beta};
}

Var make_result(Tensor value, std::shared_ptr<Node> node, const std::vector<Var>& inputs) {
    Var out(std::move(value));
    if (!grad_enabled()) return out;
    bool any = false;
    for (const Var& in : inputs) any = any || in.requires_grad();
    if (!any) return out;
    for (const Var& in : inputs) node->inputs.push_back(in.impl());
    out.impl()->requires_grad = true;
    out.impl()->producer = std::move(node);
    return out;
}

}  // namespace probenet::autograd
