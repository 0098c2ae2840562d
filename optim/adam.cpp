#include "optim/adam.h"

#include <cmath>

#include "tensor/backend.h"
#include "tensor/error.h"
#include "tensor/parse_number.h"

namespace probenet::optim {

Adam::Adam(std::vector<Var> params, AdamOptions options)
    : Optimizer(std::move(params)), opt_(options), m_(params_.size()), v_(params_.size()), steps_(params_.size(), 0) {
    PROBENET_CHECK(opt_.lr >= 0 && opt_.eps >= 0 && opt_.weight_decay >= 0, "Adam: lr, eps, weight_decay must be >= 0");
    PROBENET_CHECK(opt_.beta1 >= 0 && opt_.beta1 < 1 && opt_.beta2 >= 0 && opt_.beta2 < 1, "Adam: betas must be in [0, 1), got ",
                   opt_.beta1, ", ", opt_.beta2);
}

void Adam::step() {
    for (size_t i = 0; i < params_.size(); ++i) {
        const Tensor g = params_[i].grad();
        if (!g.defined()) continue;
        Tensor& p = params_[i].value();
        if (!m_[i].defined()) {
            m_[i] = Tensor::zeros(p.shape(), p.device());
            v_[i] = Tensor::zeros(p.shape(), p.device());
        }
        const int64_t t = ++steps_[i];
        const float bc1 = 1.0f - static_cast<float>(std::pow(double(opt_.beta1), double(t)));
        const float bc2 = 1.0f - static_cast<float>(std::pow(double(opt_.beta2), double(t)));
        backend_for(p.device()).adam_update(p.numel(), p.data(), g.data(), m_[i].data(), v_[i].data(), opt_.lr,
                                            opt_.beta1, opt_.beta2, opt_.eps, opt_.weight_decay, bc1, bc2);
    }
}

OptimizerState Adam::state() const {
    OptimizerState s;
    s.values["optimizer"] = "Adam";
    for (size_t i = 0; i < params_.size(); ++i) {
        if (!m_[i].defined()) continue;
        const std::string key = std::to_string(i);
        s.tensors[key + ".exp_avg"] = m_[i];
        s.tensors[key + ".exp_avg_sq"] = v_[i];
        s.values[key + ".step"] = std::to_string(steps_[i]);
    }
    return s;
}

void Adam::load_state(const OptimizerState& state) {
    check_kind(state, "Adam");
    for (size_t i = 0; i < params_.size(); ++i) {
        m_[i] = state_buffer(state, i, "exp_avg");
        v_[i] = state_buffer(state, i, "exp_avg_sq");
        const auto step = state.values.find(std::to_string(i) + ".step");
        PROBENET_CHECK(m_[i].defined() == v_[i].defined() && m_[i].defined() == (step != state.values.end()),
                       "load_state: Adam state of parameter ", i, " is incomplete (needs exp_avg, exp_avg_sq, step)");
        steps_[i] = m_[i].defined() ? parse_whole_number(step->second, "load_state: Adam step of parameter " +
                                                                            std::to_string(i))
                                    : 0;
    }
}

}  // namespace probenet::optim
