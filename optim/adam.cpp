#include "optim/adam.h"

#include <cmath>

#include "tensor/backend.h"
#include "tensor/error.h"

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

}  // namespace probenet::optim
