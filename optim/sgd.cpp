#include "optim/sgd.h"

#include "tensor/backend.h"
#include "tensor/error.h"

namespace probenet::optim {

// The update of parameter `index`, installed on it for backward to apply.
struct SGD::InBackward final : autograd::UpdateInBackward {
    InBackward(SGD& sgd, size_t index) : sgd(sgd), index(index) {}
    void apply(int64_t offset, int64_t n, const float* grad) override { sgd.update(index, offset, n, grad); }
    const SgdStep* sgd_step() override {
        Tensor& p = sgd.params_[index].value();
        const SgdOptions& o = sgd.opt_;
        step = {.param = p.data(),
                .momentum_buf = o.momentum != 0.0f ? sgd.momentum_[index].data() : nullptr,
                .lr = o.lr, .momentum = o.momentum, .dampening = o.dampening, .weight_decay = o.weight_decay,
                .nesterov = o.nesterov, .first = !sgd.started_[index]};
        return &step;
    }
    SGD& sgd;
    size_t index;
    SgdStep step;
};

SGD::SGD(std::vector<Var> params, SgdOptions options)
    : Optimizer(std::move(params)), opt_(options), momentum_(params_.size()), started_(params_.size(), 0) {
    PROBENET_CHECK(opt_.lr >= 0 && opt_.momentum >= 0 && opt_.weight_decay >= 0, "SGD: lr ", opt_.lr, ", momentum ",
                   opt_.momentum, ", weight_decay ", opt_.weight_decay, " must all be >= 0");
    PROBENET_CHECK(!opt_.nesterov || (opt_.momentum > 0 && opt_.dampening == 0),
                   "SGD: Nesterov momentum needs momentum > 0 and dampening = 0");
    if (!opt_.update_in_backward) return;
    for (size_t i = 0; i < params_.size(); ++i) {
        auto& impl = *params_[i].impl();
        PROBENET_CHECK(!impl.update_in_backward, "SGD: parameter ", i, " (shape ", impl.value.shape_str(),
                       ") already has an update_in_backward optimizer; one optimizer per parameter");
        // Allocated now: backward's threads apply parts of the update concurrently.
        if (opt_.momentum != 0.0f) momentum_[i] = buffer_like(i);
        impl.update_in_backward = std::make_shared<InBackward>(*this, i);
    }
}

SGD::~SGD() {
    for (Var& p : params_) {
        auto& impl = *p.impl();
        if (auto* mine = dynamic_cast<InBackward*>(impl.update_in_backward.get()); mine && &mine->sgd == this) {
            impl.update_in_backward.reset();
            impl.updated_in_backward = false;
        }
    }
}

void SGD::update(size_t i, int64_t offset, int64_t n, const float* g) {
    Tensor& p = params_[i].value();
    float* buf = opt_.momentum != 0.0f ? momentum_[i].data() + offset : nullptr;
    backend_for(p.device()).sgd_update(n, p.data() + offset, g, buf, opt_.lr, opt_.momentum, opt_.dampening,
                                       opt_.weight_decay, opt_.nesterov, !started_[i]);
}

void SGD::step() {
    for (size_t i = 0; i < params_.size(); ++i) {
        auto& impl = *params_[i].impl();
        if (impl.updated_in_backward) {  // backward applied this step's update already
            impl.updated_in_backward = false;
            started_[i] = 1;
            continue;
        }
        const Tensor g = params_[i].grad();
        if (!g.defined()) continue;
        Tensor& p = params_[i].value();
        if (opt_.momentum != 0.0f && !momentum_[i].defined()) momentum_[i] = buffer_like(i);
        update(i, 0, p.numel(), g.data());
        started_[i] = 1;
    }
}

OptimizerState SGD::state() const {
    OptimizerState s;
    s.values["optimizer"] = "SGD";
    for (size_t i = 0; i < params_.size(); ++i)
        if (started_[i] && momentum_[i].defined()) s.tensors[std::to_string(i) + ".momentum_buffer"] = momentum_[i];
    return s;
}

void SGD::load_state(const OptimizerState& state) {
    check_kind(state, "SGD");
    for (size_t i = 0; i < params_.size(); ++i) {
        momentum_[i] = state_buffer(state, i, "momentum_buffer");
        started_[i] = momentum_[i].defined();
        if (opt_.update_in_backward && opt_.momentum != 0.0f && !started_[i]) momentum_[i] = buffer_like(i);
    }
}

}  // namespace probenet::optim
