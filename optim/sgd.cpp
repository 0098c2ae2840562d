#include "optim/sgd.h"

#include "tensor/backend.h"
#include "tensor/error.h"

namespace probenet::optim {

SGD::SGD(std::vector<Var> params, SgdOptions options)
    : Optimizer(std::move(params)), opt_(options), momentum_(params_.size()) {
    PROBENET_CHECK(opt_.lr >= 0 && opt_.momentum >= 0 && opt_.weight_decay >= 0, "SGD: lr ", opt_.lr, ", momentum ",
                   opt_.momentum, ", weight_decay ", opt_.weight_decay, " must all be >= 0");
    PROBENET_CHECK(!opt_.nesterov || (opt_.momentum > 0 && opt_.dampening == 0),
                   "SGD: Nesterov momentum needs momentum > 0 and dampening = 0");
}

void SGD::step() {
    for (size_t i = 0; i < params_.size(); ++i) {
        const Tensor g = params_[i].grad();
        if (!g.defined()) continue;
        Tensor& p = params_[i].value();
        const bool first = !momentum_[i].defined();
        if (first && opt_.momentum != 0.0f) momentum_[i] = Tensor::empty(p.shape(), p.device());
        backend_for(p.device()).sgd_update(p.numel(), p.data(), g.data(),
                                           opt_.momentum != 0.0f ? momentum_[i].data() : nullptr, opt_.lr,
                                           opt_.momentum, opt_.dampening, opt_.weight_decay, opt_.nesterov, first);
    }
}

OptimizerState SGD::state() const {
    OptimizerState s;
    s.values["optimizer"] = "SGD";
    for (size_t i = 0; i < params_.size(); ++i)
        if (momentum_[i].defined()) s.tensors[std::to_string(i) + ".momentum_buffer"] = momentum_[i];
    return s;
}

void SGD::load_state(const OptimizerState& state) {
    check_kind(state, "SGD");
    for (size_t i = 0; i < params_.size(); ++i) momentum_[i] = state_buffer(state, i, "momentum_buffer");
}

}  // namespace probenet::optim
